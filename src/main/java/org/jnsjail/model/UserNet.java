package org.jnsjail.model;

import java.util.List;

/**
 * User-mode networking (nsjail's {@code user_net}, §3.13): the jail gets a TUN interface
 * {@code nsIface} with {@code ip4} (peer {@code gw4}) and {@code ip6} (via {@code gw6}), and the
 * supervisor carries its traffic over ordinary host sockets: the built-in stack ({@link Backend#NSTUN})
 * or an external pasta(1) process ({@link Backend#PASTA}, only when {@code pasta} is given).
 *
 * <p>Addresses are kept as the config's strings and checked when a jail is started.
 *
 * @param rule4 IPv4 rules, first match wins, default ALLOW
 * @param rule6 IPv6 rules, likewise
 * @param pasta pasta's options; null when the config has no {@code pasta {}} (then PASTA spawns nothing, as in nsjail)
 */
public record UserNet(Backend backend, String ip4, String gw4, String ip6, String gw6, String nsIface,
        List<Rule> rule4, List<Rule> rule6, Pasta pasta) {

    public UserNet {
        rule4 = List.copyOf(rule4);
        rule6 = List.copyOf(rule6);
    }

    /** {@code --user_net}: the NSTUN backend with nsjail's default addresses. */
    public static final UserNet DEFAULT = new UserNet(Backend.NSTUN, Defaults.USER_NET_IP4, Defaults.USER_NET_GW4,
            Defaults.USER_NET_IP6, Defaults.USER_NET_GW6, Defaults.USER_NET_IFACE, List.of(), List.of(), null);

    public enum Backend { NSTUN, PASTA }

    public enum Direction { GUEST_TO_HOST, HOST_TO_GUEST }

    public enum Action { DROP, REJECT, ALLOW, REDIRECT, ENCAP_SOCKS5, ENCAP_CONNECT }

    public enum Proto { ANY, TCP, UDP, ICMP }

    /**
     * One NstunRule. Ports: 0 = any; an unset *_end equals the start (already resolved here).
     * Addresses: null = any; "a.b.c.d" or "a.b.c.d/len" (IPv6 likewise). redirectIp null = unset.
     * HOST_TO_GUEST REDIRECT: the host listens on srcIp (null = any address) ports dport..dportEnd and
     * forwards each connection or datagram to the guest's redirectPort.
     */
    public record Rule(Direction direction, Action action, Proto proto, String srcIp, int sport, int sportEnd,
            String dstIp, int dport, int dportEnd, String redirectIp, int redirectPort) {}

    /** The config's {@code pasta {}} message, with nsjail's defaults. */
    public record Pasta(boolean nat, boolean enableTcp, boolean enableUdp, boolean enableIcmp, boolean ip4Enabled,
            String mask4, boolean enableIp4Dhcp, boolean ip6Enabled, String mask6, boolean enableIp6Dhcp,
            boolean enableIp6Ra, boolean enableDns, String dnsForward, boolean mapGw, String tcpMapIn,
            String udpMapIn, String tcpMapOut, String udpMapOut) {

        public static final Pasta DEFAULT = new Pasta(true, true, true, true, true, "255.255.255.0", false, true,
                "64", false, false, false, "", true, "none", "none", "none", "none");
    }
}
