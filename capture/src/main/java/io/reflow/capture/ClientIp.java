package io.reflow.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The client's IP address, and its anonymised form (IPv4 /24, IPv6 /48) for teams that ask for it. */
final class ClientIp {
    private ClientIp() {}

    /**
     * The client's address: the peer, unless the peer is a trusted proxy; then X-Forwarded-For is read from
     * the right (each proxy appends the address it was connected from) up to the first hop that is not a
     * trusted proxy. Hops further left were written by the client and prove nothing. A hop that is not an
     * address literal ends the walk at the last trusted one.
     */
    static String of(String forwardedFor, String peer, TrustedProxies trusted) {
        if (forwardedFor == null || peer == null || !trusted.contains(peer)) {
            return peer;
        }
        String client = peer;
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (TrustedProxies.addressBytes(hop) == null) {
                break;
            }
            client = hop;
            if (!trusted.contains(hop)) {
                break;
            }
        }
        return client;
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
