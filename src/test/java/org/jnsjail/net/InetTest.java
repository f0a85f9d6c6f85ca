package org.jnsjail.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Address parsing: as strict as inet_pton(3), never a name lookup; errors name option and value. */
class InetTest {
    @Test
    void ipv4DottedQuadOnly() {
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 0, 2}, Inet.ipv4("192.168.0.2", "x"));
        assertArrayEquals(new byte[4], Inet.ipv4("0.0.0.0", "x"));
        for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "",
                "1..2.3", "localhost", "1.2.3.4 "}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Inet.ipv4(bad, "--macvlan_vs_ip"), bad);
            assertEquals("--macvlan_vs_ip: '" + bad + "' is not a valid IPv4 address", e.getMessage());
        }
    }

    @Test
    void netmaskMustBeContiguous() {
        assertEquals(24, Inet.prefixOfNetmask("255.255.255.0", "nm"));
        assertEquals(0, Inet.prefixOfNetmask("0.0.0.0", "nm"));
        assertEquals(32, Inet.prefixOfNetmask("255.255.255.255", "nm"));
        assertEquals(20, Inet.prefixOfNetmask("255.255.240.0", "nm"));
        assertThrows(IllegalArgumentException.class, () -> Inet.prefixOfNetmask("255.0.255.0", "nm"));
        assertThrows(IllegalArgumentException.class, () -> Inet.prefixOfNetmask("0.255.255.255", "nm"));
    }

    @Test
    void prefixes() {
        Inet.Prefix p = Inet.prefix("10.1.0.0/16", false, "x");
        assertEquals(16, p.len());
        assertArrayEquals(new byte[] {10, 1, 0, 0}, p.addr());
        assertEquals(32, Inet.prefix("10.1.2.3", false, "x").len());
        assertEquals(128, Inet.prefix("::1", true, "x").len());
        assertEquals(48, Inet.prefix("2001:db8::/48", true, "x").len());
        assertThrows(IllegalArgumentException.class, () -> Inet.prefix("10.0.0.0/", false, "x"));
        assertThrows(IllegalArgumentException.class, () -> Inet.prefix("::/129", true, "x"));
        assertThrows(IllegalArgumentException.class, () -> Inet.prefix("example.com", true, "x"));
        assertThrows(IllegalArgumentException.class, () -> Inet.prefix("10.0.0.1", true, "x"));
    }

    @Test
    void macs() {
        assertArrayEquals(new byte[] {2, 0x11, 0x22, 0x33, 0x44, (byte) 0xaa}, Inet.mac("02:11:22:33:44:AA", "ma"));
        for (String bad : new String[] {"02:11:22:33:44", "02:11:22:33:44:55:66", "0211.2233.4455", "02:11:22:33:44:5g",
                "2:11:22:33:44:55"}) {
            assertThrows(IllegalArgumentException.class, () -> Inet.mac(bad, "ma"), bad);
        }
    }

    @Test
    void macvlanModesAreCaseInsensitive() {
        assertEquals(MacvlanMode.MACVLAN_MODE_BRIDGE, MacvlanMode.parse("BriDGe"));
        assertEquals(MacvlanMode.MACVLAN_MODE_PASSTHRU, MacvlanMode.parse("passthru"));
        assertEquals(1, MacvlanMode.parse("private").value);
        assertEquals(2, MacvlanMode.parse("VEPA").value);
        var e = assertThrows(IllegalArgumentException.class, () -> MacvlanMode.parse("source"));
        assertTrue(e.getMessage().contains("'source'"));
    }
}
