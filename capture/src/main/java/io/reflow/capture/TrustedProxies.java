package io.reflow.capture;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The networks whose {@code X-Forwarded-For} capture believes (load balancers, ingress controllers), from a
 * comma-separated list of CIDRs or single addresses, IPv4 or IPv6. Empty: no proxy is trusted, the header is ignored.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

    private final List<String> cidrs;
    private final List<Network> networks;

    private TrustedProxies(List<String> cidrs, List<Network> networks) {
        this.cidrs = List.copyOf(cidrs);
        this.networks = List.copyOf(networks);
    }

    /** Parses {@code "10.0.0.0/8, 192.168.1.7, fd00::/8"}; fails on anything that is not an address or CIDR. */
    public static TrustedProxies parse(String list) {
        List<String> cidrs = new ArrayList<>();
        List<Network> networks = new ArrayList<>();
        for (String part : list == null ? new String[0] : list.split(",")) {
            String cidr = part.strip();
            if (cidr.isEmpty()) {
                continue;
            }
            networks.add(Network.parse(cidr));
            cidrs.add(cidr);
        }
        return new TrustedProxies(cidrs, networks);
    }

    /** Whether {@code ip} (an address literal) lies in one of the networks; false for anything that is not a literal. */
    public boolean contains(String ip) {
        if (networks.isEmpty() || ip == null) {
            return false;
        }
        byte[] address = addressBytes(ip);
        if (address == null) {
            return false;
        }
        for (Network n : networks) {
            if (n.contains(address)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return networks.isEmpty();
    }

    /** The bytes of an IP literal (IPv4-mapped IPv6 as IPv4), or null when it is not one; never a DNS lookup. */
    static byte[] addressBytes(String ip) {
        byte[] a = NetUtil.createByteArrayFromIpAddressString(ip.strip());
        if (a != null && a.length == 16 && isV4Mapped(a)) {
            return Arrays.copyOfRange(a, 12, 16);
        }
        return a;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies t && t.cidrs.equals(cidrs);
    }

    @Override
    public int hashCode() {
        return cidrs.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", cidrs);
    }

    private record Network(byte[] prefix, int bits) {
        static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            String address = slash < 0 ? cidr : cidr.substring(0, slash);
            byte[] bytes = addressBytes(address);
            if (bytes == null) {
                throw new IllegalArgumentException("CAPTURE_TRUSTED_PROXIES: '" + cidr + "' is not an IP address or CIDR");
            }
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                // an IPv4-mapped network given in IPv6 notation keeps its IPv4 prefix length
                if (bytes.length == 4 && address.contains(":")) {
                    bits -= 96;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("CAPTURE_TRUSTED_PROXIES: '" + cidr + "' has an invalid prefix length");
                }
            }
            return new Network(bytes, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }
}
