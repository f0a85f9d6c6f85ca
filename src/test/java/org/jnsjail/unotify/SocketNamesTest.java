package org.jnsjail.unotify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketNamesTest {
    @Test
    void domains() {
        assertEquals("AF_UNIX", SocketNames.domain(1));
        assertEquals("AF_INET", SocketNames.domain(2));
        assertEquals("AF_INET6", SocketNames.domain(10));
        assertEquals("AF_NETLINK", SocketNames.domain(16));
        assertEquals("AF_PACKET", SocketNames.domain(17));
        assertEquals("AF_VSOCK", SocketNames.domain(40));
        assertEquals("44", SocketNames.domain(44));
        assertEquals("-1", SocketNames.domain(-1));
    }

    @Test
    void types() {
        assertEquals("SOCK_STREAM", SocketNames.type(1));
        assertEquals("SOCK_DGRAM|SOCK_CLOEXEC", SocketNames.type(2 | 02000000));
        assertEquals("SOCK_RAW|SOCK_CLOEXEC|SOCK_NONBLOCK", SocketNames.type(3 | 02000000 | 04000));
        assertEquals("SOCK_PACKET", SocketNames.type(10));
        assertEquals("15", SocketNames.type(15));
        assertEquals("SOCK_SEQPACKET", SocketNames.type(5 | 0x100));
    }

    @Test
    void protocols() {
        assertEquals("0", SocketNames.protocol(0));
        assertEquals("IPPROTO_TCP", SocketNames.protocol(6));
        assertEquals("IPPROTO_UDP", SocketNames.protocol(17));
        assertEquals("IPPROTO_ICMPV6", SocketNames.protocol(58));
        assertEquals("IPPROTO_RAW", SocketNames.protocol(255));
        assertEquals("IPPROTO_MPLS", SocketNames.protocol(137));
        assertEquals("9", SocketNames.protocol(9));
    }

    @Test
    void existingSockets() {
        assertEquals("SOCK_STREAM (IPPROTO_TCP)", SocketNames.existing(1, 6));
        assertEquals("SOCK_DGRAM (IPPROTO_UDP)", SocketNames.existing(2, 17));
        assertEquals("SOCK_DGRAM (IPPROTO_ICMP)", SocketNames.existing(2, 1));
        assertEquals("SOCK_STREAM", SocketNames.existing(1, 0));
        assertEquals("SOCK_RAW (proto_255)", SocketNames.existing(3, 255));
        assertEquals("SOCK_TYPE_6", SocketNames.existing(6, null));
        assertEquals("", SocketNames.existing(null, null));
        assertTrue(SocketNames.hasPorts("SOCK_STREAM (IPPROTO_TCP)"));
        assertTrue(SocketNames.hasPorts("SOCK_DGRAM"));
        assertFalse(SocketNames.hasPorts("SOCK_RAW (proto_255)"));
        assertFalse(SocketNames.hasPorts(""));
    }
}
