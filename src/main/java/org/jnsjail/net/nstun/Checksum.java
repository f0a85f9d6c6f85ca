package org.jnsjail.net.nstun;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words, with the TCP/UDP/ICMPv6 pseudo-header (RFC 793 §3.1, RFC 8200 §8.1).
 * Sums are taken eight bytes at a time (RFC 1071 §2(C): parallel summation, folded at the end), as
 * the stack sums every byte it relays.
 */
final class Checksum {
    private Checksum() {}

    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64N = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Adds b[off, off+len) as 16-bit words to sum (an odd last byte is padded with zero). */
    static long add(long sum, byte[] b, int off, int len) {
        if (len >= BULK) return add(sum, MemorySegment.ofArray(b), off, len);
        int i = off, end8 = off + (len & ~7), end = off + len;
        long s = 0;
        for (; i < end8; i += 8) {
            long w = (long) BE64.get(b, i);
            s += (w >>> 32) + (w & 0xffffffffL);
        }
        for (; i + 1 < end; i += 2) s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        if (i < end) s += (b[i] & 0xff) << 8;
        return sum + fold32(s);
    }

    /** The same over native memory (or a heap segment). */
    static long add(long sum, MemorySegment m, long off, long len) {
        long i = off, end8 = off + (len & ~7L), end = off + len;
        long s = 0;
        if (len >= BULK) {
            sum += bulk(m, off, len >>> 3);
            i = end8;
        }
        for (; i < end8; i += 8) {
            long w = m.get(BE64N, i);
            s += (w >>> 32) + (w & 0xffffffffL);
        }
        for (; i + 1 < end; i += 2) s += ((m.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8) | (m.get(ValueLayout.JAVA_BYTE, i + 1) & 0xff);
        if (i < end) s += (m.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8;
        return sum + fold32(s);
    }

    /**
     * From this many bytes on, sums are taken over 64-bit words first copied in bulk (a plain memcpy) into
     * a long[]: element-wise MemorySegment or VarHandle reads are not inlined well by C1 (the launcher's
     * only JIT), and a loop over a long[] is. The words are in native order; by RFC 1071 §2(B) the sum of
     * byte-swapped words is the byte-swapped sum, so a little-endian sum is swapped once at the end.
     */
    static final int BULK = 128;
    private static final ValueLayout.OfLong NATIVE64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[2048]);

    /** The 16-bit ones' complement sum (big-endian words, at most 17 bits) of the given number of 64-bit words at m[off...). */
    private static long bulk(MemorySegment m, long off, long words) {
        long[] w = SCRATCH.get();
        long s = 0;
        while (words > 0) {
            int n = (int) Math.min(w.length, words);
            MemorySegment.copy(m, NATIVE64, off, w, 0, n);
            for (int k = 0; k < n; k++) {
                long x = w[k];
                s += (x >>> 32) + (x & 0xffffffffL);
            }
            // At most 2048 * 2^33 per chunk: fold before the next chunk so s never overflows.
            s = fold32(s);
            off += (long) n << 3;
            words -= n;
        }
        return LITTLE ? swap(s) : s;
    }

    /** A sum of 32-bit words folded to at most 17 bits; the 16-bit ones' complement sum is unchanged. */
    private static long fold32(long s) {
        s = (s & 0xffffffffL) + (s >>> 32);
        s = (s & 0xffffffffL) + (s >>> 32);
        return (s & 0xffff) + (s >>> 16);
    }

    /** A running sum of bytes that started at an odd offset of the checksummed data, realigned (RFC 1071 §2(B)). */
    static long swap(long sum) {
        int f = (int) fold16(sum);
        return ((f & 0xff) << 8) | (f >>> 8);
    }

    private static long fold16(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return sum;
    }

    /** The pseudo-header's sum: both addresses, the protocol and the upper-layer length. */
    static long pseudo(byte[] src, byte[] dst, int proto, int l4Len) {
        long s = add(0, src, 0, src.length);
        s = add(s, dst, 0, dst.length);
        return s + proto + (l4Len & 0xffff) + (l4Len >>> 16);
    }

    /** The pseudo-header's sum with both addresses taken from a packet: alen bytes at srcOff, then at srcOff + alen. */
    static long pseudo(byte[] p, int srcOff, int alen, int proto, int l4Len) {
        return add(0, p, srcOff, 2 * alen) + proto + (l4Len & 0xffff) + (l4Len >>> 16);
    }

    /** The final 16-bit checksum of a running sum: folded and complemented. */
    static int finish(long sum) {
        return (int) (~fold16(sum) & 0xffff);
    }

    static int of(byte[] b, int off, int len) {
        return finish(add(0, b, off, len));
    }
}
