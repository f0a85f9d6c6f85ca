package org.jnsjail.unotify;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SockaddrDecoderTest {
    private static byte[] buf(int... bytes) {
        byte[] b = new byte[SockaddrDecoder.MAX_ADDRLEN];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return b;
    }

    private static byte[] in6(int port, int... addr16) {
        int[] b = new int[28];
        b[0] = 10;
        b[2] = port >> 8;
        b[3] = port & 0xff;
        for (int i = 0; i < 16; i++) b[8 + i] = addr16[i];
        return buf(b);
    }

    @Test
    void ipv4WithPortOnlyForStreamAndDatagramSockets() {
        byte[] b = buf(2, 0, 0x1f, 0x90, 127, 0, 0, 1);
        SockaddrDecoder.Address a = SockaddrDecoder.decode(b, 16, 16, true);
        assertEquals(NetType.IPV4, a.type());
        assertEquals("127.0.0.1", a.endpoint());
        assertEquals(8080, a.port());
        assertEquals(-1, SockaddrDecoder.decode(b, 16, 16, false).port());
        assertEquals("255.254.0.9", SockaddrDecoder.decode(buf(2, 0, 0, 0, 255, 254, 0, 9), 16, 16, true).endpoint());
    }

    @Test
    void ipv6() {
        SockaddrDecoder.Address a = SockaddrDecoder.decode(in6(443, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 28, 28, true);
        assertEquals(NetType.IPV6, a.type());
        assertEquals("::1", a.endpoint());
        assertEquals(443, a.port());
    }

    @Test
    void inetNtopFormsOfIpv6() {
        assertEquals("::", v6(0, 0, 0, 0, 0, 0, 0, 0));
        assertEquals("::1", v6(0, 0, 0, 0, 0, 0, 0, 1));
        assertEquals("2001:db8::1", v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
        assertEquals("fe80::", v6(0xfe80, 0, 0, 0, 0, 0, 0, 0));
        assertEquals("1:0:0:1::1", v6(1, 0, 0, 1, 0, 0, 0, 1));
        assertEquals("1::1:1:0:0:1", v6(1, 0, 0, 1, 1, 0, 0, 1));
        assertEquals("1:2:3:4:5:6:0:8", v6(1, 2, 3, 4, 5, 6, 0, 8));
        assertEquals("::ffff:192.168.1.2", v6(0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0102));
        assertEquals("::10.0.0.1", v6(0, 0, 0, 0, 0, 0, 0x0a00, 0x0001));
        assertEquals("::1:ffff:a00:1", v6(0, 0, 0, 0, 1, 0xffff, 0x0a00, 0x0001));
        assertEquals("fc00::2", v6(0xfc00, 0, 0, 0, 0, 0, 0, 2));
        assertEquals("abcd:ef01:2345:6789:abcd:ef01:2345:6789",
                v6(0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789));
    }

    private static String v6(int... words) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (words[i] >> 8);
            b[2 * i + 1] = (byte) words[i];
        }
        return InetText.ipv6(b, 0);
    }

    @Test
    void unixPathAbstractAndUnnamed() {
        byte[] b = buf(1, 0);
        byte[] p = "/run/x.sock".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(p, 0, b, 2, p.length);
        SockaddrDecoder.Address a = SockaddrDecoder.decode(b, 2 + p.length + 1, 2 + p.length + 1, true);
        assertEquals(NetType.UNIX, a.type());
        assertArrayEquals(p, a.unixPath());
        assertEquals(-1, a.port());

        byte[] abs = buf(1, 0, 0, 'a', 'b', 0, 'c');
        assertEquals("@ab\0c", SockaddrDecoder.decode(abs, 7, 7, true).endpoint());
        assertEquals("@ab", SockaddrDecoder.decode(abs, 5, 5, true).endpoint());

        assertEquals("anonymous unix socket", SockaddrDecoder.decode(buf(1, 0), 2, 2, true).endpoint());
    }

    @Test
    void unixPathIsCutAtSunPath() {
        byte[] b = buf(1, 0);
        for (int i = 2; i < b.length; i++) b[i] = 'x';
        SockaddrDecoder.Address a = SockaddrDecoder.decode(b, 110, 110, false);
        assertEquals(107, a.unixPath().length, "the last sun_path byte is taken as NUL");
    }

    @Test
    void netlinkAndNothingElse() {
        assertEquals("NETLINK", SockaddrDecoder.decode(buf(16, 0), 12, 12, true).endpoint());
        assertNull(SockaddrDecoder.decode(buf(17, 0), 20, 20, true), "AF_PACKET is not reported");
        assertNull(SockaddrDecoder.decode(buf(2, 0), 16, 1, true), "fewer than two bytes readable");
        assertNull(SockaddrDecoder.decode(buf(2, 0), 129, 128, true), "longer than sockaddr_storage");
        assertNull(SockaddrDecoder.decode(buf(2, 0), 0xffffffffL, 128, true));
    }
}
