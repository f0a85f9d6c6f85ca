package org.jnsjail.net;

import org.jnsjail.model.NetConfig.TrafficRule;
import org.junit.jupiter.api.Test;

import static org.jnsjail.net.RtnlRequestsTest.hex;
import static org.jnsjail.net.RtnlRequestsTest.strip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** traffic_rule → RTM_NEWRULE, byte-exact (struct fib_rule_hdr + FRA_* rtattrs); no FRA_PRIORITY ever. */
class TrafficRulesTest {
    private static TrafficRule rule(String src, String dst, String iif, String oif, String proto, int sport, int dport,
            int sportEnd, int dportEnd, String action, boolean v6) {
        return new TrafficRule(src, dst, iif, oif, proto, sport, dport, sportEnd, dportEnd, action, v6);
    }

    @Test
    void dropTcpPortIsBlackhole() {
        assertEquals(strip("""
                2c000000 2000 0504 06000000 00000000 |
                02 00 00 00 00 00 00 06 00000000 |
                0500 1600 06 000000 |
                0800 1800 bb01 bb01"""),
                hex(TrafficRules.newRule(rule(null, null, null, null, "tcp", 0, 443, 0, 0, "DROP", false), "r").build(6)));
    }

    @Test
    void allowIsLookupMainWithSourcePrefixAndOif() {
        assertEquals(strip("""
                34000000 2000 0504 01000000 00000000 |
                02 00 08 00 fe 00 00 01 00000000 |
                0800 0f00 fe000000 |
                0800 0200 0a000000 |
                0700 1100 767300 00"""),
                hex(TrafficRules.newRule(rule("10.0.0.0/8", "", "", "vs", null, 0, 0, 0, 0, "ALLOW", false), "r")
                        .build(1)));
    }

    @Test
    void rejectIpv6IsUnreachableWithPortRange() {
        assertEquals(strip("""
                40000000 2000 0504 01000000 00000000 |
                0a 40 00 00 00 00 00 07 00000000 |
                1400 0100 fd000000000000000000000000000000 |
                0500 1600 11 000000 |
                0800 1700 3500 3c00"""),
                hex(TrafficRules.newRule(rule(null, "fd00::/64", null, null, "UDP", 53, 0, 60, 0, "reject", true), "r")
                        .build(1)));
    }

    @Test
    void defaultsAreDropAndIpv4AndIifIsAName() {
        String h = hex(TrafficRules.newRule(rule(null, null, "eth0", null, null, 0, 0, 0, 0, null, false), "r").build(1));
        assertEquals(strip("02 00 00 00 00 00 00 06 00000000 0900 0300 6574683000 000000"), h.substring(32));
    }

    @Test
    void badValuesNameTheRule() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule(null, null, null, null, null, 0, 0, 0, 0, "UNKNOWN_ACTION", false), "traffic_rule #2"));
        assertTrue(e.getMessage().startsWith("traffic_rule #2: unknown action"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule(null, null, null, null, null, 0, 90, 0, 80, "DROP", false), "r"));
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule(null, null, null, null, null, 0, 70000, 0, 0, "DROP", false), "r"));
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule("fd00::1", null, null, null, null, 0, 0, 0, 0, "DROP", false), "r"));
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule("10.0.0.0/33", null, null, null, null, 0, 0, 0, 0, "DROP", false), "r"));
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule(null, null, null, null, "sctp", 0, 0, 0, 0, "DROP", false), "r"));
        assertThrows(IllegalArgumentException.class,
                () -> TrafficRules.newRule(rule(null, null, "averyveryverylongname", null, null, 0, 0, 0, 0, "DROP", false), "r"));
    }
}
