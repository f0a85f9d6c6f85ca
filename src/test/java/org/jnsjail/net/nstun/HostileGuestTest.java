package org.jnsjail.net.nstun;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Proto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A jail sending garbage: mutated, truncated and re-checksummed packets never stop the stack. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileGuestTest {

    @Test
    void mutatedPacketsLeaveTheStackWorking() throws Exception {
        Random r = new Random(11);
        try (var srv = new HostServers.Acceptor(InetAddress.getLoopbackAddress());
                var g = FakeGuest.start(FakeGuest.cfg(List.of(NstunTcpTest.GW_TO_LOOPBACK,
                        FakeGuest.rule(Action.REJECT, Proto.ANY, "203.0.113.0/24", 0, null, 0)), List.of()))) {
            byte[] data = new byte[64];
            byte[][] seeds = {
                TcpSegment.build(false, FakeGuest.IP4, FakeGuest.GW4, 1000, srv.port(), 5, 0, TcpSegment.SYN, 100, 1460, null, 0, 0, 1),
                TcpSegment.build(false, FakeGuest.IP4, new byte[] {(byte) 203, 0, 113, 1}, 1001, 80, 5, 9, TcpSegment.ACK, 100, -1, data,
                        0, 64, 2),
                TcpSegment.build(true, FakeGuest.IP6, FakeGuest.GW6, 1002, 22, 5, 0, TcpSegment.SYN, 100, 1460, null, 0, 0, 3),
                Udp.build(false, FakeGuest.IP4, new byte[] {(byte) 203, 0, 113, 1}, 53, 53, data, 0, 64, 4),
                Udp.build(true, FakeGuest.IP6, FakeGuest.GW6, 53, 53, data, 0, 64, 5),
                Icmp.echo(false, FakeGuest.IP4, FakeGuest.GW4, Icmp.ECHO_REQUEST4, 1, data, 0, 64, 6),
                Icmp.echo(true, FakeGuest.IP6, FakeGuest.GW6, Icmp.ECHO_REQUEST6, 1, data, 0, 64, 7),
            };
            for (int i = 0; i < 20000; i++) {
                byte[] p = seeds[r.nextInt(seeds.length)].clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) p[r.nextInt(p.length)] = (byte) r.nextInt(256);
                if (r.nextInt(4) == 0) p = Arrays.copyOf(p, r.nextInt(p.length + 1));
                if (p.length > 0 && r.nextBoolean()) fixChecksums(p);
                if (p.length > 0) g.send(p);
                if (i % 500 == 0) {
                    while (g.recv(0) != null) { /* drain the answers */ }
                }
            }
            while (g.recv(100) != null) { /* drain */ }
            g.clearBacklog();
            // Still alive: a fresh connection and an echo work.
            assertTrue(new GuestTcp(g, false, 45000, FakeGuest.GW4, srv.port()).connect(5000));
            byte[] body = {0, 9};
            g.send(Icmp.echo(false, FakeGuest.IP4, FakeGuest.GW4, Icmp.ECHO_REQUEST4, 77, body, 0, 2, 1));
            assertNotNull(g.await(q -> q.proto() == IpPacket.ICMP && IpPacket.u16(q.data(), q.l4Off() + 4) == 77, 5000));
        }
    }

    /** Makes the IPv4 header checksum right again (when the header is whole), so mutations reach the upper layers. */
    private static void fixChecksums(byte[] p) {
        if ((p[0] & 0xf0) != 0x40 || p.length < 20) return;
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > p.length) return;
        p[10] = p[11] = 0;
        IpPacket.put16(p, 10, Checksum.of(p, 0, ihl));
    }
}
