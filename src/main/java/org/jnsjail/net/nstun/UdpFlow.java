package org.jnsjail.net.nstun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One guest UDP flow (guest port, destination address and port) over one connected host
 * DatagramChannel; replies reach the guest from the original destination. Through a SOCKS5 proxy the
 * flow first opens a UDP ASSOCIATE control connection (RFC 1928 §7) and wraps each datagram in the
 * SOCKS5 UDP header. Engine thread only.
 */
final class UdpFlow implements Engine.Handler {
    static final long IDLE_TIMEOUT = TimeUnit.SECONDS.toNanos(60);
    /** A SOCKS5 association not ready by then is given up (as TcpFlow's connect timeout). */
    static final long ASSOCIATE_TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    /**
     * Bytes of datagrams held while a SOCKS5 association is being set up: bounded per flow, so the
     * 1024 flows of a jail hold at most 16 MiB, whatever the guest sends to a proxy that never answers.
     */
    private static final int MAX_PENDING_BYTES = 16 << 10;

    private final Engine eng;
    final FlowKey key;
    private final boolean v6;
    private final byte[] guestIp, peerIp;
    private final int guestPort, peerPort;
    private final InetSocketAddress target;
    private DatagramChannel ch;
    private SelectionKey key1;
    /** SOCKS5: the control connection, its handshake, the original destination, datagrams waiting for the relay. */
    private SocketChannel ctl;
    private SelectionKey ctlKey;
    private ProxyHandshake.Socks5 hs;
    private byte[] socksHeader;
    private ArrayDeque<byte[]> pending;
    private int pendingBytes;
    private final long born;
    /** The start of the last guest datagram, quoted by an ICMP error. */
    private IpPacket last;
    private long lastActive;
    private boolean closed;

    private UdpFlow(Engine eng, FlowKey key, IpPacket ip, Udp u, InetSocketAddress target) {
        this.eng = eng;
        this.key = key;
        this.v6 = ip.v6();
        // A datagram sent from the unspecified address is answered to the guest's own address.
        this.guestIp = isZero(ip.src()) ? eng.guestIp(v6) : ip.src();
        this.guestPort = u.sport();
        this.peerIp = ip.dst();
        this.peerPort = u.dport();
        this.target = target;
        this.lastActive = eng.now();
        this.born = lastActive;
    }

    /** Host sockets a flow with this verdict holds: a SOCKS5 relay needs its control connection besides the datagram socket. */
    static int sockets(Verdict v) {
        return v instanceof Verdict.Socks5 ? 2 : 1;
    }

    int sockets() {
        return socksHeader != null ? 2 : 1;
    }

    long lastActive() {
        return lastActive;
    }

    static UdpFlow open(Engine eng, FlowKey key, IpPacket ip, Udp u, Verdict v) throws IOException {
        return switch (v) {
            case Verdict.Direct d -> {
                UdpFlow f = new UdpFlow(eng, key, ip, u, new InetSocketAddress(Rules.inet(d.addr()), d.port()));
                f.openData(f.target);
                yield f;
            }
            case Verdict.Socks5 p -> {
                UdpFlow f = new UdpFlow(eng, key, ip, u, p.proxy());
                f.openSocks(p);
                yield f;
            }
            default -> throw new IOException("no UDP relay for " + v);
        };
    }

