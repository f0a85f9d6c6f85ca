package org.jnsjail.net.nstun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Proto;
import org.jnsjail.sys.Libc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 item 3: the supervisor-wide budget of user_net host sockets counts every one of them
 * (TCP, UDP, SOCKS5 relays, ICMP echo sockets, listeners) and is shared fairly: hostile jails that
 * open connections as fast as they can, beside a well-behaved one, cannot keep it from its share.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FairShareTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    @BeforeEach
    void quiet() {
        assertEquals(0, FlowBudget.used(), "no stack of another test is still counted");
    }

    @AfterEach
    void restore() {
        FlowBudget.setLimit(-1);
        Ping.opener = Ping.ICMP;
    }

    /** What became of one SYN. */
    enum Answer { ESTABLISHED, REFUSED, SILENCE }

    /** Sends c's SYN (again) and waits a little for the stack's answer; on SYN-ACK completes the handshake. */
    static Answer attempt(GuestTcp c, long waitMs) throws Exception {
        c.sndNxt = c.iss + 1;
        c.sndUna = c.iss;
        c.g.send(c.segment(TcpSegment.SYN, c.iss, null, 0, 0, c.mssOffer));
        TcpSegment s = c.next(waitMs);
        if (s == null) return Answer.SILENCE;
        if (s.has(TcpSegment.RST)) return Answer.REFUSED;
        c.rcvNxt = s.seq() + 1;
        c.sndUna = s.ack();
        c.peerWnd = s.window();
        c.peerMss = s.mss();
        c.ack();
        return Answer.ESTABLISHED;
    }

    @Test
    void hostileJailsCannotStarveAWellBehavedOne() throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger hostileRefused = new AtomicInteger(), hostileOpen = new AtomicInteger(), hostileTries = new AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var hostileSrv = new HostServers.Acceptor(LO); var goodSrv = new HostServers.Acceptor(LO);
                var good = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK), List.of()))) {
            // Each hostile jail (a guest is confined to its thread) opens connections as fast as the stack
            // answers, keeps them, and never stops.
            for (int h = 0; h < 3; h++) {
                int firstPort = 20000 + h * 10000;
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    try (var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK), List.of()))) {
                        started.countDown();
                        go.await();
                        for (int port = firstPort; !stop.get() && port < firstPort + 9000; port++) {
                            hostileTries.incrementAndGet();
                            switch (attempt(new GuestTcp(g, false, port, FakeGuest.GW4, hostileSrv.port()), 20)) {
                                case ESTABLISHED -> hostileOpen.incrementAndGet();
                                case REFUSED -> hostileRefused.incrementAndGet();
                                case SILENCE -> { }
                            }
                            if (port % 50 == 0) g.clearBacklog(); // the RSTs of connections taken back
                        }
                        // stays open (its flows held) until the test says stop
                        while (!stop.get()) Thread.sleep(10);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            assertTrue(started.await(30, TimeUnit.SECONDS));
            FlowBudget.setLimit(16); // 4 stacks: 4 sockets each
            assertEquals(4, FlowBudget.fairShare());
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (FlowBudget.used() < 16) {
                if (System.nanoTime() > deadline) fail("the hostile jails never filled the budget: " + FlowBudget.used());
                Thread.sleep(10);
            }
            // The well-behaved jail: four connections, its share, each SYN retransmitted as a real TCP would,
            // and each carrying data both ways while the hostile jails go on.
            int silences = 0;
            for (int i = 0; i < 4; i++) {
                GuestTcp c = new GuestTcp(good, false, 50000 + i, FakeGuest.GW4, goodSrv.port());
                Answer a;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((a = attempt(c, 300)) == Answer.SILENCE) {
                    silences++;
                    if (System.nanoTime() > end) fail("the well-behaved jail never got its connection " + i);
                }
                assertEquals(Answer.ESTABLISHED, a, "a jail within its share is never refused");
                try (Socket s = goodSrv.next(5000)) {
                    assertNotNull(s, "the host side of connection " + i);
                    byte[] hello = ("hello " + i).getBytes(StandardCharsets.US_ASCII);
                    c.write(hello, 10_000);
                    assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length));
                    s.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
                    assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), c.read(2, 10_000));
                }
            }
            assertTrue(FlowBudget.used() <= 16, "never over the budget: " + FlowBudget.used());
            // Not vacuous: the budget was full when the well-behaved jail came, and the hostile ones were refused.
            assertTrue(silences > 0, "the first SYN found no socket free (it was retransmitted)");
            assertTrue(hostileRefused.get() > 0, "the hostile jails were refused beyond their share");
            assertTrue(hostileOpen.get() > 0 && hostileTries.get() > 100, "the hostile jails connected and kept trying: "
                    + hostileOpen.get() + " connections of " + hostileTries.get() + " tries");
        } finally {
            stop.set(true);
            for (Thread t : threads) t.join(10_000);
        }
        assertEquals(List.of(), errors);
        assertEquals(0, FlowBudget.used(), "every stack gave all back at its end");
    }

    /** ICMP echo sockets are host sockets like any flow's: counted, refused beyond the share, returned at the end. */
    @Test
    void echoSocketsCountInTheBudget() throws Exception {
        // The kernel's ping sockets need net.ipv4.ping_group_range; any datagram socket shows the counting.
        Ping.opener = v6 -> (int) Libc.sys(41, v6 ? 10 : 2, 2 | 04000 | 02000000, 0, 0, 0, 0);
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of()))) {
            FlowBudget.setLimit(3);
            byte[] body = "ping".getBytes(StandardCharsets.US_ASCII);
            for (int id = 1; id <= 3; id++) {
                g.send(Icmp.echo(false, FakeGuest.IP4, NstunUdpIcmpTest.FAR4, Icmp.ECHO_REQUEST4, id, body, 0, body.length,
                        g.ipId()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (FlowBudget.used() < 3) {
                if (System.nanoTime() > deadline) fail("echo sockets not counted: " + FlowBudget.used());
                Thread.sleep(10);
            }
            g.clearBacklog();
            while (g.recv(100) != null) { /* drain */ }
            g.send(Icmp.echo(false, FakeGuest.IP4, NstunUdpIcmpTest.FAR4, Icmp.ECHO_REQUEST4, 4, body, 0, body.length, g.ipId()));
            IpPacket p = NstunUdpIcmpTest.awaitIcmp(g, false, 5000);
            assertNotNull(p, "the fourth echo socket is refused: host unreachable");
            assertEquals(3, Icmp.parse(p).type());
            assertEquals(3, FlowBudget.used());
        }
        assertEquals(0, FlowBudget.used());
    }

    /** A UDP flow through a SOCKS5 proxy holds two host sockets: the control connection and the datagram socket. */
    @Test
    void socks5UdpFlowsCountTwice() throws Exception {
        try (var echo = new HostServers.UdpEcho(LO);
                var proxy = new HostServers.Proxy(false, new InetSocketAddress(LO, echo.port()));
                var g = FakeGuest.start(FakeGuest.cfg(
                        List.of(FakeGuest.rule(Action.ENCAP_SOCKS5, Proto.UDP, null, 0, "127.0.0.1", proxy.port())), List.of()))) {
            g.send(NstunUdpIcmpTest.udp(g, false, FakeGuest.IP4, NstunUdpIcmpTest.FAR4, 5353, 53, "socks dns"));
            assertEquals("socks dns", NstunUdpIcmpTest.text(NstunUdpIcmpTest.awaitUdp(g, NstunUdpIcmpTest.FAR4, 53, 5353)));
            assertEquals(2, FlowBudget.used());
        }
        assertEquals(0, FlowBudget.used());
    }

    /** HOST_TO_GUEST listeners are counted too (configured by the user: never refused). */
    @Test
    void listenersAreCounted() throws Exception {
        int port = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.hostToGuest(Proto.TCP, port, 0)), List.of()))) {
            assertEquals(1, FlowBudget.used());
        }
        assertEquals(0, FlowBudget.used());
    }
}
