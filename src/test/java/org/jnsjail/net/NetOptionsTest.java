package org.jnsjail.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jnsjail.model.NetConfig;
import org.jnsjail.model.UserNet;
import org.jnsjail.args.CliException;
import org.jnsjail.args.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The networking options and config fields reach {@code JailSpec.net()}; bad ones fail before anything starts. */
class NetOptionsTest {
    private static NetConfig net(String... argv) throws Exception {
        return CommandLine.parse(argv).spec().net();
    }

    @Test
    void defaultsAreNsjails() throws Exception {
        NetConfig n = net("--", "/bin/true");
        assertFalse(n.any());
        assertNull(n.macvlanIface());
        assertEquals(List.of("192.168.0.2", "255.255.255.0", "192.168.0.1", "", "private"),
                List.of(n.vsIp(), n.vsNm(), n.vsGw(), n.vsMa(), n.vsMo()));
    }

    @Test
    void commandLineAndAliases() throws Exception {
        NetConfig n = net("-I", "eth9", "--macvlan_vs_ip", "10.1.1.2", "--iface_vs_nm", "255.255.0.0",
                "--macvlan_vs_gw", "10.1.0.1", "--macvlan_vs_ma", "02:00:00:00:00:01", "--macvlan_vs_mo", "VEPA",
                "--iface_own", "a", "--iface_own", "b", "--", "/bin/true");
        assertEquals("eth9", n.macvlanIface());
        assertEquals(List.of("10.1.1.2", "255.255.0.0", "10.1.0.1", "02:00:00:00:00:01", "VEPA"),
                List.of(n.vsIp(), n.vsNm(), n.vsGw(), n.vsMa(), n.vsMo()));
        assertEquals(List.of("a", "b"), n.ifaceOwn());
        assertEquals("eth9", net("--iface", "eth9", "--", "/bin/true").macvlanIface());
    }

    @Test
    void configFields(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("n.cfg");
        Files.writeString(cfg, """
                iface_own: "x0"
                macvlan_iface: "eth5"
                macvlan_vs_ip: "192.168.5.5"
                macvlan_vs_mo: "bridge"
                traffic_rule { src_ip: "10.0.0.0/8" oif: "vs" proto: UDP sport: 53 sport_end: 60 action: REJECT }
                traffic_rule { dst_ip: "fd00::1" ip_family: IPV6 }
                """);
        NetConfig n = net("-C", cfg.toString(), "--", "/bin/true");
        assertEquals(List.of("x0"), n.ifaceOwn());
        assertEquals("eth5", n.macvlanIface());
        assertEquals("192.168.5.5", n.vsIp());
        assertEquals("bridge", n.vsMo());
        assertEquals(List.of(
                new NetConfig.TrafficRule("10.0.0.0/8", "", "", "vs", "udp", 53, 0, 60, 0, "REJECT", false),
                new NetConfig.TrafficRule("", "fd00::1", "", "", null, 0, 0, 0, 0, "DROP", true)), n.trafficRules());
    }

    @Test
    void badValuesAndModesAreOneLine(@TempDir Path dir) throws Exception {
        assertEquals("--macvlan_vs_ip: '1.2.3.256' is not a valid IPv4 address",
                assertThrows(CliException.class, () -> net("-I", "e", "--macvlan_vs_ip", "1.2.3.256", "--", "/bin/true"))
                        .getMessage());
        assertTrue(assertThrows(CliException.class, () -> net("-I", "e", "--macvlan_vs_mo", "x", "--", "/bin/true"))
                .getMessage().startsWith("--macvlan_vs_mo: Unsupported MACVLAN mode: 'x'"));
        assertTrue(assertThrows(CliException.class, () -> net("-N", "--iface_own", "e", "--", "/bin/true"))
                .getMessage().contains("need a network namespace"));
        assertTrue(assertThrows(CliException.class, () -> net("-Me", "-I", "e", "--", "/bin/true"))
                .getMessage().contains("-Me"));
        Path cfg = dir.resolve("bad.cfg");
        Files.writeString(cfg, "traffic_rule { dport: 90 dport_end: 80 }\n");
        assertTrue(assertThrows(CliException.class, () -> net("-C", cfg.toString(), "--", "/bin/true"))
                .getMessage().startsWith("traffic_rule #1 dport: bad port range 90..80"));
        // Without -I the vs values are not used, so they are not checked (as nsjail).
        assertFalse(net("--macvlan_vs_ip", "junk", "--", "/bin/true").any());
    }

    // ---- user_net ----

