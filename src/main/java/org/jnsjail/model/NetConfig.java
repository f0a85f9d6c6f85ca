package org.jnsjail.model;

import java.util.List;

/**
 * The jail's network beyond lo (§1.14, §3.13): host interfaces moved in ({@code ifaceOwn}), a
 * cloned MACVLAN named "vs" on {@code macvlanIface} (null = none) with its address, netmask,
 * gateway ("0.0.0.0" = leave unset), MAC ("" = kernel's) and mode, policy-routing traffic rules, and
 * user-mode networking ({@code userNet}, null = none).
 */
public record NetConfig(List<String> ifaceOwn, String macvlanIface, String vsIp, String vsNm, String vsGw,
        String vsMa, String vsMo, List<TrafficRule> trafficRules, UserNet userNet) {

    public NetConfig {
        ifaceOwn = List.copyOf(ifaceOwn);
        trafficRules = List.copyOf(trafficRules);
    }

    public static final NetConfig NONE = new NetConfig(List.of(), null, Defaults.MACVLAN_VS_IP, Defaults.MACVLAN_VS_NM,
            Defaults.MACVLAN_VS_GW, Defaults.MACVLAN_VS_MA, Defaults.MACVLAN_VS_MO, List.of(), null);

    /** This configuration with user-mode networking ({@code null}: none), e.g. {@code NONE.withUserNet(UserNet.DEFAULT)}. */
    public NetConfig withUserNet(UserNet u) {
        return new NetConfig(ifaceOwn, macvlanIface, vsIp, vsNm, vsGw, vsMa, vsMo, trafficRules, u);
    }

    /** The interfaces and rules that the supervisor makes over rtnetlink ({@code userNet} aside). */
    public boolean any() {
        return !ifaceOwn.isEmpty() || macvlanIface != null || !trafficRules.isEmpty();
    }

    /**
     * nsjail's TrafficRule (config only): selectors (null/0 = any) and an action; installed as FIB
     * rules in the jail's netns, later rules taking precedence. proto: "tcp", "udp", "icmp", "icmpv6"
     * or null; action: "DROP" (default), "REJECT", "ALLOW"; ipv6 selects the family.
     */
    public record TrafficRule(String srcIp, String dstIp, String iif, String oif, String proto, int sport, int dport,
            int sportEnd, int dportEnd, String action, boolean ipv6) {}
}
