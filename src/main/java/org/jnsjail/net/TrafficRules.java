package org.jnsjail.net;

import java.util.Locale;

import org.jnsjail.model.NetConfig.TrafficRule;
import org.jnsjail.net.FamilyHeader.FibRuleHdr;
import org.jnsjail.net.FamilyHeader.RtMsg;
import org.jnsjail.net.RtAttrType.Fra;

import static org.jnsjail.net.NlmFlag.NLM_F_ACK;
import static org.jnsjail.net.NlmFlag.NLM_F_CREATE;
import static org.jnsjail.net.NlmFlag.NLM_F_REQUEST;

/**
 * nsjail's traffic_rule as an RTM_NEWRULE policy-routing rule (rtnetlink(7), ip-rule(8)): DROP is
 * FR_ACT_BLACKHOLE, REJECT is FR_ACT_UNREACHABLE, ALLOW is FR_ACT_TO_TBL main. No FRA_PRIORITY is
 * sent, so the kernel gives each new rule a preference one below the previous one (32765, 32764,
 * ...): the last rule of the config is consulted first and wins. All of them come after
 * "0: lookup local", so local addresses are never filtered.
 */
public final class TrafficRules {
    private TrafficRules() {}

    public static final int IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58;
    private static final int IFNAMSIZ = 16;

    /** The request for one rule; bad fields are an IllegalArgumentException naming {@code what}. */
    public static NlMessageBuilder newRule(TrafficRule r, String what) {
        FrAction action = action(r.action(), what);
        int family = r.ipv6() ? FamilyHeader.AF_INET6 : FamilyHeader.AF_INET;
        Inet.Prefix src = blank(r.srcIp()) ? null : Inet.prefix(r.srcIp(), r.ipv6(), what + " src_ip");
        Inet.Prefix dst = blank(r.dstIp()) ? null : Inet.prefix(r.dstIp(), r.ipv6(), what + " dst_ip");
        int table = action == FrAction.FR_ACT_TO_TBL ? RtMsg.RT_TABLE_MAIN : 0;
        NlMessageBuilder m = new NlMessageBuilder(NlMsgType.RTM_NEWRULE, NlmFlag.of(NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE),
                new FibRuleHdr(family, dst == null ? 0 : dst.len(), src == null ? 0 : src.len(), 0, table,
                        action.value, 0));
        if (table != 0) m.u32(Fra.FRA_TABLE, table);
        if (src != null) m.attr(Fra.FRA_SRC, src.addr());
        if (dst != null) m.attr(Fra.FRA_DST, dst.addr());
        if (!blank(r.iif())) m.string(Fra.FRA_IIFNAME, ifname(r.iif(), what + " iif"));
        if (!blank(r.oif())) m.string(Fra.FRA_OIFNAME, ifname(r.oif(), what + " oif"));
        int proto = proto(r.proto(), what);
        if (proto != 0) m.u8(Fra.FRA_IP_PROTO, proto);
        ports(m, Fra.FRA_SPORT_RANGE, r.sport(), r.sportEnd(), what + " sport");
        ports(m, Fra.FRA_DPORT_RANGE, r.dport(), r.dportEnd(), what + " dport");
        return m;
    }

    static FrAction action(String a, String what) {
        return switch (a == null ? "DROP" : a.toUpperCase(Locale.ROOT)) {
            case "DROP" -> FrAction.FR_ACT_BLACKHOLE;
            case "REJECT" -> FrAction.FR_ACT_UNREACHABLE;
            case "ALLOW" -> FrAction.FR_ACT_TO_TBL;
            default -> throw new IllegalArgumentException(what + ": unknown action '" + a + "' (DROP, REJECT or ALLOW)");
        };
    }

    static int proto(String p, String what) {
        if (blank(p)) return 0;
        return switch (p.toLowerCase(Locale.ROOT)) {
            case "tcp" -> IPPROTO_TCP;
            case "udp" -> IPPROTO_UDP;
            case "icmp" -> IPPROTO_ICMP;
            case "icmpv6" -> IPPROTO_ICMPV6;
            default -> throw new IllegalArgumentException(what + ": unknown protocol '" + p + "' (tcp, udp, icmp, icmpv6)");
        };
    }

    /** A port, or a range start..end (end 0 = just start), as struct fib_rule_port_range. */
    private static void ports(NlMessageBuilder m, Fra type, int start, int end, String what) {
        if (start == 0 && end == 0) return;
        int last = end == 0 ? start : end;
        if (start < 0 || start > 65535 || last < 0 || last > 65535 || last < start) {
            throw new IllegalArgumentException(what + ": bad port range " + Integer.toUnsignedString(start) + ".."
                    + Integer.toUnsignedString(last));
        }
        m.u16Pair(type, start, last);
    }

    private static String ifname(String name, String what) {
        if (name.length() >= IFNAMSIZ || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException(what + ": '" + name + "' is not a valid interface name");
        }
        return name;
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
