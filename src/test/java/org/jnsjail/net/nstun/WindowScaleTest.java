package org.jnsjail.net.nstun;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Proto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7323 window scaling: used only when the guest offers it, and then honoured both ways (the stack
 * never sends beyond the guest's scaled window, and its own windows go past 64 KiB); without the
 * option nothing is scaled. Also the TUN watcher thread, the fallback when the Selector cannot watch the TUN fd.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WindowScaleTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static int port = 41000;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * The host writes data on s and closes; the guest, after a pause that lets the stack fill the
     * window it offered, reads it all; returns what arrived.
     */
    /** The guest sends {@code up}; returns what the host socket received. */
    private static byte[] upload(Socket s, GuestTcp c, byte[] up) throws Exception {
        byte[][] got = new byte[1][];
        Thread r = Thread.ofPlatform().start(() -> {
            try {
                got[0] = s.getInputStream().readNBytes(up.length);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        c.write(up, 30000);
        r.join();
        return got[0];
    }

    private static byte[] download(Socket s, GuestTcp c, byte[] data) throws Exception {
        Thread w = Thread.ofPlatform().start(() -> {
            try (OutputStream o = s.getOutputStream()) {
                o.write(data);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        TcpSegment seg;
        while ((seg = c.next(100)) != null) c.absorb(seg); // the burst the stack sent before any ACK: maxAhead
        c.ack();
        byte[] got = c.readToEnd(30000);
        w.join();
        return got;
    }

    @Test
    void negotiatedWhenTheGuestOffersItAndHonouredBothWays() throws Exception {
        try (var srv = new HostServers.Acceptor(LO);
                var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = new GuestTcp(g, false, port++, FakeGuest.GW4, srv.port());
            c.wscale = 7;
            c.window = 150_000; // advertised as 1171 << 7: more than a 16-bit window can say
            c.mssOffer = 16384;
            assertTrue(c.connect(5000));
            assertEquals(TcpFlow.RCV_SCALE, c.peerOffer, "the SYN-ACK answers with the stack's shift");
            Socket s = srv.next(5000);
            assertNotNull(s);
            // Guest to host: the stack's window, scaled, opens past 64 KiB.
            c.write("ping".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(4));
            assertTrue(c.peerWnd > 65535, "the stack's scaled window: " + c.peerWnd);
            byte[] up = random(600_000, 11);
            assertArrayEquals(up, upload(s, c, up));
            // Host to guest: every segment is checked against the scaled window (GuestTcp.absorb).
            byte[] down = random(1 << 20, 12);
            assertArrayEquals(down, download(s, c, down));
            assertTrue(c.maxAhead > 65535, "more than 64 KiB was in flight: " + c.maxAhead);
            assertTrue(c.maxAhead <= c.advertised(), "within the scaled window: " + c.maxAhead);
        }
    }

    @Test
    void noScalingWithoutTheOption() throws Exception {
        try (var srv = new HostServers.Acceptor(LO);
                var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK), List.of()))) {
            GuestTcp c = new GuestTcp(g, false, port++, FakeGuest.GW4, srv.port());
            c.mssOffer = 16384;
            assertTrue(c.connect(5000));
            assertEquals(-1, c.peerOffer, "no window-scale option in the SYN-ACK");
            Socket s = srv.next(5000);
            byte[] up = random(200_000, 13);
            assertArrayEquals(up, upload(s, c, up));
            assertTrue(c.peerWnd <= 65535, "the stack's window is not scaled: " + c.peerWnd);
            byte[] down = random(400_000, 14);
            assertArrayEquals(down, download(s, c, down));
            assertTrue(c.maxAhead <= 65535, "at most 64 KiB in flight: " + c.maxAhead);
        }
    }

    @Test
    void hostToGuestOffersAndFollowsTheGuestsAnswer() throws Exception {
        for (int ws : new int[] {-1, 5}) {
            int hostPort = HostServers.freePort();
            try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.hostToGuest(Proto.TCP, hostPort, 8000)), List.of()));
                    Socket host = new Socket(LO, hostPort)) {
                TcpSegment syn = HostToGuestTest.awaitSyn(g, false, 8000);
                assertEquals(TcpFlow.RCV_SCALE, syn.wscale(), "the stack's SYN offers window scaling");
                GuestTcp c = new GuestTcp(g, false, 8000, FakeGuest.GW4, syn.sport());
                c.wscale = ws;
                c.window = ws < 0 ? 20_000 : 100_000;
                c.mssOffer = 8192;
                c.accept(syn);
                // The SYN-ACK's window is never scaled (RFC 7323 §2.2): a window update tells the scaled one.
                assertNotNull(c.next(5000), "the stack's ACK of the SYN-ACK");
                c.ack();
                byte[] down = random(300_000, 15 + ws);
                assertArrayEquals(down, download(host, c, down));
                if (ws < 0) assertTrue(c.maxAhead <= 20_000, "unscaled: within 20000, was " + c.maxAhead);
                else assertTrue(c.maxAhead > 65535, "scaled: more than 64 KiB in flight, was " + c.maxAhead);
            }
        }
    }

    @Test
    void watcherThreadFallback() throws Exception {
        Engine.forceWatcher = true;
        try (var srv = new HostServers.Acceptor(LO);
                var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK), List.of()))) {
            Engine.forceWatcher = false;
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("nstun-tun-test")),
                    "the watcher thread runs");
            GuestTcp c = new GuestTcp(g, false, port++, FakeGuest.GW4, srv.port());
            c.wscale = 7;
            c.window = 200_000;
            assertTrue(c.connect(5000));
            Socket s = srv.next(5000);
            c.write("hello".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(5));
            byte[] down = random(500_000, 16);
            assertArrayEquals(down, download(s, c, down));
            c.fin();
            c.awaitAcked(5000);
            c.ack();
            NstunTcpTest.awaitNoFlows(g);
        } finally {
            Engine.forceWatcher = false;
        }
    }
}
