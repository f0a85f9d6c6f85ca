package org.jnsjail.unotify;

/**
 * IPv4 and IPv6 addresses as text, exactly as glibc's inet_ntop(3) writes them (the report must
 * match nsjail's byte for byte): dotted quad; for IPv6 lowercase hex groups without leading zeros,
 * the first longest run of two or more zero groups as "::", and the last 32 bits as a dotted quad
 * for IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses.
 */
final class InetText {
    private InetText() {}

    /** The 4 bytes at {@code off} as a.b.c.d. */
    static String ipv4(byte[] a, int off) {
        return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "." + (a[off + 3] & 0xff);
    }

    /** The 16 bytes at {@code off} in inet_ntop's IPv6 form. */
    static String ipv6(byte[] a, int off) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[off + 2 * i] & 0xff) << 8) | (a[off + 2 * i + 1] & 0xff);
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && curLen > bestLen) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestLen < 2) bestBase = -1;

        StringBuilder b = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) b.append(':');
                continue;
            }
            if (i != 0) b.append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                b.append(ipv4(a, off + 12));
                return b.toString();
            }
            b.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) b.append(':');
        return b.toString();
    }
}
