package org.jnsjail.net.nstun;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.UserNet.Proto;

/**
 * One host port of a HOST_TO_GUEST REDIRECT rule: a TCP listener whose connections become
 * connections from the gateway to the guest, or a UDP socket whose datagrams go to the guest from
 * the gateway (the guest's replies go back to the last host peer).
 *
 * <p>Java sockets cannot set IPV6_V6ONLY, so a wildcard rule6 listener is dual-stack; when rule4 and
 * rule6 both listen on the wildcard address of one port, they share that one socket and each
 * connection goes to the guest over the peer's own IP version.
 */
final class HostListener implements Engine.Handler {
    private final Engine eng;
    private final Proto proto;
    private final int port;
    private final String where;
    private final StackConfig.Listen for4, for6;
    private final NetworkChannel ch;
    private SocketAddress lastPeer4, lastPeer6;

    private HostListener(Engine eng, Proto proto, int port, StackConfig.Listen for4, StackConfig.Listen for6, NetworkChannel ch) {
        this.eng = eng;
        this.proto = proto;
        this.port = port;
        this.for4 = for4;
        this.for6 = for6;
        this.ch = ch;
        this.where = (for4 != null ? for4 : for6).where();
    }

    /** Opens every port of every rule; on failure closes those already open and throws a one-line IOException. */
    static List<HostListener> open(Engine eng, List<StackConfig.Listen> rules) throws IOException {
        // Group by (proto, bind address, port): a wildcard port of rule4 and rule6 shares one dual-stack socket.
        record Spot(Proto proto, InetAddress bind, int port) {}
        Map<Spot, StackConfig.Listen[]> spots = new LinkedHashMap<>();
        for (StackConfig.Listen l : rules) {
            for (int p = l.from(); p <= l.to(); p++) {
                InetAddress bind = l.bind() == null ? null : Rules.inet(l.bind());
                StackConfig.Listen[] pair = spots.computeIfAbsent(new Spot(l.proto(), bind, p), s -> new StackConfig.Listen[2]);
                pair[l.v6() ? 1 : 0] = pair[l.v6() ? 1 : 0] == null ? l : pair[l.v6() ? 1 : 0];
            }
        }
        List<HostListener> out = new ArrayList<>();
        try {
            for (var e : spots.entrySet()) {
                Spot s = e.getKey();
                StackConfig.Listen[] pair = e.getValue();
                boolean dual = pair[1] != null;
                InetAddress bind = s.bind() != null ? s.bind() : Rules.inet(new byte[dual ? 16 : 4]);
                ProtocolFamily fam = bind.getAddress().length == 16 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
                InetSocketAddress at = new InetSocketAddress(bind, s.port());
                NetworkChannel ch = null;
                try {
                    if (s.proto() == Proto.TCP) {
                        ServerSocketChannel ss = ServerSocketChannel.open(fam);
                        ch = ss;
                        ss.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                        ss.bind(at, 64);
                    } else {
                        DatagramChannel ds = DatagramChannel.open(fam);
                        ch = ds;
                        ds.bind(at);
                    }
                    ((java.nio.channels.SelectableChannel) ch).configureBlocking(false);
                } catch (IOException | RuntimeException ex) {
                    if (ch != null) ch.close();
                    String where = (pair[0] != null ? pair[0] : pair[1]).where();
                    throw new IOException(where + ": cannot listen on " + s.proto() + " " + FlowKey.text(bind, s.port()) + ": "
                            + org.jnsjail.log.Quote.message(ex), ex);
                }
                HostListener hl = new HostListener(eng, s.proto(), s.port(), pair[0], pair[1], ch);
                out.add(hl);
                eng.info(hl.where + ": listening on " + s.proto() + " " + FlowKey.text(bind, s.port())
                        + ", forwarded to the guest's port " + hl.guestPort(pair[0] != null ? pair[0] : pair[1]));
                if (s.proto() == Proto.UDP) {
                    if (pair[0] != null) eng.addUdpReply(false, hl.guestPort(pair[0]), s.port(), hl);
                    if (pair[1] != null) eng.addUdpReply(true, hl.guestPort(pair[1]), s.port(), hl);
                }
            }
        } catch (IOException e) {
            for (HostListener l : out) l.close();
            throw e;
        }
        return out;
    }

    private int guestPort(StackConfig.Listen l) {
        return l.guestPort() != 0 ? l.guestPort() : port;
    }

    void register(Selector sel) throws IOException {
        int ops = proto == Proto.TCP ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
        ((java.nio.channels.SelectableChannel) ch).register(sel, ops, this);
    }

    /** The rule for a host peer: its own IP version when both exist, else the one there is. */
    private StackConfig.Listen ruleFor(SocketAddress peer) {
        boolean peer6 = peer instanceof InetSocketAddress i && i.getAddress().getAddress().length == 16;
        if (for4 != null && for6 != null) return peer6 ? for6 : for4;
        return for4 != null ? for4 : for6;
    }

    @Override
    public void ready(SelectionKey k) {
        try {
            if (proto == Proto.TCP) accept();
            else receive();
        } catch (IOException e) {
            eng.debug(where + ": " + org.jnsjail.log.Quote.describe(e));
        }
    }

    @Override
    public void fail() {
        // A listener stays: one bad connection must not close the port.
    }

    private void accept() throws IOException {
        for (int i = 0; i < 16; i++) {
            SocketChannel c = ((ServerSocketChannel) ch).accept();
            if (c == null) return;
            StackConfig.Listen l = ruleFor(c.getRemoteAddress());
            eng.acceptedTcp(l.v6(), guestPort(l), c);
        }
    }

    private void receive() throws IOException {
        DatagramChannel ds = (DatagramChannel) ch;
        ByteBuffer rx = eng.rx();
        for (int i = 0; i < 64; i++) {
            rx.clear();
            SocketAddress from = ds.receive(rx);
            if (from == null) return;
            StackConfig.Listen l = ruleFor(from);
            if (l.v6()) lastPeer6 = from;
            else lastPeer4 = from;
            int len = rx.position();
            if (IpPacket.headerLen(l.v6()) + Udp.HEADER + len > Nstun.MTU) continue;
            eng.toGuest(Udp.build(l.v6(), eng.gw(l.v6()), eng.guestIp(l.v6()), port, guestPort(l), rx.array(), 0, len, eng.ipId()));
        }
    }

    /** A guest datagram to the gateway's port: back to the last host peer of that IP version. */
    void fromGuest(boolean v6, Udp u) {
        SocketAddress to = v6 ? lastPeer6 : lastPeer4;
        if (to == null) return;
        try {
            ((DatagramChannel) ch).send(ByteBuffer.wrap(u.buf(), u.dataOff(), u.dataLen()), to);
        } catch (IOException e) {
            eng.debug(where + ": send to " + to + ": " + org.jnsjail.log.Quote.describe(e));
        }
    }

    void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
