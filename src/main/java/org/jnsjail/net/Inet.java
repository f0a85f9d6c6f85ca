package org.jnsjail.net;

import java.net.Inet6Address;
import java.util.HexFormat;

/**
 * Parsing of the textual addresses jnsjail takes (IPv4 as inet_pton(3) accepts it, IPv6
 * literals, CIDR prefixes, netmasks, MACs) into network-order bytes. Never resolves names.
 * Bad input is an IllegalArgumentException whose message names the option and the value.
 */
public final class Inet {
    private Inet() {}

    /** A dotted quad: four decimal parts 0..255, no leading zeros (inet_pton(AF_INET)). */
    public static byte[] ipv4(String s, String what) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) throw bad(what, s, "IPv4 address");
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                throw bad(what, s, "IPv4 address");
            }
            int v = Integer.parseInt(p);
            if (v > 255) throw bad(what, s, "IPv4 address");
            out[i] = (byte) v;
        }
        return out;
    }

    public static byte[] ipv6(String s, String what) {
        if (s.indexOf(':') < 0) throw bad(what, s, "IPv6 address");
        try {
            return Inet6Address.ofLiteral(s).getAddress();
        } catch (IllegalArgumentException e) {
            throw bad(what, s, "IPv6 address");
        }
    }

    public static boolean isAny(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }

    /** The prefix length of a contiguous netmask; SIOCSIFNETMASK refuses others too (EINVAL). */
    public static int prefixOfNetmask(String s, String what) {
        byte[] m = ipv4(s, what);
        int v = ((m[0] & 0xff) << 24) | ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff);
        int len = Integer.bitCount(v);
        if (v != (len == 0 ? 0 : -1 << (32 - len))) throw bad(what, s, "contiguous netmask");
        return len;
    }

    /** An address with its prefix length; a bare address is a host prefix (/32 or /128). */
    public record Prefix(byte[] addr, int len) {}

    public static Prefix prefix(String s, boolean v6, String what) {
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] a = v6 ? ipv6(addr, what) : ipv4(addr, what);
        int max = a.length * 8;
        int len = max;
        if (slash >= 0) {
            String l = s.substring(slash + 1);
            if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(what, s, (v6 ? "IPv6" : "IPv4") + " prefix");
            }
            len = Integer.parseInt(l);
            if (len > max) throw bad(what, s, (v6 ? "IPv6" : "IPv4") + " prefix");
        }
        return new Prefix(a, len);
    }

    /** Six colon-separated hex pairs. */
    public static byte[] mac(String s, String what) {
        String[] parts = s.split(":", -1);
        if (parts.length != 6) throw bad(what, s, "MAC address");
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2 || !HexFormat.isHexDigit(parts[i].charAt(0))
                    || !HexFormat.isHexDigit(parts[i].charAt(1))) {
                throw bad(what, s, "MAC address");
            }
            out[i] = (byte) HexFormat.fromHexDigits(parts[i]);
        }
        return out;
    }

    private static IllegalArgumentException bad(String what, String value, String kind) {
        return new IllegalArgumentException(what + ": " + org.jnsjail.log.Quote.of(value) + " is not a valid " + kind);
    }
}
