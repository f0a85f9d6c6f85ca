package org.jnsjail.net.nstun;

import java.util.List;

import org.jnsjail.model.UserNet;
import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Direction;
import org.jnsjail.model.UserNet.Proto;
import org.jnsjail.model.UserNet.Rule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nstun.check's messages, CIDR matching and the rules' verdicts (first match, gateway policy, proxies). */
class ConfigTest {
    static final byte[] IP4 = FakeGuest.IP4, GW4 = FakeGuest.GW4;

    static String error(List<Rule> r4, List<Rule> r6) {
        return assertThrows(IllegalArgumentException.class, () -> Nstun.check(FakeGuest.cfg(r4, r6))).getMessage();
    }

    static Rule r(Direction d, Action a, Proto p, String src, int sport, int sportEnd, String dst, int dport, int dportEnd,
            String rip, int rport) {
        return new Rule(d, a, p, src, sport, sportEnd, dst, dport, dportEnd, rip, rport);
    }

    static final Direction G = Direction.GUEST_TO_HOST, H = Direction.HOST_TO_GUEST;

    @Test
    void defaultsAndReferenceShapesAreAccepted() {
        Nstun.check(UserNet.DEFAULT);
        Nstun.check(FakeGuest.cfg(
                List.of(r(G, Action.REDIRECT, Proto.ICMP, null, 0, 0, null, 0, 0, "127.0.0.2", 0),
                        r(G, Action.ENCAP_CONNECT, Proto.TCP, null, 0, 0, null, 0, 0, "127.0.0.1", 3128),
                        r(H, Action.REDIRECT, Proto.UDP, null, 0, 0, null, 53535, 53535, null, 53535)),
                List.of(r(G, Action.ENCAP_SOCKS5, Proto.UDP, null, 0, 0, null, 0, 0, "127.0.0.1", 1080),
                        r(G, Action.REDIRECT, Proto.TCP, null, 0, 0, null, 53, 53, "2606:4700:4700::1111", 53))));
    }

    @Test
    void messagesNameTheField() {
        UserNet d = UserNet.DEFAULT;
        assertEquals("user_net.ip4: '10.255.255' is not an IPv4 address", assertThrows(IllegalArgumentException.class,
                () -> Nstun.check(new UserNet(d.backend(), "10.255.255", d.gw4(), d.ip6(), d.gw6(), "eth0", List.of(), List.of(), null)))
                .getMessage());
        assertEquals("user_net.gw6: 'fc00::1::' is not an IPv6 address", assertThrows(IllegalArgumentException.class,
                () -> Nstun.check(new UserNet(d.backend(), d.ip4(), d.gw4(), d.ip6(), "fc00::1::", "eth0", List.of(), List.of(), null)))
                .getMessage());
        Rule ok = r(G, Action.ALLOW, Proto.ANY, null, 0, 0, null, 0, 0, null, 0);
        assertEquals("user_net.rule4[2].dst_ip: 'x' is not an IPv4 address or CIDR",
                error(List.of(ok, ok, r(G, Action.DROP, Proto.TCP, null, 0, 0, "x", 0, 0, null, 0)), List.of()));
        assertEquals("user_net.rule6[0].src_ip: '10.0.0.0/8' is not an IPv6 address or CIDR",
                error(List.of(), List.of(r(G, Action.DROP, Proto.TCP, "10.0.0.0/8", 0, 0, null, 0, 0, null, 0))));
        assertEquals("user_net.rule4[0].dst_ip: '10.0.0.0/33' is not an IPv4 address or CIDR",
                error(List.of(r(G, Action.DROP, Proto.TCP, null, 0, 0, "10.0.0.0/33", 0, 0, null, 0)), List.of()));
        assertEquals("user_net.rule4[0].dport_end: 10 is below dport 20",
                error(List.of(r(G, Action.DROP, Proto.TCP, null, 0, 0, null, 20, 10, null, 0)), List.of()));
        assertEquals("user_net.rule4[0].redirect_port: 70000 is not a port (0-65535)",
                error(List.of(r(G, Action.REDIRECT, Proto.TCP, null, 0, 0, null, 0, 0, null, 70000)), List.of()));
        assertEquals("user_net.rule4[0]: ENCAP_SOCKS5 cannot carry ICMP (a proxy carries TCP and UDP only)",
                error(List.of(r(G, Action.ENCAP_SOCKS5, Proto.ICMP, null, 0, 0, null, 0, 0, "127.0.0.1", 1080)), List.of()));
        assertEquals("user_net.rule6[0].redirect_ip: '::1' is not an IPv4 address",
                error(List.of(), List.of(r(G, Action.ENCAP_CONNECT, Proto.TCP, null, 0, 0, null, 0, 0, "::1", 3128))));
        assertEquals("user_net.rule4[0].redirect_ip: ENCAP_CONNECT needs the proxy's IPv4 address",
                error(List.of(r(G, Action.ENCAP_CONNECT, Proto.TCP, null, 0, 0, null, 0, 0, null, 3128)), List.of()));
        assertEquals("user_net.rule4[0].redirect_port: ENCAP_SOCKS5 needs the proxy's port",
                error(List.of(r(G, Action.ENCAP_SOCKS5, Proto.TCP, null, 0, 0, null, 0, 0, "127.0.0.1", 0)), List.of()));
        assertEquals("user_net.rule6[0].redirect_ip: '1.1.1.1' is not an IPv6 address",
                error(List.of(), List.of(r(G, Action.REDIRECT, Proto.TCP, null, 0, 0, null, 0, 0, "1.1.1.1", 0))));
        assertEquals("user_net.rule4[0]: redirect_ip/redirect_port are only used by REDIRECT and ENCAP_*, not DROP",
                error(List.of(r(G, Action.DROP, Proto.TCP, null, 0, 0, null, 0, 0, "1.1.1.1", 0)), List.of()));
    }

