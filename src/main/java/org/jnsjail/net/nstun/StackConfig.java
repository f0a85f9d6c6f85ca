package org.jnsjail.net.nstun;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.UserNet;
import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Direction;
import org.jnsjail.model.UserNet.Proto;

/**
 * The user_net config, validated and parsed: addresses as network-order bytes, rules compiled per
 * family, HOST_TO_GUEST listeners listed. Every error is one IllegalArgumentException line naming
 * the config field.
 */
record StackConfig(byte[] ip4, byte[] gw4, byte[] ip6, byte[] gw6, Rules rules4, Rules rules6, List<Listen> listens) {

    /** A HOST_TO_GUEST REDIRECT: listen on bind (null = any) ports from..to, forward to the guest's port (0 = same). */
    record Listen(String where, boolean v6, Proto proto, byte[] bind, int from, int to, int guestPort) {}

    /** At most this many host listeners in all: a port range is one socket per port. */
    static final int MAX_LISTENERS = 1024;

    static StackConfig parse(UserNet cfg) {
        byte[] ip4 = addr(cfg.ip4(), false, "user_net.ip4");
        byte[] gw4 = addr(cfg.gw4(), false, "user_net.gw4");
        byte[] ip6 = addr(cfg.ip6(), true, "user_net.ip6");
        byte[] gw6 = addr(cfg.gw6(), true, "user_net.gw6");
        List<Listen> listens = new ArrayList<>();
        Rules r4 = new Rules(false, compile(cfg.rule4(), false, "user_net.rule4", listens), gw4);
        Rules r6 = new Rules(true, compile(cfg.rule6(), true, "user_net.rule6", listens), gw6);
        int n = listens.stream().mapToInt(l -> l.to() - l.from() + 1).sum();
        if (n > MAX_LISTENERS) {
            throw new IllegalArgumentException("user_net: HOST_TO_GUEST rules ask for " + n + " listening ports, at most "
                    + MAX_LISTENERS + " are allowed");
        }
        return new StackConfig(ip4, gw4, ip6, gw6, r4, r6, List.copyOf(listens));
    }

    private static byte[] addr(String s, boolean v6, String field) {
        byte[] a = s == null ? null : Cidr.address(s, v6);
        if (a == null) throw new IllegalArgumentException(field + ": '" + s + "' is not an " + fam(v6) + " address");
        return a;
    }

    private static String fam(boolean v6) {
        return v6 ? "IPv6" : "IPv4";
    }

    private static List<Rules.Compiled> compile(List<UserNet.Rule> rules, boolean v6, String list, List<Listen> listens) {
        List<Rules.Compiled> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            UserNet.Rule r = rules.get(i);
            String w = list + "[" + i + "]";
            Cidr src = cidr(r.srcIp(), v6, w + ".src_ip");
            Cidr dst = cidr(r.dstIp(), v6, w + ".dst_ip");
            ports(r.sport(), r.sportEnd(), w + ".sport");
            ports(r.dport(), r.dportEnd(), w + ".dport");
            port(r.redirectPort(), w + ".redirect_port");
            if (r.direction() == null || r.action() == null || r.proto() == null) {
                throw new IllegalArgumentException(w + ": direction, action and proto must be set");
            }
            byte[] redirect = null;
            if (r.direction() == Direction.HOST_TO_GUEST) {
                listens.add(listen(r, v6, w, src));
            } else {
                switch (r.action()) {
                    case REDIRECT -> {
                        if (r.redirectIp() != null) redirect = addr(r.redirectIp(), v6, w + ".redirect_ip");
                    }
                    case ENCAP_SOCKS5, ENCAP_CONNECT -> {
                        if (r.proto() == Proto.ICMP) {
                            throw new IllegalArgumentException(w + ": " + r.action() + " cannot carry ICMP (a proxy carries TCP"
                                    + (r.action() == Action.ENCAP_SOCKS5 ? " and UDP" : "") + " only)");
                        }
                        if (r.redirectIp() == null) {
                            throw new IllegalArgumentException(w + ".redirect_ip: " + r.action() + " needs the proxy's IPv4 address");
                        }
                        // The proxy is always reached over IPv4, for rule6 too.
                        redirect = addr(r.redirectIp(), false, w + ".redirect_ip");
                        if (r.redirectPort() == 0) {
                            throw new IllegalArgumentException(w + ".redirect_port: " + r.action() + " needs the proxy's port");
                        }
                    }
                    default -> {
                        if (r.redirectIp() != null || r.redirectPort() != 0) {
                            throw new IllegalArgumentException(w + ": redirect_ip/redirect_port are only used by REDIRECT and ENCAP_*, not "
                                    + r.action());
                        }
                    }
                }
            }
            out.add(new Rules.Compiled(w, r, src, dst, redirect));
        }
        return out;
    }

    private static Listen listen(UserNet.Rule r, boolean v6, String w, Cidr src) {
        // nsjail ignores other HOST_TO_GUEST actions; jnsjail refuses them rather than ignore a rule.
        if (r.action() != Action.REDIRECT) {
            throw new IllegalArgumentException(w + ": HOST_TO_GUEST supports only action REDIRECT, not " + r.action());
        }
        if (r.proto() != Proto.TCP && r.proto() != Proto.UDP) {
            throw new IllegalArgumentException(w + ".proto: HOST_TO_GUEST REDIRECT needs TCP or UDP, not " + r.proto());
        }
        if (r.dport() == 0) throw new IllegalArgumentException(w + ".dport: HOST_TO_GUEST REDIRECT needs the host port to listen on");
        if (src != null && src.len() != src.addr().length * 8) {
            throw new IllegalArgumentException(w + ".src_ip: HOST_TO_GUEST listens on an address, not a prefix: '" + r.srcIp() + "'");
        }
        if (r.dstIp() != null || r.sport() != 0 || r.sportEnd() != 0 || r.redirectIp() != null) {
            throw new IllegalArgumentException(w + ": HOST_TO_GUEST REDIRECT uses only src_ip, dport, dport_end and redirect_port"
                    + " (the guest end is ip4/ip6)");
        }
        // A range with redirect_port set sends every host port to that one guest port; 0 keeps each port.
        int to = Math.max(r.dport(), r.dportEnd());
        return new Listen(w, v6, r.proto(), src == null ? null : src.addr(), r.dport(), to, r.redirectPort());
    }

    private static Cidr cidr(String s, boolean v6, String field) {
        if (s == null) return null;
        Cidr c = Cidr.parse(s, v6);
        if (c == null) throw new IllegalArgumentException(field + ": '" + s + "' is not an " + fam(v6) + " address or CIDR");
        return c;
    }

    private static void port(int p, String field) {
        if (p < 0 || p > 65535) throw new IllegalArgumentException(field + ": " + p + " is not a port (0-65535)");
    }

    private static void ports(int from, int to, String field) {
        port(from, field);
        port(to, field + "_end");
        if (to != 0 && to < from) throw new IllegalArgumentException(field + "_end: " + to + " is below " + field.substring(field.lastIndexOf('.') + 1) + " " + from);
    }
}