    @Test
    void userNetFlagIsPresenceWithNsjailsDefaults() throws Exception {
        assertNull(net("--", "/bin/true").userNet());
        assertEquals(UserNet.DEFAULT, net("--user_net", "--", "/bin/true").userNet());
        assertEquals(List.of("10.255.255.2", "10.255.255.1", "fc00::2", "fc00::1", "eth0"),
                List.of(UserNet.DEFAULT.ip4(), UserNet.DEFAULT.gw4(), UserNet.DEFAULT.ip6(), UserNet.DEFAULT.gw6(),
                        UserNet.DEFAULT.nsIface()));
    }

    @Test
    void userNetConfigMapsEveryField(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("u.cfg");
        Files.writeString(cfg, """
                user_net {
                  ip4: "10.9.9.2" gw4: "10.9.9.1" ip6: "fd01::2" gw6: "fd01::1" ns_iface: "tun7"
                  rule4 { action: REJECT proto: TCP dst_ip: "10.0.0.0/8" dport: 80 }
                  rule4 { direction: HOST_TO_GUEST action: REDIRECT proto: UDP src_ip: "127.0.0.1" dport: 53
                          dport_end: 54 redirect_port: 5353 }
                  rule6 { action: ENCAP_SOCKS5 sport: 1000 sport_end: 2000 redirect_ip: "127.0.0.1" redirect_port: 1080 }
                }
                """);
        UserNet u = net("-C", cfg.toString(), "--", "/bin/true").userNet();
        assertEquals(List.of("10.9.9.2", "10.9.9.1", "fd01::2", "fd01::1", "tun7"),
                List.of(u.ip4(), u.gw4(), u.ip6(), u.gw6(), u.nsIface()));
        assertEquals(UserNet.Backend.NSTUN, u.backend());
        assertNull(u.pasta());
        // An unset *_end is the start port, as nsjail's rule parser makes it.
        assertEquals(List.of(
                new UserNet.Rule(UserNet.Direction.GUEST_TO_HOST, UserNet.Action.REJECT, UserNet.Proto.TCP, null, 0, 0,
                        "10.0.0.0/8", 80, 80, null, 0),
                new UserNet.Rule(UserNet.Direction.HOST_TO_GUEST, UserNet.Action.REDIRECT, UserNet.Proto.UDP,
                        "127.0.0.1", 0, 0, null, 53, 54, null, 5353)), u.rule4());
        assertEquals(List.of(new UserNet.Rule(UserNet.Direction.GUEST_TO_HOST, UserNet.Action.ENCAP_SOCKS5,
                UserNet.Proto.ANY, null, 1000, 2000, null, 0, 0, "127.0.0.1", 1080)), u.rule6());
    }

    @Test
    void userNetFollowsTheMergeRules(@TempDir Path dir) throws Exception {
        Path with = dir.resolve("with.cfg");
        Files.writeString(with, "user_net { ip4: \"10.1.1.2\" backend: PASTA pasta { nat: false } }\n");
        Path without = dir.resolve("without.cfg");
        Files.writeString(without, "hostname: \"x\"\n");
        // -C replaces what earlier options put in the config ...
        assertNull(net("--user_net", "-C", without.toString(), "--", "/bin/true").userNet());
        // ... and a later --user_net only makes the message present: the config's values stay.
        UserNet u = net("-C", with.toString(), "--user_net", "--", "/bin/true").userNet();
        assertEquals("10.1.1.2", u.ip4());
        assertEquals(UserNet.Backend.PASTA, u.backend());
        assertFalse(u.pasta().nat());
        assertTrue(u.pasta().enableTcp());
        assertEquals("none", u.pasta().tcpMapIn());
    }

    @Test
    void badUserNetIsOneLine(@TempDir Path dir) throws Exception {
        assertTrue(assertThrows(CliException.class, () -> net("-Me", "--user_net", "--", "/bin/true"))
                .getMessage().startsWith("user_net cannot be used with -Me"));
        assertTrue(assertThrows(CliException.class, () -> net("-N", "--user_net", "--", "/bin/true"))
                .getMessage().startsWith("user_net needs a network namespace"));
        Path iface = dir.resolve("iface.cfg");
        Files.writeString(iface, "user_net { ns_iface: \"a/b\" }\n");
        assertEquals("user_net.ns_iface: 'a/b' is not a valid interface name",
                assertThrows(CliException.class, () -> net("-C", iface.toString(), "--", "/bin/true")).getMessage());
        Path pastaRules = dir.resolve("pasta-rules.cfg");
        Files.writeString(pastaRules, "user_net { backend: PASTA rule4 { action: DROP } pasta {} }\n");
        assertEquals("user_net.rule4/rule6 apply only to the NSTUN backend, not to PASTA",
                assertThrows(CliException.class, () -> net("-C", pastaRules.toString(), "--", "/bin/true"))
                        .getMessage());
    }
}