    @Test
    void hostToGuestIsRedirectOfTcpOrUdpOnAPort() {
        assertEquals("user_net.rule4[0]: HOST_TO_GUEST supports only action REDIRECT, not ALLOW",
                error(List.of(r(H, Action.ALLOW, Proto.TCP, null, 0, 0, null, 80, 80, null, 0)), List.of()));
        assertEquals("user_net.rule4[0].proto: HOST_TO_GUEST REDIRECT needs TCP or UDP, not ANY",
                error(List.of(r(H, Action.REDIRECT, Proto.ANY, null, 0, 0, null, 80, 80, null, 0)), List.of()));
        assertEquals("user_net.rule6[0].dport: HOST_TO_GUEST REDIRECT needs the host port to listen on",
                error(List.of(), List.of(r(H, Action.REDIRECT, Proto.TCP, null, 0, 0, null, 0, 0, null, 80))));
        assertEquals("user_net.rule4[0].src_ip: HOST_TO_GUEST listens on an address, not a prefix: '127.0.0.0/8'",
                error(List.of(r(H, Action.REDIRECT, Proto.TCP, "127.0.0.0/8", 0, 0, null, 80, 80, null, 0)), List.of()));
        assertTrue(error(List.of(r(H, Action.REDIRECT, Proto.TCP, null, 0, 0, null, 1, 2000, null, 0)), List.of())
                .contains("at most 1024"));
    }

