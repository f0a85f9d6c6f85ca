package org.jnsjail.net.nstun;

/**
 * A TCP segment (RFC 9293 §3.1). Sequence numbers are kept as Java ints and compared modulo 2^32
 * with {@link #lt}/{@link #le}. Of the options only MSS (kind 2) and window scale (kind 3) are read.
 *
 * @param mss    the MSS option, or -1 when absent
 * @param wscale the window-scale shift, or -1 when absent
 */
record TcpSegment(int sport, int dport, int seq, int ack, int flags, int window, int mss, int wscale,
        byte[] buf, int dataOff, int dataLen) {

    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    static final int HEADER = 20;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: data plus one for SYN and one for FIN. */
    int seqLen() {
        return dataLen + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    static TcpSegment parse(IpPacket ip) throws BadPacket {
        byte[] b = ip.data();
        int o = ip.l4Off(), len = ip.l4Len();
        if (len < HEADER) throw new BadPacket("short TCP header");
        int doff = ((b[o + 12] & 0xff) >>> 4) * 4;
        if (doff < HEADER || doff > len) throw new BadPacket("bad TCP data offset");
        if (ip.l4Checksum() != 0) throw new BadPacket("bad TCP checksum");
        int mss = -1, ws = -1;
        for (int i = o + HEADER, end = o + doff; i < end;) {
            int kind = b[i] & 0xff;
            if (kind == 0) break; // end of option list
            if (kind == 1) { i++; continue; } // no-operation
            if (i + 1 >= end) break;
            int olen = b[i + 1] & 0xff;
            if (olen < 2 || i + olen > end) break; // malformed: ignore the rest, as RFC 9293 §3.1 allows
            if (kind == 2 && olen == 4) mss = IpPacket.u16(b, i + 2);
            if (kind == 3 && olen == 3) ws = Math.min(14, b[i + 2] & 0xff);
            i += olen;
        }
        return new TcpSegment(IpPacket.u16(b, o), IpPacket.u16(b, o + 2), IpPacket.s32(b, o + 4), IpPacket.s32(b, o + 8),
                b[o + 13] & 0x3f, IpPacket.u16(b, o + 14), mss, ws, b, o + doff, len - doff);
    }

    /** A whole IP packet carrying one TCP segment; mss >= 0 adds the MSS option (SYNs only). */
    static byte[] build(boolean v6, byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags,
            int window, int mss, byte[] data, int off, int len, int ipId) {
        return build(v6, src, dst, sport, dport, seq, ack, flags, window, mss, -1, data, off, len, ipId);
    }

    /** The same; wscale >= 0 adds the window-scale option too (RFC 7323 §2.2, SYNs only). */
    static byte[] build(boolean v6, byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags,
            int window, int mss, int wscale, byte[] data, int off, int len, int ipId) {
        byte[] p = new byte[IpPacket.headerLen(v6) + optionsLen(mss, wscale) + HEADER + len];
        int h = writeHeaders(p, v6, src, dst, sport, dport, seq, ack, flags, window, mss, wscale, len, ipId);
        if (len > 0) System.arraycopy(data, off, p, h, len);
        IpPacket.sealL4(p, v6, IpPacket.TCP, 16);
        return p;
    }

    private static int optionsLen(int mss, int wscale) {
        return (mss >= 0 ? 4 : 0) + (wscale >= 0 ? 4 : 0);
    }

    /**
     * Writes the IP and TCP headers of a segment carrying dataLen bytes into p, the TCP checksum left
     * zero; returns where the data goes. window is the header field as sent (already scaled).
     */
    static int writeHeaders(byte[] p, boolean v6, byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags,
            int window, int mss, int wscale, int dataLen, int ipId) {
        int hdr = HEADER + optionsLen(mss, wscale);
        IpPacket.writeHeader(p, v6, src, dst, IpPacket.TCP, hdr + dataLen, ipId);
        int o = IpPacket.headerLen(v6);
        IpPacket.put16(p, o, sport);
        IpPacket.put16(p, o + 2, dport);
        IpPacket.put32(p, o + 4, seq);
        IpPacket.put32(p, o + 8, (flags & ACK) != 0 ? ack : 0);
        p[o + 12] = (byte) ((hdr / 4) << 4);
        p[o + 13] = (byte) flags;
        IpPacket.put16(p, o + 14, Math.min(window, 0xffff));
        IpPacket.put32(p, o + 16, 0); // checksum and urgent pointer
        int i = o + HEADER;
        if (mss >= 0) {
            p[i] = 2;
            p[i + 1] = 4;
            IpPacket.put16(p, i + 2, mss);
            i += 4;
        }
        if (wscale >= 0) {
            p[i] = 1; // NOP, so the option ends on a 32-bit boundary
            p[i + 1] = 3;
            p[i + 2] = 3;
            p[i + 3] = (byte) wscale;
            i += 4;
        }
        return i;
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }
}