    private void openData(InetSocketAddress to) throws IOException {
        ch = DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            ch.connect(to);
            key1 = ch.register(eng.selector(), SelectionKey.OP_READ, this);
        } catch (IOException | RuntimeException e) {
            ch.close();
            ch = null;
            throw e;
        }
    }

    private void openSocks(Verdict.Socks5 p) throws IOException {
        socksHeader = new byte[4 + p.addr().length + 2];
        socksHeader[3] = (byte) (p.addr().length == 4 ? 1 : 4);
        System.arraycopy(p.addr(), 0, socksHeader, 4, p.addr().length);
        IpPacket.put16(socksHeader, 4 + p.addr().length, p.port());
        pending = new ArrayDeque<>();
        // Where our datagrams will come from is not known before the data socket exists: all zeros (RFC 1928 §7).
        hs = new ProxyHandshake.Socks5(ProxyHandshake.Socks5.UDP_ASSOCIATE, new byte[4], 0);
        ctl = SocketChannel.open();
        try {
            ctl.configureBlocking(false);
            boolean done = ctl.connect(p.proxy());
            ctlKey = ctl.register(eng.selector(), done ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, this);
        } catch (IOException | RuntimeException e) {
            ctl.close();
            throw e;
        }
    }

    void fromGuest(IpPacket ip, Udp u) {
        lastActive = eng.now();
        last = head(ip);
        byte[] data;
        if (socksHeader != null) {
            data = new byte[socksHeader.length + u.dataLen()];
            System.arraycopy(socksHeader, 0, data, 0, socksHeader.length);
            System.arraycopy(u.buf(), u.dataOff(), data, socksHeader.length, u.dataLen());
            if (ch == null) {
                if (pendingBytes + data.length <= MAX_PENDING_BYTES) {
                    pending.add(data);
                    pendingBytes += data.length;
                }
                return;
            }
        } else {
            data = IpPacket.slice(u.buf(), u.dataOff(), u.dataLen());
        }
        send(data);
    }

    private void send(byte[] data) {
        try {
            ch.write(ByteBuffer.wrap(data)); // a full socket buffer drops the datagram, as UDP may
        } catch (PortUnreachableException e) {
            if (last != null) eng.unreachable(last, true);
        } catch (IOException e) {
            eng.debug("UDP " + key.text() + ": send: " + org.jnsjail.log.Quote.describe(e));
        }
    }

    @Override
    public void ready(SelectionKey k) {
        try {
            if (k == ctlKey) control(k);
            else receive();
        } catch (IOException e) {
            eng.debug("UDP " + key.text() + ": " + org.jnsjail.log.Quote.describe(e));
            close();
        }
    }

    @Override
    public void fail() {
        close();
    }

    private void receive() throws IOException {
        ByteBuffer rx = eng.rx();
        for (int i = 0; i < 64; i++) {
            rx.clear();
            int n;
            try {
                n = ch.read(rx);
            } catch (PortUnreachableException e) {
                if (last != null) eng.unreachable(last, true);
                return;
            }
            if (n <= 0) return;
            lastActive = eng.now();
            int off = 0;
            byte[] b = rx.array();
            if (socksHeader != null) {
                // RSV RSV FRAG ATYP DST.ADDR DST.PORT: fragments (FRAG != 0) are not supported and dropped.
                if (n < 4 || b[2] != 0) continue;
                int alen = b[3] == 1 ? 4 : b[3] == 4 ? 16 : b[3] == 3 && n > 4 ? 1 + (b[4] & 0xff) : -1;
                if (alen < 0 || n < 4 + alen + 2) continue;
                off = 4 + alen + 2;
            }
            int len = n - off;
            if (IpPacket.headerLen(v6) + Udp.HEADER + len > Nstun.MTU) continue;
            eng.toGuest(Udp.build(v6, peerIp, guestIp, peerPort, guestPort, b, off, len, eng.ipId()));
        }
    }

    private void control(SelectionKey k) throws IOException {
        if (k.isConnectable()) {
            if (!ctl.finishConnect()) return;
            k.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        if (k.isWritable()) {
            ctl.write(hs.out);
            if (!hs.out.hasRemaining()) k.interestOps(SelectionKey.OP_READ);
            return;
        }
        if (!k.isReadable()) return;
        if (hs == null) {
            // The association lives as long as the control connection (RFC 1928 §7); anything read ends it.
            ByteBuffer sink = ByteBuffer.allocate(256);
            if (ctl.read(sink) < 0) throw new IOException("SOCKS5 proxy closed the UDP association");
            return;
        }
        if (ctl.read(hs.in) < 0) throw new IOException("SOCKS5 proxy closed the connection during the handshake");
        if (!hs.step()) {
            if (hs.out.hasRemaining()) k.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        InetSocketAddress relay = hs.bound;
        hs = null;
        if (relay.isUnresolved() || relay.getAddress().isAnyLocalAddress()) {
            relay = new InetSocketAddress(target.getAddress(), relay.getPort());
        }
        openData(relay);
        byte[] d;
        while ((d = pending.poll()) != null) send(d);
        pendingBytes = 0;
    }

    void tick(long now) {
        if (hs != null && now - born > ASSOCIATE_TIMEOUT) {
            eng.debug("UDP " + key.text() + ": no SOCKS5 association within 10 s, closed");
            close();
            return;
        }
        if (now - lastActive > IDLE_TIMEOUT) {
            eng.debug("UDP " + key.text() + ": idle, closed");
            close();
        }
    }

    void close() {
        if (closed) return;
        closed = true;
        for (var c : new java.nio.channels.Channel[] {ch, ctl}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
        eng.removeUdp(this);
    }

    private static boolean isZero(byte[] a) {
        for (byte b : a) if (b != 0) return false;
        return true;
    }

    /** A copy of the packet's start, enough for an ICMP error's quote. */
    static IpPacket head(IpPacket ip) {
        int keep = Math.min(ip.l4Off() + ip.l4Len(), ip.v6() ? 1232 : ip.l4Off() + 8);
        return new IpPacket(ip.v6(), ip.src(), ip.dst(), ip.proto(), IpPacket.slice(ip.data(), 0, keep), ip.l4Off(),
                keep - ip.l4Off());
    }
}
