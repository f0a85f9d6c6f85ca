package org.jnsjail.net.nstun;

/** ICMP (RFC 792) and ICMPv6 (RFC 4443): echo messages and the destination-unreachable errors the stack sends. */
final class Icmp {
    private Icmp() {}

    static final int ECHO_REQUEST4 = 8, ECHO_REPLY4 = 0, UNREACH4 = 3;
    static final int ECHO_REQUEST6 = 128, ECHO_REPLY6 = 129, UNREACH6 = 1;
    /** Codes: IPv4 host/port unreachable (RFC 792); IPv6 address/port unreachable (RFC 4443 §3.1). */
    static final int HOST4 = 1, PORT4 = 3, ADDR6 = 3, PORT6 = 4;

    /** An ICMP message with a checked checksum: type, code, and where its body (after 4 header bytes) lies. */
    record Message(int type, int code, byte[] buf, int off, int len) {}

    static Message parse(IpPacket ip) throws BadPacket {
        if (ip.l4Len() < 8) throw new BadPacket("short ICMP message");
        int sum = ip.v6() ? ip.l4Checksum() : Checksum.of(ip.data(), ip.l4Off(), ip.l4Len());
        if (sum != 0) throw new BadPacket("bad ICMP checksum");
        byte[] b = ip.data();
        return new Message(b[ip.l4Off()] & 0xff, b[ip.l4Off() + 1] & 0xff, b, ip.l4Off(), ip.l4Len());
    }

    /** An ICMP packet of the given type/code whose remaining bytes (id, seq, data...) are body[off, off+len). */
    static byte[] build(boolean v6, byte[] src, byte[] dst, int type, int code, byte[] body, int off, int len, int ipId) {
        int proto = v6 ? IpPacket.ICMPV6 : IpPacket.ICMP;
        byte[] p = IpPacket.allocate(v6, src, dst, proto, 4 + len, ipId);
        int o = IpPacket.headerLen(v6);
        p[o] = (byte) type;
        p[o + 1] = (byte) code;
        System.arraycopy(body, off, p, o + 4, len);
        IpPacket.sealL4(p, v6, proto, 2);
        return p;
    }

    /** An echo reply/request: id, seq and data follow the 4-byte header. */
    static byte[] echo(boolean v6, byte[] src, byte[] dst, int type, int id, byte[] msg, int seqAndDataOff, int seqAndDataLen,
            int ipId) {
        byte[] body = new byte[seqAndDataLen + 2];
        IpPacket.put16(body, 0, id);
        System.arraycopy(msg, seqAndDataOff, body, 2, seqAndDataLen);
        return build(v6, src, dst, type, 0, body, 0, body.length, ipId);
    }

    /**
     * Destination unreachable about {@code orig}, sent from {@code from}: four unused bytes, then as much
     * of the offending packet as RFC 792 (header + 8 bytes) / RFC 4443 §3.1 (up to the 1280 minimum MTU) ask.
     */
    static byte[] unreachable(IpPacket orig, byte[] from, int code, int ipId) {
        boolean v6 = orig.v6();
        int quote = v6 ? Math.min(orig.l4Off() + orig.l4Len(), 1280 - 48) : Math.min(orig.l4Off() + orig.l4Len(), orig.l4Off() + 8);
        byte[] body = new byte[4 + quote];
        System.arraycopy(orig.data(), 0, body, 4, quote);
        return build(v6, from, orig.src(), v6 ? UNREACH6 : UNREACH4, code, body, 0, body.length, ipId);
    }
}
