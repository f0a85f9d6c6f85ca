package org.jnsjail.net.nstun;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words, with the TCP/UDP/ICMPv6 pseudo-header (RFC 793 §3.1, RFC 8200 §8.1).
 */
final class Checksum {
    private Checksum() {}

    /** Adds b[off, off+len) as 16-bit words to sum (an odd last byte is padded with zero). */
    static long add(long sum, byte[] b, int off, int len) {
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        return sum;
    }

    /** The pseudo-header's sum: both addresses, the protocol and the upper-layer length. */
    static long pseudo(byte[] src, byte[] dst, int proto, int l4Len) {
        long s = add(0, src, 0, src.length);
        s = add(s, dst, 0, dst.length);
        return s + proto + (l4Len & 0xffff) + (l4Len >>> 16);
    }

    /** The final 16-bit checksum of a running sum: folded and complemented. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    static int of(byte[] b, int off, int len) {
        return finish(add(0, b, off, len));
    }
}
