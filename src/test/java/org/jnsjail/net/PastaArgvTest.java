package org.jnsjail.net;

import java.util.List;

import org.jnsjail.model.UserNet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** pasta's command line follows nsjail's (§3.13) for every Pasta option. */
class PastaArgvTest {
    private static UserNet with(UserNet.Pasta p) {
        UserNet d = UserNet.DEFAULT;
        return new UserNet(UserNet.Backend.PASTA, d.ip4(), d.gw4(), d.ip6(), d.gw6(), "eth0", List.of(), List.of(), p);
    }

    @Test
    void defaults() {
        assertEquals(List.of("pasta", "-f", "-q", "--no-dhcp", "--no-dhcpv6", "--no-ra", "--config-net",
                "-a", "10.255.255.2", "-n", "255.255.255.0", "-g", "10.255.255.1", "-a", "fc00::2", "-g", "fc00::1",
                "-I", "eth0", "-t", "none", "-u", "none", "-T", "none", "-U", "none", "4242"),
                PastaProcess.argv("pasta", with(UserNet.Pasta.DEFAULT), 4242, false));
    }

    @Test
    void everyToggle() {
        UserNet.Pasta p = new UserNet.Pasta(false, false, false, false, true, "255.255.0.0", true, false, "64", true,
                true, true, "10.0.0.53", false, "80", "53", "8080:80", "auto");
        assertEquals(List.of("/x/pasta", "-f", "-q", "--runas", "0:0", "--dhcp-dns", "--dns-forward", "10.0.0.53",
                "--no-tcp", "--no-udp", "--no-icmp", "--no-map-gw", "-a", "10.255.255.2", "-n", "255.255.0.0",
                "-g", "10.255.255.1", "-4", "-I", "eth0", "-t", "80", "-u", "53", "-T", "8080:80", "-U", "auto",
                "--splice-only", "7"), PastaProcess.argv("/x/pasta", with(p), 7, true));
    }

    @Test
    void ipv6Only() {
        UserNet.Pasta d = UserNet.Pasta.DEFAULT;
        UserNet.Pasta p = new UserNet.Pasta(true, true, true, true, false, d.mask4(), false, true, "64", false, false,
                false, "", true, "none", "none", "none", "none");
        List<String> a = PastaProcess.argv("pasta", with(p), 1, false);
        assertEquals(List.of("-a", "fc00::2", "-g", "fc00::1", "-6", "-I"), a.subList(7, 13));
    }

    @Test
    void badValuesAreOneLine() {
        UserNet.Pasta d = UserNet.Pasta.DEFAULT;
        UserNet.Pasta none = new UserNet.Pasta(true, true, true, true, false, d.mask4(), false, false, "64", false,
                false, false, "", true, "none", "none", "none", "none");
        assertEquals("user_net.pasta: ip4_enabled and ip6_enabled are both false",
                assertThrows(IllegalArgumentException.class, () -> PastaProcess.argv("p", with(none), 1, false))
                        .getMessage());
        UserNet.Pasta mask = new UserNet.Pasta(true, true, true, true, true, "255.0.255.0", false, true, "64", false,
                false, false, "", true, "none", "none", "none", "none");
        assertEquals("user_net.pasta.mask4: '255.0.255.0' is not a valid contiguous netmask",
                assertThrows(IllegalArgumentException.class, () -> PastaProcess.argv("p", with(mask), 1, false))
                        .getMessage());
    }
}
