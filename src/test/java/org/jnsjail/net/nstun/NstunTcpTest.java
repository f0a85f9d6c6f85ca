package org.jnsjail.net.nstun;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Proto;
import org.jnsjail.model.UserNet.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TCP through the stack: handshakes, relaying, flow control, closing, resets, rules and proxies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NstunTcpTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final byte[] FAR4 = {(byte) 203, 0, 113, 7};
    static final byte[] FAR6 = Cidr.address("2001:db8::7", true);

    /** rule4: TCP to gw4 goes to host loopback, same port. */
    static final Rule GW_TO_LOOPBACK = FakeGuest.rule(Action.REDIRECT, Proto.TCP, "10.255.255.1", 0, null, 0);

    private static int port = 40000;

    static GuestTcp tcp(FakeGuest g, boolean v6, byte[] dst, int dport) {
        return new GuestTcp(g, v6, port++, dst, dport);
    }

    @Test
    void handshakeDataAndGuestCloseV4() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(c.connect(5000));
            assertEquals(Nstun.MTU - 40, c.peerMss, "the stack's MSS is MTU - 40");
            Socket s = srv.next(5000);
            assertNotNull(s);
            c.write("hello".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(5));
            s.getOutputStream().write("WORLD".getBytes(StandardCharsets.US_ASCII));
            assertEquals("WORLD", new String(c.read(5, 5000), StandardCharsets.US_ASCII));
            // Guest FIN: the host sees EOF (shutdownOutput), then the host closes and the guest gets FIN.
            c.fin();
            c.awaitAcked(5000);
            assertEquals(-1, s.getInputStream().read());
            s.close();
            c.readToEnd(5000);
            assertTrue(c.finReceived);
            c.ack();
            awaitNoFlows(g);
        }
    }

    /**
     * Issue 17 item 3: a guest's MSS option is clamped to Linux's minimum (TCP_MIN_SND_MSS, 48), so an
     * MSS of 1 cannot make the stack cut the host's bytes into one packet each.
     */
    @Test
    void tinyGuestMssIsClampedAsLinuxDoes() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            c.mssOffer = 1;
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            assertNotNull(s);
            byte[] data = new byte[1000];
            java.util.Arrays.fill(data, (byte) 'x');
            s.getOutputStream().write(data);
            int largest = 0, got = 0;
            while (got < data.length) {
                TcpSegment seg = c.next(5000);
                assertNotNull(seg, "data after " + got + " bytes");
                largest = Math.max(largest, seg.dataLen());
                got += seg.dataLen();
                if (c.absorb(seg)) c.ack();
            }
            assertEquals(TcpFlow.MIN_MSS, largest, "segments of 48 bytes, not 1");
            s.close();
        }
    }

    /**
     * Segments of two flows interleaved (the engine remembers the last segment's flow to skip the lookup):
     * each flow's bytes reach its own host socket, and each host socket's reach its own guest connection.
     */
    @Test
    void interleavedFlowsStaySeparate() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp a = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(a.connect(5000));
            Socket sa = srv.next(5000);
            assertNotNull(sa);
            GuestTcp b = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(b.connect(5000));
            Socket sb = srv.next(5000);
            assertNotNull(sb);
            for (int i = 0; i < 20; i++) {
                a.write(("a" + (char) ('A' + i)).getBytes(StandardCharsets.US_ASCII), 5000);
                b.write(("b" + (char) ('A' + i)).getBytes(StandardCharsets.US_ASCII), 5000);
            }
            StringBuilder wantA = new StringBuilder(), wantB = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                wantA.append('a').append((char) ('A' + i));
                wantB.append('b').append((char) ('A' + i));
            }
            assertEquals(wantA.toString(), new String(sa.getInputStream().readNBytes(40), StandardCharsets.US_ASCII));
            assertEquals(wantB.toString(), new String(sb.getInputStream().readNBytes(40), StandardCharsets.US_ASCII));
            sb.getOutputStream().write("to-b".getBytes(StandardCharsets.US_ASCII));
            sa.getOutputStream().write("to-a".getBytes(StandardCharsets.US_ASCII));
            assertEquals("to-b", new String(b.read(4, 5000), StandardCharsets.US_ASCII));
            assertEquals("to-a", new String(a.read(4, 5000), StandardCharsets.US_ASCII));
            // One flow gone (its reset ends it): the other, the last one used, still works.
            b.write("x".getBytes(StandardCharsets.US_ASCII), 5000);
            assertEquals('x', sb.getInputStream().read());
            a.rst();
            assertThrows(java.io.IOException.class, () -> sa.getInputStream().read(), "the reset flow's host socket is reset");
            byte[] late = "late".getBytes(StandardCharsets.US_ASCII);
            a.sendRaw(TcpSegment.ACK | TcpSegment.PSH, a.sndNxt, late, 0, late.length); // to a flow that is gone
            TcpSegment r = a.next(5000);
            assertNotNull(r);
            assertTrue(r.has(TcpSegment.RST), "a segment of a removed flow is answered with a reset");
            b.write("y".getBytes(StandardCharsets.US_ASCII), 5000);
            assertEquals('y', sb.getInputStream().read());
            sa.close();
            sb.close();
        }
    }

    /** The host closes first; the guest, in CLOSE_WAIT, keeps sending: exactly one FIN, and no reset. */
    @Test
    void hostHalfCloseThenGuestKeepsSending() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("bye", new String(c.readToEnd(5000), StandardCharsets.US_ASCII));
            assertTrue(c.finReceived);
            int finSeq = c.rcvNxt - 1;
            // Long enough for several retransmission timeouts (200 ms doubling) to have fired.
            long end = System.currentTimeMillis() + 2500;
            int sent = 0;
            while (System.currentTimeMillis() < end) {
                c.sendRaw(TcpSegment.ACK | TcpSegment.PSH, c.sndNxt, new byte[] {'x'}, 0, 1);
                c.sndNxt++;
                sent++;
                TcpSegment seg;
                while ((seg = c.next(250)) != null) {
                    assertFalse(seg.has(TcpSegment.RST), "reset while the guest still sends");
                    if (seg.has(TcpSegment.FIN)) assertEquals(finSeq, seg.seq(), "a FIN beyond the one acknowledged");
                }
            }
            assertEquals(sent, s.getInputStream().readNBytes(sent).length, "the host got every byte after its FIN");
            c.fin();
            assertEquals(-1, s.getInputStream().read());
            s.close();
        }
    }

    @Test
    void handshakeV6ViaRedirectToLoopback6() throws Exception {
        InetAddress lo6 = InetAddress.getByName("::1");
        HostServers.Acceptor srv;
        try {
            srv = new HostServers.Acceptor(lo6);
        } catch (java.io.IOException e) {
            assumeTrue(false, "this host has no ::1 (" + e.getMessage() + ")");
            return;
        }
        Rule r6 = FakeGuest.rule(Action.REDIRECT, Proto.TCP, null, 4242, "::1", srv.port());
        try (srv; var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of(r6)))) {
            GuestTcp c = tcp(g, true, FAR6, 4242);
            assertTrue(c.connect(5000));
            assertEquals(Nstun.MTU - 60, c.peerMss, "the stack's MSS is MTU - 60 for IPv6");
            Socket s = srv.next(5000);
            assertNotNull(s);
            s.getOutputStream().write("v6!".getBytes(StandardCharsets.US_ASCII));
            assertEquals("v6!", new String(c.read(3, 5000), StandardCharsets.US_ASCII));
            c.write("back".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("back".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(4));
            // Host closes first: FIN to the guest, then the guest's FIN completes the close.
            s.close();
            c.readToEnd(5000);
            c.fin();
            c.awaitAcked(5000);
            awaitNoFlows(g);
        }
    }

    @Test
    void gatewayIsRejectedUnlessExplicit() throws Exception {
        try (var srv = new HostServers.Acceptor(LO)) {
            // Default rules: the gateway is REJECTed (jnsjail's difference from nsjail).
            try (var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
                assertFalse(tcp(g, false, FakeGuest.GW4, srv.port()).connect(5000));
                assertFalse(tcp(g, true, FakeGuest.GW6, srv.port()).connect(5000));
            }
            // An ALLOW without dst_ip does not open the gateway either.
            try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.rule(Action.ALLOW, Proto.TCP, null, 0, null, 0)), List.of()))) {
                assertFalse(tcp(g, false, FakeGuest.GW4, srv.port()).connect(5000));
            }
            assertNull(srv.next(200), "nothing reached host loopback");
            // Nor does a catch-all whose dst_ip merely covers the gateway ("allow everything but X").
            try (var g = FakeGuest.start(FakeGuest.cfg(
                    List.of(FakeGuest.rule(Action.ALLOW, Proto.TCP, "0.0.0.0/0", 0, null, 0),
                            FakeGuest.rule(Action.ALLOW, Proto.TCP, "10.255.255.0/24", srv.port(), null, 0)), List.of()))) {
                assertFalse(tcp(g, false, FakeGuest.GW4, srv.port()).connect(5000));
            }
            assertNull(srv.next(200), "nothing reached host loopback");
            // An ALLOW whose dst_ip is the gateway itself does (bare or /32).
            for (String gw : List.of("10.255.255.1", "10.255.255.1/32")) {
                try (var g = FakeGuest.start(FakeGuest.cfg(
                        List.of(FakeGuest.rule(Action.ALLOW, Proto.TCP, gw, srv.port(), null, 0)), List.of()))) {
                    assertTrue(tcp(g, false, FakeGuest.GW4, srv.port()).connect(5000), gw);
                    assertNotNull(srv.next(5000));
                }
            }
        }
    }

    @Test
    void nonLoopbackHostAddress() throws Exception {
        InetAddress host = HostServers.hostIpv4();
        assumeTrue(host != null, "this host has no non-loopback IPv4 address (NetworkInterface lists none up)");
        try (var srv = new HostServers.Acceptor(host); var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
            GuestTcp c = tcp(g, false, host.getAddress(), srv.port());
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            assertNotNull(s);
            c.write("direct".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("direct".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(6));
        }
    }

    @Test
    void megabyteHostToGuestWithinSmallWindow() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            c.window = 8192; // every segment is checked against the window the guest advertised
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            Thread w = Thread.ofPlatform().start(() -> {
                try (OutputStream o = s.getOutputStream()) {
                    o.write(data);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = c.readToEnd(30000);
            w.join();
            assertEquals(data.length, got.length);
            assertArrayEquals(data, got);
        }
    }

    @Test
    void megabytesGuestToHostWithSlowHost() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(2).nextBytes(data);
        try (var srv = new HostServers.Acceptor(LO, 16384);
                var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            byte[][] got = new byte[1][];
            Thread r = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(1500); // the host does not read at first: kernel buffers, then the stack's, then the window fill
                    got[0] = s.getInputStream().readNBytes(data.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.write(data, 30000);
            r.join();
            assertTrue(c.sawZeroWindow, "back-pressure reached the guest as a zero window");
            assertArrayEquals(data, got[0]);
        }
    }

    @Test
    void zeroWindowIsProbedAndResumed() throws Exception {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            c.window = 4000;
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            s.getOutputStream().write(data);
            c.read(4000, 5000);
            c.window = 0;
            c.ack();
            // While the window is shut only probes (one byte beyond the window) may come.
            long end = System.currentTimeMillis() + 1500;
            while (System.currentTimeMillis() < end) {
                TcpSegment seg = c.next(200);
                if (seg != null && c.absorb(seg)) c.ack();
            }
            assertTrue(c.probes >= 1, "zero-window probes were sent");
            c.window = 65535;
            c.ack();
            byte[] got = c.read(data.length, 20000);
            assertArrayEquals(data, got);
        }
    }

    @Test
    void resetsForUnknownFlows() throws Exception {
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
            GuestTcp c = tcp(g, false, FAR4, 80);
            c.rcvNxt = 777;
            c.sendRaw(TcpSegment.ACK, 5000, "x".getBytes(StandardCharsets.US_ASCII), 0, 1);
            TcpSegment r = c.next(3000);
            assertNotNull(r);
            assertEquals(TcpSegment.RST, r.flags(), "RST with SEQ = SEG.ACK, no ACK");
            assertEquals(777, r.seq());
            c.sendRaw(TcpSegment.FIN, 9000, null, 0, 0);
            r = c.next(3000);
            assertNotNull(r);
            assertEquals(TcpSegment.RST | TcpSegment.ACK, r.flags());
            assertEquals(0, r.seq());
            assertEquals(9001, r.ack());
            c.sendRaw(TcpSegment.RST, 1, null, 0, 0);
            assertNull(c.next(300), "a RST is never answered");
        }
    }

    @Test
    void refusedConnectIsRst() throws Exception {
        int closed = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, closed);
            assertFalse(c.connect(5000));
            awaitNoFlows(g);
        }
    }

    @Test
    void dropRejectRedirectAndCidr() throws Exception {
        try (var srv = new HostServers.Acceptor(LO)) {
            List<Rule> rules = List.of(
                    FakeGuest.rule(Action.DROP, Proto.TCP, "198.51.100.0/24", 0, null, 0),
                    FakeGuest.rule(Action.REJECT, Proto.ANY, "203.0.113.0/25", 0, null, 0),
                    FakeGuest.rule(Action.REDIRECT, Proto.TCP, "203.0.113.128/25", 8080, "127.0.0.1", srv.port()));
            try (var g = FakeGuest.start(FakeGuest.cfg(rules, List.of()))) {
                GuestTcp dropped = tcp(g, false, new byte[] {(byte) 198, 51, 100, 9}, 80);
                dropped.sndNxt = dropped.iss + 1;
                g.send(dropped.segment(TcpSegment.SYN, dropped.iss, null, 0, 0, 1460));
                assertNull(dropped.next(500), "DROP answers nothing");
                assertFalse(tcp(g, false, new byte[] {(byte) 203, 0, 113, 5}, 80).connect(3000), "REJECT is a RST");
                assertTrue(tcp(g, false, new byte[] {(byte) 203, 0, 113, (byte) 200}, 8080).connect(3000), "REDIRECT");
                assertNotNull(srv.next(3000));
                // Outside the redirect's dport the default ALLOW tries 203.0.113.200:81 itself, which is not routed here.
            }
        }
    }

    @Test
    void duplicateSynMakesOneFlow() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            byte[] syn = c.segment(TcpSegment.SYN, c.iss, null, 0, 0, 1460);
            g.send(syn);
            g.send(syn);
            TcpSegment a = c.next(3000);
            assertNotNull(a);
            assertTrue(a.has(TcpSegment.SYN));
            g.send(syn);
            TcpSegment b = c.next(3000);
            assertNotNull(b, "a retransmitted SYN gets the SYN-ACK again");
            assertEquals(a.seq(), b.seq());
            assertNotNull(srv.next(3000));
            assertNull(srv.next(300), "one host connection only");
            assertEquals(1, g.stack.tcpFlowsForTest());
        }
    }

    @Test
    void guestResetAbortsHostAndHostResetReachesGuest() throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            c.rcvNxt = c.rcvNxt; // RST at rcv_nxt of the stack's view: our snd_nxt
            c.rst();
            InputStream in = s.getInputStream();
            s.setSoTimeout(5000);
            assertThrows(java.net.SocketException.class, in::read, "the host connection is reset (SO_LINGER 0)");
            awaitNoFlows(g);

            GuestTcp d = tcp(g, false, FakeGuest.GW4, srv.port());
            assertTrue(d.connect(5000));
            Socket t = srv.next(5000);
            t.setSoLinger(true, 0);
            t.close();
            long end = System.currentTimeMillis() + 5000;
            while (!d.reset && System.currentTimeMillis() < end) {
                TcpSegment seg = d.next(500);
                if (seg != null) d.absorb(seg);
            }
            assertTrue(d.reset, "a host reset is a RST to the guest");
        }
    }

    @Test
    void socks5Proxy() throws Exception {
        try (var srv = new HostServers.Acceptor(LO);
                var proxy = new HostServers.Proxy(false, new InetSocketAddress(LO, srv.port()));
                var g = FakeGuest.start(FakeGuest.cfg(
                        List.of(FakeGuest.rule(Action.ENCAP_SOCKS5, Proto.TCP, null, 0, "127.0.0.1", proxy.port())),
                        List.of(FakeGuest.rule(Action.ENCAP_SOCKS5, Proto.TCP, null, 0, "127.0.0.1", proxy.port()))))) {
            GuestTcp c = tcp(g, false, FAR4, 80);
            assertTrue(c.connect(5000));
            assertEquals("CONNECT 4 203.0.113.7 80", proxy.requests.poll(5, TimeUnit.SECONDS));
            Socket s = srv.next(5000);
            c.write("via socks".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("via socks".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(9));
            s.getOutputStream().write('!');
            assertEquals("!", new String(c.read(1, 5000), StandardCharsets.US_ASCII));

            GuestTcp c6 = tcp(g, true, FAR6, 443);
            assertTrue(c6.connect(5000));
            assertEquals("CONNECT 6 2001:db8:0:0:0:0:0:7 443", proxy.requests.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void httpConnectProxy() throws Exception {
        try (var srv = new HostServers.Acceptor(LO);
                var proxy = new HostServers.Proxy(true, new InetSocketAddress(LO, srv.port()));
                var g = FakeGuest.start(FakeGuest.cfg(
                        List.of(FakeGuest.rule(Action.ENCAP_CONNECT, Proto.TCP, null, 0, "127.0.0.1", proxy.port())),
                        List.of(FakeGuest.rule(Action.ENCAP_CONNECT, Proto.TCP, null, 0, "127.0.0.1", proxy.port()))))) {
            GuestTcp c = tcp(g, false, FAR4, 80);
            assertTrue(c.connect(5000));
            assertEquals("CONNECT 203.0.113.7:80 HTTP/1.1", proxy.requests.poll(5, TimeUnit.SECONDS));
            Socket s = srv.next(5000);
            s.getOutputStream().write("tunnel".getBytes(StandardCharsets.US_ASCII));
            assertEquals("tunnel", new String(c.read(6, 5000), StandardCharsets.US_ASCII));

            GuestTcp c6 = tcp(g, true, FAR6, 443);
            assertTrue(c6.connect(5000));
            assertEquals("CONNECT [2001:db8::7]:443 HTTP/1.1", proxy.requests.poll(5, TimeUnit.SECONDS));

            proxy.httpAnswer = "HTTP/1.1 403 Forbidden\r\n\r\n";
            assertFalse(tcp(g, false, FAR4, 81).connect(5000), "a refused CONNECT is a RST");
        }
    }

    static void awaitNoFlows(FakeGuest g) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (g.stack.tcpFlowsForTest() != 0 && System.currentTimeMillis() < end) Thread.sleep(20);
        assertEquals(0, g.stack.tcpFlowsForTest(), "the flow is gone");
    }
}