    @Test
    void cidrMatching() {
        Cidr ten = Cidr.parse("10.0.0.0/8", false);
        assertTrue(ten.contains(new byte[] {10, (byte) 255, 0, 1}));
        assertFalse(ten.contains(new byte[] {11, 0, 0, 0}));
        assertFalse(ten.contains(new byte[16]), "another family never matches");
        Cidr odd = Cidr.parse("192.168.1.128/25", false);
        assertTrue(odd.contains(new byte[] {(byte) 192, (byte) 168, 1, (byte) 200}));
        assertFalse(odd.contains(new byte[] {(byte) 192, (byte) 168, 1, 127}));
        assertTrue(Cidr.parse("0.0.0.0/0", false).contains(new byte[] {1, 2, 3, 4}));
        Cidr ula = Cidr.parse("fc00::/7", true);
        assertTrue(ula.contains(Cidr.address("fdff::1", true)));
        assertFalse(ula.contains(Cidr.address("fe00::1", true)));
        assertTrue(Cidr.parse("1.2.3.4", false).contains(new byte[] {1, 2, 3, 4}));
        assertFalse(Cidr.parse("1.2.3.4", false).contains(new byte[] {1, 2, 3, 5}));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1},
                Cidr.address("::ffff:127.0.0.1", true), "v4-mapped stays 16 bytes");
        for (String bad : new String[] {"01.2.3.4", "1.2.3", "1.2.3.4/", "1.2.3.4/x", "example.com", "256.0.0.1"}) {
            assertEquals(null, Cidr.parse(bad, false), bad);
        }
        assertEquals(null, Cidr.parse("fe80::1%eth0", true), "no scope ids");
    }

    @Test
    void firstMatchWinsAndPortsAndProtos() {
        StackConfig c = StackConfig.parse(FakeGuest.cfg(List.of(
                r(G, Action.DROP, Proto.UDP, null, 0, 0, null, 53, 53, null, 0),
                r(G, Action.REJECT, Proto.ANY, null, 1000, 1999, "203.0.113.0/24", 0, 0, null, 0),
                r(G, Action.REDIRECT, Proto.TCP, null, 0, 0, "203.0.113.0/24", 80, 90, "192.0.2.1", 0),
                r(G, Action.ALLOW, Proto.TCP, null, 0, 0, "203.0.113.0/24", 0, 0, null, 0)), List.of()));
        byte[] far = {(byte) 203, 0, 113, 9};
        Rules r4 = c.rules4();
        assertInstanceOf(Verdict.Drop.class, r4.decide(Proto.UDP, IP4, 5000, far, 53));
        assertInstanceOf(Verdict.Direct.class, r4.decide(Proto.UDP, IP4, 5000, far, 54));
        assertInstanceOf(Verdict.Reject.class, r4.decide(Proto.TCP, IP4, 1500, far, 85), "sport range");
        Verdict v = r4.decide(Proto.TCP, IP4, 2500, far, 85);
        Verdict.Direct d = assertInstanceOf(Verdict.Direct.class, v);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, d.addr());
        assertEquals(85, d.port(), "redirect_port 0 keeps the port");
        assertInstanceOf(Verdict.Drop.class, r4.decide(Proto.UDP, IP4, 1500, far, 53), "the first match wins");
        // ICMP has ports 0: a rule with ports never matches it.
        assertInstanceOf(Verdict.Direct.class, r4.decide(Proto.ICMP, IP4, 0, far, 0));
    }

    @Test
    void gatewayPolicy() {
        Rules none = StackConfig.parse(FakeGuest.cfg(List.of(), List.of())).rules4();
        assertInstanceOf(Verdict.Reject.class, none.decide(Proto.TCP, IP4, 1, GW4, 22));
        assertInstanceOf(Verdict.Reject.class, none.decide(Proto.UDP, IP4, 1, GW4, 53));
        assertInstanceOf(Verdict.Gateway.class, none.decide(Proto.ICMP, IP4, 0, GW4, 0), "echo to the gateway is answered");
        Rules allow = StackConfig.parse(FakeGuest.cfg(List.of(r(G, Action.ALLOW, Proto.TCP, null, 0, 0, "10.255.255.1", 22, 22,
                null, 0)), List.of())).rules4();
        Verdict.Direct d = assertInstanceOf(Verdict.Direct.class, allow.decide(Proto.TCP, IP4, 1, GW4, 22));
        assertArrayEquals(new byte[] {127, 0, 0, 1}, d.addr());
        assertInstanceOf(Verdict.Reject.class, allow.decide(Proto.TCP, IP4, 1, GW4, 23));
        Rules redirect6 = StackConfig.parse(FakeGuest.cfg(List.of(), List.of(r(G, Action.REDIRECT, Proto.UDP, null, 0, 0, null, 53,
                53, null, 5353)))).rules6();
        d = assertInstanceOf(Verdict.Direct.class, redirect6.decide(Proto.UDP, FakeGuest.IP6, 1, FakeGuest.GW6, 53));
        assertArrayEquals(Cidr.address("::1", true), d.addr());
        assertEquals(5353, d.port());
        Rules proxied = StackConfig.parse(FakeGuest.cfg(List.of(r(G, Action.ENCAP_CONNECT, Proto.ANY, null, 0, 0, null, 0, 0,
                "127.0.0.1", 3128)), List.of())).rules4();
        assertInstanceOf(Verdict.Reject.class, proxied.decide(Proto.TCP, IP4, 1, GW4, 80), "no proxy to the gateway");
        assertInstanceOf(Verdict.Reject.class, proxied.decide(Proto.UDP, IP4, 1, new byte[] {8, 8, 8, 8}, 53), "CONNECT has no UDP");
        Verdict.HttpConnect h = assertInstanceOf(Verdict.HttpConnect.class, proxied.decide(Proto.TCP, IP4, 1, new byte[] {8, 8, 8, 8}, 443));
        assertEquals(3128, h.proxy().getPort());
        assertEquals(443, h.port());
    }
}
