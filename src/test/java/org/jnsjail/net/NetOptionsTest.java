package org.jnsjail.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jnsjail.api.NetConfig;
import org.jnsjail.cli.CliException;
import org.jnsjail.cli.CommandLine;
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
                .getMessage().startsWith("Unsupported MACVLAN mode: 'x'"));
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
}
