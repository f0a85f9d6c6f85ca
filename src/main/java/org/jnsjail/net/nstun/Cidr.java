package org.jnsjail.net.nstun;

import java.net.Inet6Address;

/** An address prefix (a bare address is /32 or /128). */
record Cidr(byte[] addr, int len) {

    boolean contains(byte[] a) {
        if (a.length != addr.length) return false;
        int full = len / 8, rest = len % 8;
        for (int i = 0; i < full; i++) if (a[i] != addr[i]) return false;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (addr[full] & mask);
    }

    /** Parses "a.b.c.d[/n]" (v6 false) or an IPv6 literal with optional "/n"; null if it is neither. */
    static Cidr parse(String s, boolean v6) {
        int slash = s.indexOf('/');
        byte[] a = address(slash < 0 ? s : s.substring(0, slash), v6);
        if (a == null) return null;
        int len = a.length * 8;
        if (slash >= 0) {
            String l = s.substring(slash + 1);
            if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
            len = Integer.parseInt(l);
            if (len > a.length * 8) return null;
        }
        return new Cidr(a, len);
    }

    /** A literal of the family, as inet_pton(3) takes it (no names, no leading zeros in IPv4 parts); null otherwise. */
    static byte[] address(String s, boolean v6) {
        if (v6) {
            if (s.indexOf(':') < 0 || s.indexOf('%') >= 0) return null;
            try {
                byte[] a = Inet6Address.ofLiteral(s).getAddress();
                if (a.length == 16) return a;
                // ofLiteral turns "::ffff:a.b.c.d" into an Inet4Address; keep it an IPv6 (v4-mapped) address.
                byte[] m = new byte[16];
                m[10] = m[11] = (byte) 0xff;
                System.arraycopy(a, 0, m, 12, 4);
                return m;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return null;
            }
            out[i] = (byte) Integer.parseInt(p);
        }
        return out;
    }
}
