package org.jnsjail.net.nstun;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Proto;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** start/close: nothing stays open, no thread survives, failures leave nothing behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    static int fds() {
        String[] l = new File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }

    /** The fd count once it stopped changing (TUN fds are closed asynchronously, see TunCloser). */
    static int settledFds() throws InterruptedException {
        int last = fds();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(40);
            int now = fds();
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    static long stackThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("nstun-") && t.isAlive()).count();
    }

    /** A busy session: a TCP connection, a UDP flow, an echo, HOST_TO_GUEST listeners; all closed at once. */
    private static void session(int h2gPort) throws Exception {
        try (var srv = new HostServers.Acceptor(LO); var echo = new HostServers.UdpEcho(LO)) {
            var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK,
                    FakeGuest.rule(Action.REDIRECT, Proto.UDP, "10.255.255.1", 0, null, echo.port()),
                    FakeGuest.hostToGuest(Proto.TCP, h2gPort, 80), FakeGuest.hostToGuest(Proto.UDP, h2gPort, 53)), List.of()));
            GuestTcp c = new GuestTcp(g, false, 33333, FakeGuest.GW4, srv.port());
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            byte[] d = "q".getBytes(StandardCharsets.US_ASCII);
            g.send(Udp.build(false, FakeGuest.IP4, FakeGuest.GW4, 999, 53, d, 0, d.length, 1));
            NstunUdpIcmpTest.awaitUdp(g, FakeGuest.GW4, 53, 999);
            try (Socket h = new Socket(LO, h2gPort)) {
                HostToGuestTest.awaitSyn(g, false, 80);
                assertTrue(h.isConnected());
            }
            g.stack.close();
            g.stack.close(); // idempotent
            g.close();
            s.setSoTimeout(5000);
            assertThrows(java.io.IOException.class, () -> {
                if (s.getInputStream().read() >= 0) throw new AssertionError("data after close");
                throw new java.io.IOException("EOF");
            }, "the host connection was closed with the stack");
            s.close();
        }
    }

    @Test
    void closeLeavesNoFdAndNoThread() throws Exception {
        int port = HostServers.freePort();
        session(port); // warms up the JDK's own lazily opened files
        Thread.sleep(200);
        int before = fds();
        session(port);
        assertEquals(0, stackThreads(), "close() joined the threads");
        // The test's own sockets may linger a moment in the JDK's closer; wait until the count settles.
        long end = System.currentTimeMillis() + 3000;
        while (fds() > before && System.currentTimeMillis() < end) Thread.sleep(50);
        // A leak is growth; the count may also drop, when a collection lets the JDK close what an
        // earlier test in this JVM left to its cleaners.
        assertTrue(fds() <= before, "every fd the stack and the test opened is closed: " + fds() + " > " + before);
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(port));
        }
    }

    @Test
    void busyPortFailsTheStartAndClosesEverything() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(0));
            int port = busy.getLocalPort();
            FakeGuest.start(FakeGuest.cfg(List.of(), List.of())).close(); // warm-up
            int before = settledFds(); // the warm-up's TUN fd is closed on TunCloser's thread
            int[] sp = Libc.socketpair(Fcntl.AF_UNIX, FakeGuest.SOCK_SEQPACKET | Fcntl.SOCK_CLOEXEC, 0);
            JailFailure e = assertThrows(JailFailure.class, () -> Nstun.start(FakeGuest.cfg(
                    List.of(FakeGuest.hostToGuest(Proto.UDP, HostServers.freePort(), 0), FakeGuest.hostToGuest(Proto.TCP, port, 0)),
                    List.of()), sp[1], "busy"));
            assertTrue(e.getMessage().startsWith("user_net: user_net.rule4[1]: cannot listen on TCP 0.0.0.0:" + port + ": "),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("\n"));
            Libc.close(sp[0]);
            assertEquals(before, settledFds(), "the TUN fd and the listener opened before the failure are closed");
            assertEquals(0, stackThreads());
        }
    }

    /** The supervisor-wide budget of flow sockets: refused beyond it, all of it back after close. */
    @Test
    void flowBudgetIsSharedAndReturned() throws Exception {
        int base = FlowBudget.used();
        try (var srv = new HostServers.Acceptor(LO); var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK),
                List.of()))) {
            FlowBudget.setLimit(base + 2);
            assertTrue(new GuestTcp(g, false, 34001, FakeGuest.GW4, srv.port()).connect(5000));
            assertTrue(new GuestTcp(g, false, 34002, FakeGuest.GW4, srv.port()).connect(5000));
            assertEquals(base + 2, FlowBudget.used());
            assertFalse(new GuestTcp(g, false, 34003, FakeGuest.GW4, srv.port()).connect(5000), "beyond the budget: RST");
            g.stack.close();
            assertEquals(base, FlowBudget.used(), "closing the stack returned its flows");
        } finally {
            FlowBudget.setLimit(-1);
        }
    }

    @Test
    void badConfigFailsTheStart() throws Exception {
        int[] sp = Libc.socketpair(Fcntl.AF_UNIX, FakeGuest.SOCK_SEQPACKET | Fcntl.SOCK_CLOEXEC, 0);
        int before = settledFds();
        JailFailure e = assertThrows(JailFailure.class, () -> Nstun.start(FakeGuest.cfg(
                List.of(FakeGuest.rule(Action.DROP, Proto.TCP, "300.1.1.1", 0, null, 0)), List.of()), sp[1], "bad"));
        assertEquals("user_net.rule4[0].dst_ip: '300.1.1.1' is not an IPv4 address or CIDR", e.getMessage());
        assertEquals(before - 1, fds(), "the TUN fd is closed");
        Libc.close(sp[0]);
    }

    @Test
    void guestGoneStopsReadingButCloseStillWorks() throws Exception {
        int[] sp = Libc.socketpair(Fcntl.AF_UNIX, FakeGuest.SOCK_SEQPACKET | Fcntl.SOCK_CLOEXEC, 0);
        Nstun n = Nstun.start(FakeGuest.cfg(List.of(), List.of()), sp[1], "gone");
        Libc.close(sp[0]); // the reader sees POLLHUP and ends
        Thread.sleep(200);
        n.close();
        assertEquals(0, stackThreads());
    }
}
