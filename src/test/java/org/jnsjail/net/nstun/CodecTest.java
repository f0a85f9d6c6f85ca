package org.jnsjail.net.nstun;

import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checksums against known vectors and an independent implementation; header parsing and building. */
class CodecTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (folded); the checksum is its complement.
        assertEquals(0x220d, Checksum.of(hex("0001 f203 f4f5 f6f7"), 0, 8));
        assertEquals(0xffff ^ 0x0001, Checksum.of(hex("00 01"), 0, 2));
        assertEquals(0xffff ^ 0xab00, Checksum.of(hex("ab"), 0, 1), "an odd byte is padded with zero");
    }

    @Test
    void ipv4HeaderVector() {
        byte[] h = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertEquals(0, Checksum.of(h, 0, 20), "a correct header sums to zero");
        h[10] = h[11] = 0;
        assertEquals(0xb861, Checksum.of(h, 0, 20));
    }

    @Test
    void icmpEchoVector() {
        // A Windows ping: echo request, id 1, seq 1, "abcdefghijklmnopqrstuvwabcdefghi": checksum 0x4d5a.
        byte[] m = new byte[40];
        m[0] = 8;
        m[5] = 1;
        m[7] = 1;
        byte[] d = "abcdefghijklmnopqrstuvwabcdefghi".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, m, 8, 32);
        assertEquals(0x4d5a, Checksum.of(m, 0, 40));
    }

    /** RFC 793/8200 pseudo-header sum, written out byte by byte as the RFCs describe it. */
    static int reference(byte[] src, byte[] dst, int proto, byte[] l4) {
        byte[] ph = new byte[src.length * 2 + (src.length == 4 ? 4 : 8) + l4.length + 1];
        int o = 0;
        System.arraycopy(src, 0, ph, o, src.length);
        o += src.length;
        System.arraycopy(dst, 0, ph, o, dst.length);
        o += dst.length;
        if (src.length == 4) {
            ph[o++] = 0;
            ph[o++] = (byte) proto;
            ph[o++] = (byte) (l4.length >> 8);
            ph[o++] = (byte) l4.length;
        } else {
            ph[o++] = (byte) (l4.length >> 24);
            ph[o++] = (byte) (l4.length >> 16);
            ph[o++] = (byte) (l4.length >> 8);
            ph[o++] = (byte) l4.length;
            o += 3;
            ph[o++] = (byte) proto;
        }
        System.arraycopy(l4, 0, ph, o, l4.length);
        int len = o + l4.length;
        long sum = 0;
        for (int i = 0; i < len; i += 2) sum += ((ph[i] & 0xff) << 8) | (i + 1 < len ? ph[i + 1] & 0xff : 0);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    @Test
    void builtSegmentsParseAndMatchTheReference() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            boolean v6 = r.nextBoolean();
            byte[] src = new byte[v6 ? 16 : 4], dst = new byte[v6 ? 16 : 4], data = new byte[r.nextInt(1500)];
            r.nextBytes(src);
            r.nextBytes(dst);
            r.nextBytes(data);
            byte[] p = TcpSegment.build(v6, src, dst, 1000 + i, 80, r.nextInt(), r.nextInt(), TcpSegment.ACK | TcpSegment.PSH,
                    r.nextInt(65536), i % 2 == 0 ? 1460 : -1, data, 0, data.length, i);
            int hl = v6 ? 40 : 20;
            byte[] l4 = java.util.Arrays.copyOfRange(p, hl, p.length);
            int stored = IpPacket.u16(l4, 16);
            l4[16] = l4[17] = 0;
            assertEquals(reference(src, dst, 6, l4), stored);
            IpPacket ip = IpPacket.parse(p, p.length);
            TcpSegment s = TcpSegment.parse(ip);
            assertEquals(1000 + i, s.sport());
            assertEquals(i % 2 == 0 ? 1460 : -1, s.mss());
            assertEquals(data.length, s.dataLen());
            assertArrayEquals(data, java.util.Arrays.copyOfRange(s.buf(), s.dataOff(), s.dataOff() + s.dataLen()));

            byte[] u = Udp.build(v6, src, dst, 53, 5353, data, 0, data.length, i);
            byte[] ul4 = java.util.Arrays.copyOfRange(u, hl, u.length);
            int ustored = IpPacket.u16(ul4, 6);
            ul4[6] = ul4[7] = 0;
            int ref = reference(src, dst, 17, ul4);
            assertEquals(ref == 0 ? 0xffff : ref, ustored);
            assertEquals(data.length, Udp.parse(IpPacket.parse(u, u.length)).dataLen());
        }
    }

    @Test
    void malformedPacketsAreRefused() throws Exception {
        byte[] ok = TcpSegment.build(false, new byte[] {10, 0, 0, 2}, new byte[] {10, 0, 0, 1}, 1, 2, 3, 4, TcpSegment.SYN, 100, 1460,
                null, 0, 0, 9);
        IpPacket.parse(ok, ok.length);
        assertThrows(BadPacket.class, () -> IpPacket.parse(ok, 19), "shorter than the header");
        byte[] longer = ok.clone();
        IpPacket.put16(longer, 2, ok.length + 1);
        assertThrows(BadPacket.class, () -> IpPacket.parse(longer, longer.length), "total length beyond the packet");
        byte[] ihl = ok.clone();
        ihl[0] = 0x44;
        assertThrows(BadPacket.class, () -> IpPacket.parse(ihl, ihl.length), "IHL below 5");
        byte[] sum = ok.clone();
        sum[8]--;
        assertThrows(BadPacket.class, () -> IpPacket.parse(sum, sum.length), "IPv4 header checksum");
        byte[] tcp = ok.clone();
        tcp[tcp.length - 1]++;
        assertThrows(BadPacket.class, () -> TcpSegment.parse(IpPacket.parse(tcp, tcp.length)), "TCP checksum");
        byte[] v6 = TcpSegment.build(true, new byte[16], new byte[16], 1, 2, 3, 4, TcpSegment.SYN, 100, -1, null, 0, 0, 0);
        v6[6] = 0; // hop-by-hop options header
        assertThrows(BadPacket.class, () -> IpPacket.parse(v6, v6.length), "IPv6 extension header");
        byte[] doff = ok.clone();
        doff[20 + 12] = (byte) 0xf0; // data offset 60 > segment
        assertThrows(BadPacket.class, () -> TcpSegment.parse(IpPacket.parse(doff, doff.length)));
    }

    @Test
    void ipv6TextIsRfc5952() {
        assertEquals("2001:db8::7", FlowKey.text6(Cidr.address("2001:db8:0:0:0:0:0:7", true)));
        assertEquals("::1", FlowKey.text6(Cidr.address("::1", true)));
        assertEquals("::", FlowKey.text6(new byte[16]));
        assertEquals("fc00::", FlowKey.text6(Cidr.address("fc00::", true)));
        assertEquals("2001:db8:0:1:1:1:1:1", FlowKey.text6(Cidr.address("2001:db8:0:1:1:1:1:1", true)), "a single zero group stays");
        assertEquals("2001:0:0:1::1", FlowKey.text6(Cidr.address("2001:0:0:1:0:0:0:1", true)), "the longest run wins");
    }

    @Test
    void ringChecksumsAcrossTheWrapAtAnyParity() {
        Random r = new Random(9);
        for (int i = 0; i < 200; i++) {
            ByteRing ring = new ByteRing(new ByteRing.Budget(1 << 20), 8192);
            byte[] junk = new byte[r.nextInt(8000)];
            ring.put(junk, 0, junk.length);
            ring.discard(junk.length); // an empty ring restarts at 0: refill to move the head
            byte[] a = new byte[1 + r.nextInt(4095)];
            r.nextBytes(a);
            ring.put(a, 0, a.length);
            ring.discard(r.nextInt(a.length));
            byte[] b = new byte[r.nextInt(ring.free() + 1)];
            r.nextBytes(b);
            assertEquals(b.length, ring.put(b, 0, b.length));
            int off = r.nextInt(ring.size() + 1), len = r.nextInt(ring.size() - off + 1);
            byte[] want = new byte[len];
            ring.peek(off, want, 0, len);
            assertEquals(Checksum.of(want, 0, len), Checksum.finish(ring.checksum(0, off, len)), "offset " + off + " length " + len);
            int first = ring.run(off, len);
            assertTrue(first <= len && (len == 0 || first > 0));
            ring.release();
        }
    }

    @Test
    void wideChecksumMatchesTheWordByWordSum() {
        Random r = new Random(10);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[r.nextInt(3000)];
            r.nextBytes(b);
            int off = b.length == 0 ? 0 : r.nextInt(b.length), len = r.nextInt(b.length - off + 1);
            long sum = 0;
            for (int j = 0; j + 1 < len; j += 2) sum += ((b[off + j] & 0xff) << 8) | (b[off + j + 1] & 0xff);
            if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
            assertEquals(Checksum.finish(sum), Checksum.of(b, off, len));
        }
    }

    /** The bulk path (copied to a long[] in chunks, summed in native order) against the word-by-word sum, heap and native. */
    @Test
    void bulkChecksumMatchesTheWordByWordSumAcrossChunks() {
        Random r = new Random(11);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment m = arena.allocate(70_000, 8);
            for (int i = 0; i < 200; i++) {
                byte[] b = new byte[70_000];
                if (i % 10 == 0) java.util.Arrays.fill(b, (byte) 0xff); // the largest words: no overflow in a chunk
                else r.nextBytes(b);
                java.lang.foreign.MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
                int off = r.nextInt(64), len = i < 4 ? b.length - off : r.nextInt(b.length - off + 1);
                long want = 0x1234;
                for (int j = 0; j + 1 < len; j += 2) want += ((b[off + j] & 0xff) << 8) | (b[off + j + 1] & 0xff);
                if ((len & 1) != 0) want += (b[off + len - 1] & 0xff) << 8;
                assertEquals(Checksum.finish(want), Checksum.finish(Checksum.add(0x1234, b, off, len)), "heap, length " + len);
                assertEquals(Checksum.finish(want), Checksum.finish(Checksum.add(0x1234, m, off, len)), "native, length " + len);
            }
        }
    }
}
