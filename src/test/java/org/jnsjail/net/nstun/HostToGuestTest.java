package org.jnsjail.net.nstun;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Proto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HOST_TO_GUEST REDIRECT: host listeners whose connections and datagrams reach the guest from the gateway. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostToGuestTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    static TcpSegment awaitSyn(FakeGuest g, boolean v6, int guestPort) throws Exception {
        IpPacket p = g.await(q -> q.proto() == IpPacket.TCP && q.v6() == v6
                && IpPacket.u16(q.data(), q.l4Off() + 2) == guestPort, 5000);
        assertNotNull(p, "the stack's SYN");
        assertArrayEquals(v6 ? FakeGuest.GW6 : FakeGuest.GW4, p.src(), "from the gateway, whatever the host peer");
        TcpSegment s = TcpSegment.parse(p);
        assertEquals(TcpSegment.SYN, s.flags());
        return s;
    }

    @Test
    void tcpConnectionReachesTheGuest() throws Exception {
        int port = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.hostToGuest(Proto.TCP, port, 8000)), List.of()))) {
            Socket host = new Socket(LO, port);
            TcpSegment syn = awaitSyn(g, false, 8000);
            GuestTcp c = new GuestTcp(g, false, 8000, FakeGuest.GW4, syn.sport());
            c.accept(syn);
            host.getOutputStream().write("GET /".getBytes(StandardCharsets.US_ASCII));
            assertEquals("GET /", new String(c.read(5, 5000), StandardCharsets.US_ASCII));
            c.write("200 OK".getBytes(StandardCharsets.US_ASCII), 5000);
            assertArrayEquals("200 OK".getBytes(StandardCharsets.US_ASCII), host.getInputStream().readNBytes(6));
            c.fin();
            c.awaitAcked(5000);
            assertEquals(-1, host.getInputStream().read(), "the guest's FIN is the host's EOF");
            host.close();
            c.readToEnd(5000);
            c.ack();
            NstunTcpTest.awaitNoFlows(g);
        }
    }

    @Test
    void guestRefusalClosesTheHostConnection() throws Exception {
        int port = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(), List.of(FakeGuest.hostToGuest(Proto.TCP, port, 0))))) {
            // rule6 on the wildcard address: dual-stack, so an IPv4 peer reaches the guest over IPv6.
            try (Socket host = new Socket(LO, port)) {
                TcpSegment syn = awaitSyn(g, true, port);
                GuestTcp c = new GuestTcp(g, true, port, FakeGuest.GW6, syn.sport());
                c.rcvNxt = syn.seq() + 1;
                c.sendRaw(TcpSegment.RST | TcpSegment.ACK, 0, null, 0, 0);
                host.setSoTimeout(5000);
                InputStream in = host.getInputStream();
                int r;
                try {
                    r = in.read();
                } catch (java.net.SocketException e) {
                    r = -1;
                }
                assertEquals(-1, r, "the host connection ends");
            }
            NstunTcpTest.awaitNoFlows(g);
        }
    }

    @Test
    void udpDatagramsBothWays() throws Exception {
        int port = HostServers.freePort();
        try (var g = FakeGuest.start(FakeGuest.cfg(List.of(FakeGuest.hostToGuest(Proto.UDP, port, 5300)), List.of()));
                DatagramSocket host = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            byte[] q = "question".getBytes(StandardCharsets.US_ASCII);
            host.send(new DatagramPacket(q, q.length, new InetSocketAddress(LO, port)));
            IpPacket p = g.await(x -> x.proto() == IpPacket.UDP, 5000);
            assertNotNull(p);
            assertArrayEquals(FakeGuest.GW4, p.src());
            assertArrayEquals(FakeGuest.IP4, p.dst());
            Udp u = Udp.parse(p);
            assertEquals(port, u.sport());
            assertEquals(5300, u.dport());
            assertArrayEquals(q, Arrays.copyOfRange(u.buf(), u.dataOff(), u.dataOff() + u.dataLen()));
            byte[] a = "answer".getBytes(StandardCharsets.US_ASCII);
            g.send(Udp.build(false, FakeGuest.IP4, FakeGuest.GW4, 5300, port, a, 0, a.length, g.ipId()));
            host.setSoTimeout(5000);
            DatagramPacket r = new DatagramPacket(new byte[100], 100);
            host.receive(r);
            assertEquals("answer", new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII));
            assertEquals(port, r.getPort());
            assertTrue(r.getAddress().isLoopbackAddress());
        }
    }
}
