package org.jnsjail.net.nstun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Proto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** UDP relaying, ICMP echo and errors, and the ingress filter. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NstunUdpIcmpTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final byte[] FAR4 = {(byte) 203, 0, 113, 7};

    static byte[] udp(FakeGuest g, boolean v6, byte[] src, byte[] dst, int sport, int dport, String text) {
        byte[] d = text.getBytes(StandardCharsets.US_ASCII);
        return Udp.build(v6, src, dst, sport, dport, d, 0, d.length, g.ipId());
    }

    static Udp awaitUdp(FakeGuest g, byte[] from, int sport, int dport) throws Exception {
        IpPacket p = g.await(q -> q.proto() == IpPacket.UDP && Arrays.equals(q.src(), from)
                && IpPacket.u16(q.data(), q.l4Off()) == sport && IpPacket.u16(q.data(), q.l4Off() + 2) == dport, 5000);
        assertNotNull(p, "no UDP reply");
        return Udp.parse(p);
    }

    static String text(Udp u) {
        return new String(u.buf(), u.dataOff(), u.dataLen(), StandardCharsets.US_ASCII);
    }

    static IpPacket awaitIcmp(FakeGuest g, boolean v6, long ms) throws Exception {
        return g.await(q -> q.proto() == (v6 ? IpPacket.ICMPV6 : IpPacket.ICMP), ms);
    }

    @Test
    void udpEchoThroughGatewayRedirectAndDirect() throws Exception {
        try (var echo = new HostServers.UdpEcho(LO); var g = FakeGuest.start(FakeGuest.cfg(
                List.of(FakeGuest.rule(Action.REDIRECT, Proto.UDP, "10.255.255.1", 53, "127.0.0.1", echo.port())), List.of()))) {
            g.send(udp(g, false, FakeGuest.IP4, FakeGuest.GW4, 5353, 53, "query"));
            Udp r = awaitUdp(g, FakeGuest.GW4, 53, 5353);
            assertEquals("query", text(r), "the reply comes from the original destination");
            g.send(udp(g, false, FakeGuest.IP4, FakeGuest.GW4, 5353, 53, "again"));
            assertEquals("again", text(awaitUdp(g, FakeGuest.GW4, 53, 5353)));
        }
        InetAddress host = HostServers.hostIpv4();
        assumeTrue(host != null, "this host has no non-loopback IPv4 address (NetworkInterface lists none up)");
        try (var echo = new HostServers.UdpEcho(host); var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
            g.send(udp(g, false, FakeGuest.IP4, host.getAddress(), 6000, echo.port(), "direct"));
            assertEquals("direct", text(awaitUdp(g, host.getAddress(), echo.port(), 6000)));
        }
    }

    @Test
    void udpRejectAndGatewayAndClosedPortGiveIcmpUnreachable() throws Exception {
        int closed = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(
                FakeGuest.rule(Action.REJECT, Proto.UDP, "203.0.113.0/24", 0, null, 0),
                FakeGuest.rule(Action.REDIRECT, Proto.UDP, "198.51.100.1", 0, "127.0.0.1", closed)), List.of()))) {
            for (byte[] dst : new byte[][] {FAR4, FakeGuest.GW4}) {
                byte[] sent = udp(g, false, FakeGuest.IP4, dst, 7000, 9999, "nope");
                g.send(sent);
                IpPacket p = awaitIcmp(g, false, 5000);
                assertNotNull(p, "ICMP port unreachable");
                Icmp.Message m = Icmp.parse(p);
                assertEquals(3, m.type());
                assertEquals(3, m.code());
                assertArrayEquals(dst, p.src());
                // The quote: the offending IP header and the first 8 bytes of its payload (RFC 792).
                assertArrayEquals(Arrays.copyOf(sent, 28), Arrays.copyOfRange(p.data(), p.l4Off() + 8, p.l4Off() + 36));
            }
            // A host port with no listener: the host's ICMP error (ECONNREFUSED) becomes one for the guest.
            g.send(udp(g, false, FakeGuest.IP4, new byte[] {(byte) 198, 51, 100, 1}, 7001, 53, "one"));
            Thread.sleep(200);
            g.send(udp(g, false, FakeGuest.IP4, new byte[] {(byte) 198, 51, 100, 1}, 7001, 53, "two"));
            IpPacket p = awaitIcmp(g, false, 5000);
            assertNotNull(p, "port unreachable from the host's ECONNREFUSED");
            assertEquals(3, Icmp.parse(p).code());
        }
    }

    @Test
    void udpV6AndIcmpv6Unreachable() throws Exception {
        InetAddress lo6;
        try (var probe = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            lo6 = probe.getLocalAddress();
        } catch (java.io.IOException e) {
            assumeTrue(false, "this host has no ::1 (" + e.getMessage() + ")");
            return;
        }
        try (var echo = new HostServers.UdpEcho(lo6); var g = FakeGuest.start(FakeGuest.cfg(List.of(),
                List.of(FakeGuest.rule(Action.REDIRECT, Proto.UDP, "fc00::1", 53, null, echo.port()))))) {
            g.send(udp(g, true, FakeGuest.IP6, FakeGuest.GW6, 5353, 53, "v6 query"));
            assertEquals("v6 query", text(awaitUdp(g, FakeGuest.GW6, 53, 5353)));
            g.send(udp(g, true, FakeGuest.IP6, FakeGuest.GW6, 5353, 54, "default gw"));
            IpPacket p = awaitIcmp(g, true, 5000);
            assertNotNull(p);
            Icmp.Message m = Icmp.parse(p);
            assertEquals(1, m.type());
            assertEquals(4, m.code(), "ICMPv6 port unreachable");
        }
    }

    @Test
    void udpThroughSocks5() throws Exception {
        try (var echo = new HostServers.UdpEcho(LO);
                var proxy = new HostServers.Proxy(false, new InetSocketAddress(LO, echo.port()));
                var g = FakeGuest.start(FakeGuest.cfg(
                        List.of(FakeGuest.rule(Action.ENCAP_SOCKS5, Proto.UDP, null, 0, "127.0.0.1", proxy.port())), List.of()))) {
            g.send(udp(g, false, FakeGuest.IP4, FAR4, 5353, 53, "socks dns"));
            assertEquals("socks dns", text(awaitUdp(g, FAR4, 53, 5353)));
            assertEquals("UDP 4 0.0.0.0 0", proxy.requests.poll(5, TimeUnit.SECONDS));
            assertEquals("DATAGRAM 203.0.113.7 53", proxy.requests.poll(5, TimeUnit.SECONDS));
        }
    }

    /** Datagrams queued while a SOCKS5 proxy has not answered are bounded (16 KiB a flow), not kept without limit. */
    @Test
    void socks5PendingDatagramsAreBounded() throws Exception {
        try (java.net.ServerSocket slowProxy = new java.net.ServerSocket(0, 5, LO);
                java.net.DatagramSocket relay = new java.net.DatagramSocket(0, LO);
                var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.rule(Action.ENCAP_SOCKS5, Proto.UDP, null, 0,
                        "127.0.0.1", slowProxy.getLocalPort())), List.of()))) {
            String big = "x".repeat(1000);
            g.send(udp(g, false, FakeGuest.IP4, FAR4, 5353, 53, big));
            try (java.net.Socket ctl = slowProxy.accept()) {
                var in = ctl.getInputStream();
                var out = ctl.getOutputStream();
                in.readNBytes(3); // VER 5, one method, no auth
                // The guest goes on sending while the proxy keeps it waiting.
                for (int i = 0; i < 99; i++) g.send(udp(g, false, FakeGuest.IP4, FAR4, 5353, 53, big));
                Thread.sleep(300);
                out.write(new byte[] {5, 0});
                in.readNBytes(10); // VER CMD=UDP ASSOCIATE RSV ATYP=1 0.0.0.0:0
                byte[] reply = {5, 0, 0, 1, 127, 0, 0, 1, (byte) (relay.getLocalPort() >> 8), (byte) relay.getLocalPort()};
                out.write(reply);
                relay.setSoTimeout(1000);
                int got = 0;
                try {
                    for (;;) {
                        relay.receive(new java.net.DatagramPacket(new byte[2048], 2048));
                        got++;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // all that was queued has arrived
                }
                assertTrue(got >= 1 && got <= 16, "datagrams relayed after the handshake: " + got);
            }
        }
    }

    @Test
    void echoToGatewayIsAnsweredLocally() throws Exception {
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
            for (boolean v6 : new boolean[] {false, true}) {
                byte[] body = {0, 7, 'p', 'i', 'n', 'g'}; // seq 7, data
                g.send(Icmp.echo(v6, v6 ? FakeGuest.IP6 : FakeGuest.IP4, v6 ? FakeGuest.GW6 : FakeGuest.GW4,
                        v6 ? Icmp.ECHO_REQUEST6 : Icmp.ECHO_REQUEST4, 0x1234, body, 0, body.length, g.ipId()));
                IpPacket p = awaitIcmp(g, v6, 5000);
                assertNotNull(p, "echo reply v6=" + v6);
                Icmp.Message m = Icmp.parse(p); // checks the checksum
                assertEquals(v6 ? 129 : 0, m.type());
                assertEquals(0x1234, IpPacket.u16(p.data(), p.l4Off() + 4), "the guest's id");
                assertEquals(7, IpPacket.u16(p.data(), p.l4Off() + 6));
                assertEquals("ping", new String(p.data(), p.l4Off() + 8, 4, StandardCharsets.US_ASCII));
                assertArrayEquals(v6 ? FakeGuest.GW6 : FakeGuest.GW4, p.src());
            }
        }
    }

    @Test
    void echoToOtherHostsIsRelayedOrUnreachable() throws Exception {
        // Through a ping socket when net.ipv4.ping_group_range allows it; otherwise host unreachable.
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.rule(Action.REDIRECT, Proto.ICMP, null, 0, "127.0.0.1", 0)),
                List.of()))) {
            byte[] body = {0, 1, 'x'};
            g.send(Icmp.echo(false, FakeGuest.IP4, FAR4, Icmp.ECHO_REQUEST4, 0x4321, body, 0, body.length, g.ipId()));
            IpPacket p = awaitIcmp(g, false, 5000);
            assertNotNull(p);
            Icmp.Message m = Icmp.parse(p);
            assertArrayEquals(FAR4, p.src());
            if (pingSocketsAllowed()) {
                assertEquals(0, m.type(), "echo reply through a ping socket");
                assertEquals(0x4321, IpPacket.u16(p.data(), p.l4Off() + 4), "the reply carries the guest's id");
                assertEquals('x', p.data()[p.l4Off() + 8]);
            } else {
                assertEquals(3, m.type());
                assertEquals(1, m.code(), "host unreachable");
            }
        }
    }

    /** Whether this process may open socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) (net.ipv4.ping_group_range). */
    static boolean pingSocketsAllowed() {
        int fd = (int) org.jnsjail.sys.Libc.sys(41, 2, 2, 1, 0, 0, 0);
        if (fd < 0) return false;
        org.jnsjail.sys.Libc.close(fd);
        return true;
    }

    @Test
    void icmpRulesApplyToTheGatewayToo() throws Exception {
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.rule(Action.DROP, Proto.ICMP, null, 0, null, 0)), List.of()))) {
            byte[] body = {0, 1};
            g.send(Icmp.echo(false, FakeGuest.IP4, FakeGuest.GW4, Icmp.ECHO_REQUEST4, 1, body, 0, body.length, g.ipId()));
            assertNull(awaitIcmp(g, false, 500));
        }
    }

    @Test
    void ingressFilterDropsSpoofedLoopbackAndBroken() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(
                List.of(NstunTcpTest.GW_TO_LOOPBACK, FakeGuest.rule(Action.ALLOW, Proto.ANY, "127.0.0.0/8", 0, null, 0)), List.of()))) {
            byte[] other = {10, (byte) 255, (byte) 255, 3};
            byte[] lo = {127, 0, 0, 1};
            g.send(TcpSegment.build(false, other, FakeGuest.GW4, 1234, srv.port(), 1, 0, TcpSegment.SYN, 1000, 1460, null, 0, 0, 1));
            g.send(TcpSegment.build(false, FakeGuest.IP4, lo, 1234, srv.port(), 1, 0, TcpSegment.SYN, 1000, 1460, null, 0, 0, 2));
            g.send(TcpSegment.build(true, FakeGuest.IP6, Cidr.address("::1", true), 1234, srv.port(), 1, 0, TcpSegment.SYN, 1000,
                    1460, null, 0, 0, 3));
            g.send(TcpSegment.build(true, FakeGuest.IP6, Cidr.address("::ffff:127.0.0.1", true), 1234, srv.port(), 1, 0,
                    TcpSegment.SYN, 1000, 1460, null, 0, 0, 3));
            g.send(udp(g, false, FakeGuest.IP4, new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255}, 68, 67, "dhcp"));
            g.send(udp(g, false, FakeGuest.IP4, new byte[] {(byte) 224, 0, 0, (byte) 251}, 5353, 5353, "mdns"));
            byte[] bad = TcpSegment.build(false, FakeGuest.IP4, FakeGuest.GW4, 1235, srv.port(), 1, 0, TcpSegment.SYN, 1000, 1460,
                    null, 0, 0, 4);
            bad[bad.length - 1] ^= 1; // inside the MSS option: the TCP checksum no longer matches
            g.send(bad);
            byte[] frag = TcpSegment.build(false, FakeGuest.IP4, FakeGuest.GW4, 1236, srv.port(), 1, 0, TcpSegment.SYN, 1000, 1460,
                    null, 0, 0, 5);
            frag[6] |= 0x20; // MF
            frag[10] = frag[11] = 0;
            IpPacket.put16(frag, 10, Checksum.of(frag, 0, 20));
            g.send(frag);
            g.send(new byte[] {0x45, 0, 0}); // truncated
            assertNull(g.recv(700), "every one of them is dropped without an answer");
            assertNull(srv.next(100));
            // ... and the stack still works.
            assertTrue(new GuestTcp(g, false, 1237, FakeGuest.GW4, srv.port()).connect(5000));
        }
    }
}
