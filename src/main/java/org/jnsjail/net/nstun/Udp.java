package org.jnsjail.net.nstun;

/** UDP (RFC 768): the header fields the stack reads, and datagrams it builds. */
record Udp(int sport, int dport, byte[] buf, int dataOff, int dataLen) {
    static final int HEADER = 8;

    static Udp parse(IpPacket ip) throws BadPacket {
        byte[] b = ip.data();
        int o = ip.l4Off();
        if (ip.l4Len() < HEADER) throw new BadPacket("short UDP header");
        int ulen = IpPacket.u16(b, o + 4);
        if (ulen < HEADER || ulen > ip.l4Len()) throw new BadPacket("bad UDP length");
        int csum = IpPacket.u16(b, o + 6);
        // RFC 768: zero means "no checksum" for IPv4; RFC 8200 §8.1 makes it mandatory for IPv6.
        if (csum == 0 ? ip.v6() : Checksum.finish(Checksum.add(Checksum.pseudo(ip.src(), ip.dst(), IpPacket.UDP, ulen),
                b, o, ulen)) != 0) {
            throw new BadPacket("bad UDP checksum");
        }
        return new Udp(IpPacket.u16(b, o), IpPacket.u16(b, o + 2), b, o + HEADER, ulen - HEADER);
    }

    static byte[] build(boolean v6, byte[] src, byte[] dst, int sport, int dport, byte[] data, int off, int len, int ipId) {
        byte[] p = IpPacket.allocate(v6, src, dst, IpPacket.UDP, HEADER + len, ipId);
        int o = IpPacket.headerLen(v6);
        IpPacket.put16(p, o, sport);
        IpPacket.put16(p, o + 2, dport);
        IpPacket.put16(p, o + 4, HEADER + len);
        System.arraycopy(data, off, p, o + HEADER, len);
        IpPacket.sealL4(p, v6, IpPacket.UDP, 6);
        return p;
    }
}
