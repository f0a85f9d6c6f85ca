package org.jnsjail.net.nstun;

/**
 * One IP packet as read from the TUN device (IFF_NO_PI: the first byte is the IP version), with its
 * transport payload located. Only what the stack needs is parsed; headers are validated first.
 *
 * @param src    source address, 4 or 16 bytes
 * @param dst    destination address
 * @param proto  IPv4 protocol / IPv6 next header (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)
 * @param data   the whole packet (index 0 is the IP header)
 * @param l4Off  where the transport header starts
 * @param l4Len  transport header plus payload, per the IP length fields
 */
record IpPacket(boolean v6, byte[] src, byte[] dst, int proto, byte[] data, int l4Off, int l4Len) {

    static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;
    static final int V4_HEADER = 20, V6_HEADER = 40;

    /** Validates and locates the transport payload of the first {@code len} bytes of {@code b}. */
    static IpPacket parse(byte[] b, int len) throws BadPacket {
        if (len < 1) throw new BadPacket("empty packet");
        return switch ((b[0] & 0xff) >>> 4) {
            case 4 -> parse4(b, len);
            case 6 -> parse6(b, len);
            default -> throw new BadPacket("IP version " + ((b[0] & 0xff) >>> 4));
        };
    }

    private static IpPacket parse4(byte[] b, int len) throws BadPacket {
        if (len < V4_HEADER) throw new BadPacket("short IPv4 packet");
        int ihl = (b[0] & 0x0f) * 4;
        int total = u16(b, 2);
        if (ihl < V4_HEADER || ihl > total || total > len) throw new BadPacket("bad IPv4 lengths");
        if (Checksum.of(b, 0, ihl) != 0) throw new BadPacket("bad IPv4 header checksum");
        // RFC 791 §3.1: MF or a non-zero offset is a fragment; the stack does no reassembly.
        if ((u16(b, 6) & 0x3fff) != 0) throw new BadPacket("IPv4 fragment");
        return new IpPacket(false, slice(b, 12, 4), slice(b, 16, 4), b[9] & 0xff, b, ihl, total - ihl);
    }

    private static IpPacket parse6(byte[] b, int len) throws BadPacket {
        if (len < V6_HEADER) throw new BadPacket("short IPv6 packet");
        int plen = u16(b, 4);
        if (V6_HEADER + plen > len) throw new BadPacket("bad IPv6 payload length");
        int nh = b[6] & 0xff;
        // RFC 8200 §4: any extension header (hop-by-hop, routing, fragment, ...) is refused outright.
        if (nh != TCP && nh != UDP && nh != ICMPV6) throw new BadPacket("IPv6 next header " + nh);
        return new IpPacket(true, slice(b, 8, 16), slice(b, 24, 16), nh, b, V6_HEADER, plen);
    }

    /** The transport checksum over the pseudo-header and payload; 0 when the packet's checksum is right. */
    int l4Checksum() {
        return Checksum.finish(Checksum.add(Checksum.pseudo(src, dst, proto, l4Len), data, l4Off, l4Len));
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static int s32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static byte[] slice(byte[] b, int off, int len) {
        byte[] r = new byte[len];
        System.arraycopy(b, off, r, 0, len);
        return r;
    }

    // ---- building -------------------------------------------------------------------------------

    static int headerLen(boolean v6) {
        return v6 ? V6_HEADER : V4_HEADER;
    }

    /**
     * A new packet with its IP header written and l4Len bytes of zeroed transport area after it.
     * IPv4: DF set (RFC 791; nothing is fragmented on a TUN), TTL 64; IPv6: hop limit 64.
     */
    static byte[] allocate(boolean v6, byte[] src, byte[] dst, int proto, int l4Len, int ipId) {
        byte[] p = new byte[headerLen(v6) + l4Len];
        writeHeader(p, v6, src, dst, proto, l4Len, ipId);
        return p;
    }

    /** Writes the IP header of {@link #allocate} at the start of p (which may be longer than the packet). */
    static void writeHeader(byte[] p, boolean v6, byte[] src, byte[] dst, int proto, int l4Len, int ipId) {
        int hl = headerLen(v6);
        if (v6) {
            p[0] = 0x60;
            p[1] = p[2] = p[3] = 0;
            put16(p, 4, l4Len);
            p[6] = (byte) proto;
            p[7] = 64;
            System.arraycopy(src, 0, p, 8, 16);
            System.arraycopy(dst, 0, p, 24, 16);
        } else {
            p[0] = 0x45;
            p[1] = 0;
            put16(p, 2, hl + l4Len);
            put16(p, 4, ipId);
            put16(p, 6, 0x4000);
            p[8] = 64;
            p[9] = (byte) proto;
            put16(p, 10, 0);
            System.arraycopy(src, 0, p, 12, 4);
            System.arraycopy(dst, 0, p, 16, 4);
            put16(p, 10, Checksum.of(p, 0, hl));
        }
    }

    /** The pseudo-header sum of a packet whose IP header was written by {@link #writeHeader}. */
    static long pseudoSum(byte[] p, boolean v6, int proto, int l4Len) {
        return Checksum.pseudo(p, v6 ? 8 : 12, v6 ? 16 : 4, proto, l4Len);
    }

    /** Fills in the transport checksum at l4 offset csumOff; ICMPv4 has no pseudo-header (RFC 792). */
    static void sealL4(byte[] p, boolean v6, int proto, int csumOff) {
        int hl = headerLen(v6);
        int l4Len = p.length - hl;
        put16(p, hl + csumOff, 0);
        long sum = proto == ICMP ? 0 : pseudoSum(p, v6, proto, l4Len);
        int c = Checksum.finish(Checksum.add(sum, p, hl, l4Len));
        // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
        if (proto == UDP && c == 0) c = 0xffff;
        put16(p, hl + csumOff, c);
    }
}
