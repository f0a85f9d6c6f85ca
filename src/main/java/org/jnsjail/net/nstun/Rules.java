package org.jnsjail.net.nstun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import org.jnsjail.model.UserNet;
import org.jnsjail.model.UserNet.Action;
import org.jnsjail.model.UserNet.Direction;
import org.jnsjail.model.UserNet.Proto;

/**
 * One family's NstunRules (rule4 or rule6), compiled: evaluated in order, the first match wins,
 * no match means ALLOW.
 *
 * <p>The gateway address is special (jnsjail's deliberate difference from nsjail, which always maps
 * it to host loopback): a TCP or UDP flow to gw4/gw6 reaches host loopback (127.0.0.1 / ::1) only
 * when the first matching rule is a REDIRECT, or an ALLOW whose dst_ip is the gateway itself (a
 * catch-all such as 0.0.0.0/0 does not count); anything else to the gateway is REJECTed, so a jail cannot reach host-loopback services
 * unless the config says so.
 */
final class Rules {

    /** A rule with its addresses parsed; where is the config path for messages, e.g. "user_net.rule4[2]". */
    record Compiled(String where, UserNet.Rule rule, Cidr src, Cidr dst, byte[] redirect) {

        boolean matches(Direction dir, Proto proto, byte[] srcAddr, int sport, byte[] dstAddr, int dport) {
            return rule.direction() == dir
                    && (rule.proto() == Proto.ANY || rule.proto() == proto)
                    && (src == null || src.contains(srcAddr))
                    && (dst == null || dst.contains(dstAddr))
                    && inRange(sport, rule.sport(), rule.sportEnd())
                    && inRange(dport, rule.dport(), rule.dportEnd());
        }

        private static boolean inRange(int port, int from, int to) {
            return (from == 0 && to == 0) || (port >= from && port <= Math.max(from, to));
        }
    }

    private final boolean v6;
    private final List<Compiled> rules;
    private final byte[] gw;
    private final byte[] loopback;

    Rules(boolean v6, List<Compiled> rules, byte[] gw) {
        this.v6 = v6;
        this.rules = List.copyOf(rules);
        this.gw = gw.clone();
        this.loopback = v6 ? new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1} : new byte[] {127, 0, 0, 1};
    }

    List<Compiled> all() {
        return rules;
    }

    /** The first GUEST_TO_HOST rule matching, or null (the default ALLOW). */
    Compiled match(Proto proto, byte[] src, int sport, byte[] dst, int dport) {
        for (Compiled c : rules) if (c.matches(Direction.GUEST_TO_HOST, proto, src, sport, dst, dport)) return c;
        return null;
    }

    /** The verdict for a new guest flow of proto (TCP, UDP or ICMP; ICMP has ports 0). */
    Verdict decide(Proto proto, byte[] src, int sport, byte[] dst, int dport) {
        Compiled c = match(proto, src, sport, dst, dport);
        Action action = c == null ? Action.ALLOW : c.rule().action();
        boolean toGw = Arrays.equals(dst, gw);
        return switch (action) {
            case DROP -> Verdict.DROP;
            case REJECT -> Verdict.REJECT;
            case ALLOW -> {
                if (!toGw) yield new Verdict.Direct(dst, dport);
                if (proto == Proto.ICMP) yield Verdict.GATEWAY;
                // Host loopback only when the rule names the gateway itself (dst_ip = gw4 or gw4/32):
                // a catch-all such as 0.0.0.0/0 must not open every host-loopback service.
                yield c != null && namesGateway(c.dst()) ? new Verdict.Direct(loopback, dport) : Verdict.REJECT;
            }
            case REDIRECT -> {
                int port = c.rule().redirectPort() != 0 ? c.rule().redirectPort() : dport;
                if (c.redirect() != null) yield new Verdict.Direct(c.redirect(), proto == Proto.ICMP ? 0 : port);
                if (!toGw) yield new Verdict.Direct(dst, proto == Proto.ICMP ? 0 : port);
                yield proto == Proto.ICMP ? Verdict.GATEWAY : new Verdict.Direct(loopback, port);
            }
            case ENCAP_SOCKS5, ENCAP_CONNECT -> {
                // A proxy cannot reach the jail's gateway, and neither carries ICMP; CONNECT carries no UDP.
                if (toGw || proto == Proto.ICMP || (proto == Proto.UDP && action == Action.ENCAP_CONNECT)) {
                    yield Verdict.REJECT;
                }
                InetSocketAddress proxy = new InetSocketAddress(inet(c.redirect()), c.rule().redirectPort());
                yield action == Action.ENCAP_SOCKS5 ? new Verdict.Socks5(proxy, dst, dport)
                        : new Verdict.HttpConnect(proxy, dst, dport);
            }
        };
    }

    boolean v6() {
        return v6;
    }

    /** A host prefix that is exactly the gateway's address. */
    private boolean namesGateway(Cidr dst) {
        return dst != null && dst.len() == gw.length * 8 && Arrays.equals(dst.addr(), gw);
    }

    static InetAddress inet(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
