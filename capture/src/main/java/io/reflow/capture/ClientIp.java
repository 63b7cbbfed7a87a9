package io.reflow.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The client's IP address, and its anonymised form (IPv4 /24, IPv6 /48) for teams that ask for it. */
final class ClientIp {
    private ClientIp() {}

    /** The first X-Forwarded-For hop when a proxy set one, otherwise the peer address. */
    static String of(String forwardedFor, String peer) {
        if (forwardedFor != null) {
            String first = forwardedFor.split(",", 2)[0].trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return peer;
    }

    static String anonymize(String ip) {
        if (ip == null || ip.isEmpty()) {
            return ip;
        }
        if (!ip.matches("[0-9a-fA-F:.]+")) {
            return null; // not an address literal: keep nothing rather than something identifying
        }
        try {
            byte[] a = InetAddress.getByName(ip).getAddress(); // a literal: no lookup happens
            int keep = a.length == 4 ? 3 : 6;
            for (int i = keep; i < a.length; i++) {
                a[i] = 0;
            }
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
