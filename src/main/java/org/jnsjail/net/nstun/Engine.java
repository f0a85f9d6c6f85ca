package org.jnsjail.net.nstun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jnsjail.model.UserNet.Proto;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

/**
 * The stack's event loop and its only thread: every flow, buffer and host socket is touched here
 * and nowhere else, so no state is locked. The loop reads the TUN fd itself (non-blocking, a batch
 * per turn) and host sockets through a Selector; both end in the flows, whose output is written to
 * the TUN fd one packet per write(2) (TCP data gathered from the flow's ring with writev(2), no copy).
 * The Selector watches the TUN fd too, through a {@link TunChannel}, so a guest packet wakes the loop
 * directly; where that cannot be set up, the {@link TunReader} thread watches it (epoll, one-shot)
 * while the loop sleeps and wakes the Selector. Either way packets never change threads.
 */
final class Engine implements Runnable {

    /** What a selection key's attachment does when its channel is ready. */
    interface Handler {
        void ready(SelectionKey k);

        /** A bug surfaced while handling this channel: end it (the stack goes on). */
        void fail();
    }

    static final int MAX_TCP = 4096, MAX_UDP = 1024, MAX_PING = 256;
    /** Ring storage for all flows of one stack; each flow may use up to 256 KiB each way within it. */
    static final long BUFFER_BUDGET = 128L << 20;
    private static final long TICK_FAST = TimeUnit.MILLISECONDS.toNanos(20), TICK_SLOW = TimeUnit.SECONDS.toNanos(1);
    static final int EPOLLIN = 0x1, EPOLLONESHOT = 1 << 30, EPOLL_CTL_ADD = 1, EPOLL_CTL_MOD = 3, EPOLL_CLOEXEC = 0x80000;
    /** Guest packets read per loop turn, so host sockets are served between batches (a flooding guest queues in its TUN). */
    private static final int TUN_BATCH = 64;

    final StackConfig cfg;
    private final String label;
    private final int tunFd;
    private final Selector selector;
    private final Map<FlowKey, TcpFlow> tcp = new HashMap<>();
    private final Map<FlowKey, UdpFlow> udp = new HashMap<>();
    private final Map<Long, HostListener> udpReplies = new HashMap<>();
    private final List<HostListener> listeners = new ArrayList<>();
    private final ArrayDeque<TcpFlow> dirty = new ArrayDeque<>();
    private final ByteRing.Budget budget = new ByteRing.Budget(BUFFER_BUDGET);
    private final SecureRandom random = new SecureRandom();
    private final byte[] randomBlock = new byte[1024];
    private int randomLeft;
    private final Ping ping;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment tx, iov, epollEvent, tunIn;
    private final byte[] txHeader = new byte[128];
    private final byte[] rxPacket = new byte[Nstun.MTU + 4096];
    /** The epoll set the TunReader waits in: the TUN fd (one-shot) and the wake pipe. */
    private int epollFd = -1;
    /** Set by the TunReader when the one-shot fired: the TUN fd must be re-armed before the loop sleeps. */
    private volatile boolean tunFired;
    private boolean tunMore, tunDead;
    /** The Selector reported the TUN fd readable this turn (with a TunChannel, turns without it skip the read). */
    private boolean tunReadable;
    /** The TUN fd as the Selector sees it (see {@link TunChannel}); null when the watcher thread is used. */
    private java.nio.channels.DatagramChannel tunChannel;
    private SelectionKey tunKey;
    /** For tests: use the watcher thread even where a TunChannel could be made. */
    static volatile boolean forceWatcher;
    private final java.nio.ByteBuffer rx = java.nio.ByteBuffer.allocate(65536);
    /** tunIn as a ByteBuffer: guest bytes are written to host sockets from here, so the JDK need not copy them to native memory first. */
    private final java.nio.ByteBuffer tunView;
    /** The TCP flow of the last guest segment: a bulk transfer's segments skip building a FlowKey and the map lookup. */
    private TcpFlow lastTcp;
    private volatile boolean stop;
    private long now = System.nanoTime(), nextTick;
    private int ipId, nextEphemeral = 49152;
    private long tunDrops;
    private boolean warnedTcpCap, warnedUdpCap;

    Engine(StackConfig cfg, int tunFd, String label) throws IOException {
        this.cfg = cfg;
        this.tunFd = tunFd;
        this.label = label;
        this.selector = Selector.open();
        this.tx = arena.allocate(Nstun.MTU + 64, 64);
        this.iov = arena.allocate(3 * Structs.Iovec.SIZE, 8);
        this.epollEvent = arena.allocate(Structs.EpollEvent.SIZE, 8);
        this.tunIn = arena.allocate(rxPacket.length, 64);
        this.tunView = tunIn.asByteBuffer();
        this.ping = new Ping(this);
        this.share = FlowBudget.register(selector::wakeup); // last: nothing after it can fail
    }

    /** Opens the HOST_TO_GUEST listeners (before the thread starts, so a busy port fails the start). */
    void listen() throws IOException {
        for (HostListener l : HostListener.open(this, cfg.listens())) {
            listeners.add(l);
            l.register(selector);
        }
        FlowBudget.reserve(share, listeners.size()); // configured by the user, not the jail: counted, never refused
    }

    // ---- services for the flows -----------------------------------------------------------------

    Selector selector() {
        return selector;
    }

    long now() {
        return now;
    }

    int ipId() {
        return ipId++ & 0xffff;
    }

    /** An unpredictable int (ISNs, RFC 6528 §3); drawn from the SecureRandom a block at a time, as each draw is costly. */
    int random() {
        if (randomLeft == 0) {
            random.nextBytes(randomBlock);
            randomLeft = randomBlock.length;
        }
        randomLeft -= 4;
        int v = IpPacket.s32(randomBlock, randomLeft);
        IpPacket.put32(randomBlock, randomLeft, 0); // used once only
        return v;
    }

    /**
     * b[off, off+n) as a buffer to write to a channel: when b is the guest packet being handled, the same
     * bytes in the native buffer the packet was read into (valid until the next guest packet); else b wrapped.
     */
    java.nio.ByteBuffer guestBytes(byte[] b, int off, int n) {
        if (b != rxPacket) return java.nio.ByteBuffer.wrap(b, off, n);
        tunView.clear().position(off).limit(off + n);
        return tunView;
    }

    /** A 64 KiB scratch buffer for datagrams read from host sockets. */
    java.nio.ByteBuffer rx() {
        return rx;
    }

    ByteRing ring(int limit) {
        return new ByteRing(budget, limit);
    }

    /** The MSS the stack advertises: the MTU less the IP and TCP headers. */
    int mss(boolean v6) {
        return Nstun.MTU - (v6 ? 60 : 40);
    }

    byte[] guestIp(boolean v6) {
        return v6 ? cfg.ip6() : cfg.ip4();
    }

    byte[] gw(boolean v6) {
        return v6 ? cfg.gw6() : cfg.gw4();
    }

    void debug(String msg) {
        if (Log.enabled(Log.Level.DEBUG)) Log.debug("nstun " + label + ": " + msg);
    }

    void info(String msg) {
        Log.info("nstun " + label + ": " + msg);
    }

    void warn(String msg) {
        Log.warn("nstun " + label + ": " + msg);
    }

    void dirty(TcpFlow f) {
        if (!f.queued && f.state != TcpFlow.State.CLOSED) {
            f.queued = true;
            dirty.add(f);
        }
    }

    void removeTcp(TcpFlow f) {
        if (lastTcp == f) lastTcp = null;
        if (tcp.remove(f.key, f)) giveBack(1);
    }

    void removeUdp(UdpFlow f) {
        if (udp.remove(f.key, f)) giveBack(f.sockets());
    }

    /** This stack's account in the supervisor-wide FlowBudget: every host socket it holds. */
    private final FlowBudget.Share share;
    private boolean warnedBudget, warnedReclaim;

    /** n host sockets for a new flow (see FlowBudget for what each answer means to the guest). */
    FlowBudget.Grant takeBudget(int n) {
        FlowBudget.Grant g = FlowBudget.take(share, n);
        switch (g) {
            case GRANTED -> warnedBudget = false;
            case REFUSED -> {
                if (!warnedBudget) warn("this jail holds " + share.used() + " of the supervisor's " + FlowBudget.limit()
                        + " host sockets for user_net (half of RLIMIT_NOFILE), shared fairly by " + FlowBudget.stacks()
                        + " jails: refusing new flows while they are wanted");
                warnedBudget = true;
            }
            case DEFERRED -> debug("no host socket free for a new flow: the guest's packet is dropped while jails over"
                    + " their share give some back");
        }
        return g;
    }

    void giveBack(int n) {
        FlowBudget.give(share, n);
    }

    /** The FlowBudget asked for sockets back: ends the flows idle longest, TCP with a RST to the guest. */
    private void reclaim() {
        int want = share.reclaimWanted();
        if (want <= 0) return;
        if (!warnedReclaim) warn("over its fair share of the supervisor's host sockets for user_net while other jails"
                + " need theirs: ending the " + want + " flow(s) idle longest");
        warnedReclaim = true;
        int freed = 0;
        for (int guard = tcp.size() + udp.size() + MAX_PING + 1; freed < want && guard > 0; guard--) {
            TcpFlow t = null;
            for (TcpFlow f : tcp.values()) if (t == null || f.lastActive() - t.lastActive() < 0) t = f;
            UdpFlow u = null;
            for (UdpFlow f : udp.values()) if (u == null || f.lastActive() - u.lastActive() < 0) u = f;
            long p = ping.oldestActive();
            long tAt = t == null ? Long.MAX_VALUE : t.lastActive(), uAt = u == null ? Long.MAX_VALUE : u.lastActive();
            if (t == null && u == null && p == Long.MAX_VALUE) break;
            if (t != null && tAt - uAt <= 0 && (p == Long.MAX_VALUE || tAt - p <= 0)) {
                t.abort(true);
                freed++;
            } else if (u != null && (p == Long.MAX_VALUE || uAt - p <= 0)) {
                freed += u.sockets();
                u.close();
            } else {
                ping.closeOldest();
                freed++;
            }
        }
    }

    void addUdpReply(boolean v6, int guestPort, int hostPort, HostListener l) {
        udpReplies.put(replyKey(v6, guestPort, hostPort), l);
    }

    private static long replyKey(boolean v6, int guestPort, int hostPort) {
        return (v6 ? 1L << 32 : 0) | ((long) guestPort << 16) | hostPort;
    }

    /** Writes one packet to the TUN fd. A full queue (EAGAIN) drops it, as a congested link would. */
    void toGuest(byte[] p) {
        if (p.length > tx.byteSize()) return;
        MemorySegment.copy(p, 0, tx, ValueLayout.JAVA_BYTE, 0, p.length);
        for (;;) {
            long r = Libc.sys(Syscall.SYS_write, tunFd, tx.address(), p.length, 0, 0, 0);
            if (r >= 0) return;
            if (!retry()) return;
        }
    }

    /** Scratch space for the headers of one packet to {@link #toGuest(byte[], int, ByteRing, int, int)}. */
    byte[] txHeader() {
        return txHeader;
    }

    /**
     * Writes one packet made of hdr[0, hdrLen) and len bytes of ring from offset off: one writev(2), the
     * payload taken straight from the ring's storage (IFF_NO_PI: one write is one packet, however gathered).
     */
    void toGuest(byte[] hdr, int hdrLen, ByteRing ring, int off, int len) {
        if (hdrLen + len > tx.byteSize()) return;
        MemorySegment.copy(hdr, 0, tx, ValueLayout.JAVA_BYTE, 0, hdrLen);
        final int one = Structs.Iovec.SIZE, base = Structs.Iovec.BASE, length = Structs.Iovec.LEN;
        iov.set(ValueLayout.JAVA_LONG, base, tx.address());
        iov.set(ValueLayout.JAVA_LONG, length, hdrLen);
        int n = 1;
        if (len > 0) {
            int first = ring.run(off, len);
            long storage = ring.storage().address();
            iov.set(ValueLayout.JAVA_LONG, one + base, storage + ring.at(off));
            iov.set(ValueLayout.JAVA_LONG, one + length, first);
            n = 2;
            if (first < len) {
                iov.set(ValueLayout.JAVA_LONG, 2 * one + base, storage);
                iov.set(ValueLayout.JAVA_LONG, 2 * one + length, len - first);
                n = 3;
            }
        }
        for (;;) {
            long r = Libc.sys(Syscall.SYS_writev, tunFd, iov.address(), n, 0, 0, 0);
            if (r >= 0) return;
            if (!retry()) return;
        }
    }

    /** After a failed TUN write: whether to try again (EINTR); anything else drops the packet. */
    private boolean retry() {
        int e = Libc.errno();
        if (e == Errno.EINTR) return true;
        if (tunDrops++ % 1000 == 0) debug("write to the TUN device failed (" + Errno.describe(e) + "), packet dropped");
        return false;
    }

    /** RFC 9293 §3.10.7.1: the RST answering a segment that belongs to no connection. */
    void sendRstFor(boolean v6, byte[] from, byte[] to, TcpSegment s) {
        if (s.has(TcpSegment.RST)) return;
        byte[] p = s.has(TcpSegment.ACK)
                ? TcpSegment.build(v6, from, to, s.dport(), s.sport(), s.ack(), 0, TcpSegment.RST, 0, -1, null, 0, 0, ipId())
                : TcpSegment.build(v6, from, to, s.dport(), s.sport(), 0, s.seq() + s.seqLen(), TcpSegment.RST | TcpSegment.ACK, 0,
                        -1, null, 0, 0, ipId());
        toGuest(p);
    }

    /** ICMP(v6) destination unreachable about orig; port says port (else host/address) unreachable. */
    void unreachable(IpPacket orig, boolean port) {
        int code = orig.v6() ? (port ? Icmp.PORT6 : Icmp.ADDR6) : (port ? Icmp.PORT4 : Icmp.HOST4);
        toGuest(Icmp.unreachable(orig, orig.dst(), code, ipId()));
    }

    // ---- watching the TUN fd -------------------------------------------------------------------------

    /** Registers the TUN fd with the Selector (before the thread starts); false when the watcher thread is needed. */
    boolean selectTun() {
        if (forceWatcher) return false;
        tunChannel = TunChannel.open(tunFd);
        if (tunChannel == null) return false;
        try {
            tunKey = tunChannel.register(selector, SelectionKey.OP_READ, new Handler() {
                @Override
                public void ready(SelectionKey k) {
                    tunReadable = true; // the loop reads it after the host sockets
                }

                @Override
                public void fail() {
                    tunDead();
                }
            });
            return true;
        } catch (IOException e) {
            close(tunChannel);
            tunChannel = null;
            return false;
        }
    }

    /** The TUN fd failed or closed: stop reading it (and stop the Selector reporting it, level-triggered, forever). */
    private void tunDead() {
        tunDead = true;
        if (tunKey != null) tunKey.cancel();
    }

    /** Creates the epoll set the {@link TunReader} waits in: the TUN fd, armed once, and the wake pipe. */
    void openWatch(int wakeFd) throws IOException {
        long fd = Libc.sys(Syscall.SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
        if (fd < 0) throw new IOException("epoll_create1: " + Errno.describe(Libc.errno()));
        epollFd = (int) fd;
        if (epollCtl(EPOLL_CTL_ADD, tunFd, EPOLLIN | EPOLLONESHOT) < 0 || epollCtl(EPOLL_CTL_ADD, wakeFd, EPOLLIN) < 0) {
            throw new IOException("epoll_ctl: " + Errno.describe(Libc.errno()));
        }
    }

    int epollFd() {
        return epollFd;
    }

    /** Closes the epoll set once both threads are gone. */
    void closeWatch() {
        if (epollFd >= 0) Libc.close(epollFd);
        epollFd = -1;
    }

    private long epollCtl(int op, int fd, int events) {
        epollEvent.set(ValueLayout.JAVA_INT, Structs.EpollEvent.EVENTS, events);
        epollEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, Structs.EpollEvent.DATA, fd);
        return Libc.sys(Syscall.SYS_epoll_ctl, epollFd, op, fd, epollEvent.address(), 0, 0);
    }

    /** Called by the TunReader: the TUN fd became readable (or failed) while the loop may sleep. */
    void tunReady() {
        tunFired = true;
        selector.wakeup();
    }

    /** Before sleeping: re-arms the one-shot if it fired (EPOLL_CTL_MOD reports data already queued at once). */
    private void armWatch() {
        if (!tunFired || tunDead || epollFd < 0) return;
        tunFired = false;
        if (epollCtl(EPOLL_CTL_MOD, tunFd, EPOLLIN | EPOLLONESHOT) < 0) {
            debug("epoll_ctl on the TUN device failed: " + Errno.describe(Libc.errno()));
            tunDead();
        }
    }

    /** Reads and handles up to TUN_BATCH guest packets; true when more may be waiting. */
    private boolean drainTun() {
        if (tunDead) return false;
        for (int i = 0; i < TUN_BATCH;) {
            long n = Libc.sys(Syscall.SYS_read, tunFd, tunIn.address(), tunIn.byteSize(), 0, 0, 0);
            if (n < 0) {
                int e = Libc.errno();
                if (e == Errno.EINTR) continue;
                if (e == Errno.EAGAIN) return false;
                debug("read from the TUN device failed: " + Errno.describe(e));
                tunDead();
                return false;
            }
            if (n == 0) {
                debug("the TUN device is closed");
                tunDead();
                return false;
            }
            MemorySegment.copy(tunIn, ValueLayout.JAVA_BYTE, 0, rxPacket, 0, (int) n);
            fromGuest(rxPacket, (int) n);
            i++;
        }
        return true;
    }

    void stop() {
        stop = true;
        selector.wakeup();
    }

    // ---- the loop ---------------------------------------------------------------------------------

    @Override
    public void run() {
        try {
            loop();
        } finally {
            cleanup();
        }
    }

    private void loop() {
        while (!stop) {
            try {
                long wait = tunMore || !dirty.isEmpty() ? 0 : Math.max(1, (nextTick - System.nanoTime()) / 1_000_000);
                if (ping.active()) wait = Math.min(wait, 10);
                if (wait == 0) {
                    selector.selectNow();
                } else {
                    armWatch();
                    selector.select(wait);
                }
                now = System.nanoTime();
                reclaim();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) continue;
                    try {
                        ((Handler) k.attachment()).ready(k);
                    } catch (RuntimeException e) {
                        debug("host socket event failed: " + org.jnsjail.log.Quote.describe(e));
                        k.cancel();
                        ((Handler) k.attachment()).fail();
                    }
                }
                if (tunKey == null || tunReadable || tunMore) tunMore = drainTun();
                tunReadable = false;
                ping.poll();
                if (now - nextTick >= 0) tick();
                flush();
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // Never let one bad event end the stack; the loop goes on with the next one.
                debug("event loop: " + org.jnsjail.log.Quote.describe(e));
            } catch (OutOfMemoryError e) {
                warn("out of memory in the event loop: " + e.getMessage());
            }
        }
    }

    private void flush() {
        TcpFlow f;
        while ((f = dirty.poll()) != null) {
            f.queued = false;
            try {
                f.pump();
            } catch (RuntimeException e) {
                debug("TCP " + f.key.text() + ": " + org.jnsjail.log.Quote.describe(e));
                f.abort(true);
            }
            if (f.timerArmed() && nextTick - now > TICK_FAST) nextTick = now + TICK_FAST;
        }
    }

    private void tick() {
        boolean armed = false;
        for (TcpFlow f : new ArrayList<>(tcp.values())) {
            try {
                f.tick(now);
            } catch (RuntimeException e) {
                debug("TCP " + f.key.text() + ": " + org.jnsjail.log.Quote.describe(e));
                f.abort(true);
            }
            armed |= f.timerArmed();
        }
        for (UdpFlow f : new ArrayList<>(udp.values())) f.tick(now);
        ping.tick(now);
        nextTick = now + (armed ? TICK_FAST : TICK_SLOW);
    }

    // ---- guest packets --------------------------------------------------------------------------

    /** Handles one guest packet, p[0, len); p is reused afterwards, so nothing may keep it. */
    private void fromGuest(byte[] p, int len) {
        IpPacket ip = null;
        try {
            ip = IpPacket.parse(p, len);
            checkAddresses(ip);
            switch (ip.proto()) {
                case IpPacket.TCP -> onTcp(ip);
                case IpPacket.UDP -> onUdp(ip);
                case IpPacket.ICMP, IpPacket.ICMPV6 -> {
                    if ((ip.proto() == IpPacket.ICMPV6) != ip.v6()) throw new BadPacket("ICMP of the other IP version");
                    onIcmp(ip);
                }
                default -> throw new BadPacket("IP protocol " + ip.proto());
            }
        } catch (BadPacket e) {
            if (Log.enabled(Log.Level.DEBUG)) debug("dropped a guest packet" + from(ip) + ": " + e.getMessage());
        } catch (RuntimeException e) {
            debug("guest packet" + from(ip) + " failed: " + org.jnsjail.log.Quote.describe(e));
        }
    }

    private static String from(IpPacket ip) {
        return ip == null ? "" : " " + addrText(ip.src()) + " -> " + addrText(ip.dst());
    }

    static String addrText(byte[] a) {
        return a.length == 16 ? FlowKey.text6(a) : Rules.inet(a).getHostAddress();
    }

    /** Ingress filter: the guest may only use its own address, and never aim at loopback, broadcast or multicast. */
    private void checkAddresses(IpPacket ip) throws BadPacket {
        byte[] s = ip.src(), d = ip.dst();
        if (!ip.v6()) {
            if (!Arrays.equals(s, cfg.ip4()) && !isZero(s)) throw new BadPacket("spoofed source");
            int d0 = d[0] & 0xff;
            if (d0 == 127 || isZero(d) || (d0 & 0xf0) == 224 || Arrays.equals(d, BROADCAST) || Arrays.equals(d, cfg.ip4())) {
                throw new BadPacket("loopback, unspecified, broadcast, multicast or own destination");
            }
        } else {
            boolean linkLocal = (s[0] & 0xff) == 0xfe && (s[1] & 0xc0) == 0x80;
            if (!Arrays.equals(s, cfg.ip6()) && !isZero(s) && !linkLocal) throw new BadPacket("spoofed source");
            if (isZero(d) || Arrays.equals(d, LOOPBACK6) || (d[0] & 0xff) == 0xff || ((d[0] & 0xff) == 0xfe && (d[1] & 0x80) == 0x80)
                    || v4Mapped(d) || Arrays.equals(d, cfg.ip6())) {
                throw new BadPacket("loopback, unspecified, v4-mapped, multicast, link/site-local or own destination");
            }
        }
    }

    private static final byte[] BROADCAST = {(byte) 255, (byte) 255, (byte) 255, (byte) 255};
    private static final byte[] LOOPBACK6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private static boolean isZero(byte[] a) {
        for (byte b : a) if (b != 0) return false;
        return true;
    }

    private static boolean v4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private Rules rules(boolean v6) {
        return v6 ? cfg.rules6() : cfg.rules4();
    }

    private void onTcp(IpPacket ip) throws BadPacket {
        TcpSegment s = TcpSegment.parse(ip);
        TcpFlow f = lastTcp;
        // A flow that is not CLOSED is in the map (flows are added when made and removed only once CLOSED).
        if (f != null && f.state != TcpFlow.State.CLOSED && f.is(ip.src(), s.sport(), ip.dst(), s.dport())) {
            f.onSegment(s);
            return;
        }
        FlowKey key = FlowKey.of(ip.src(), s.sport(), ip.dst(), s.dport());
        f = tcp.get(key);
        if (f != null) {
            lastTcp = f;
            f.onSegment(s);
            return;
        }
        if (s.has(TcpSegment.RST)) return;
        if (!s.has(TcpSegment.SYN) || s.has(TcpSegment.ACK) || s.has(TcpSegment.FIN)) {
            sendRstFor(ip.v6(), ip.dst(), ip.src(), s);
            return;
        }
        Verdict v = rules(ip.v6()).decide(Proto.TCP, ip.src(), s.sport(), ip.dst(), s.dport());
        InetSocketAddress target;
        ProxyHandshake hs = null;
        switch (v) {
            case Verdict.Drop _ -> {
                debug("TCP " + key.text() + ": dropped by a rule");
                return;
            }
            case Verdict.Direct d -> target = new InetSocketAddress(Rules.inet(d.addr()), d.port());
            case Verdict.Socks5 p -> {
                target = p.proxy();
                hs = new ProxyHandshake.Socks5(ProxyHandshake.Socks5.CONNECT, p.addr(), p.port());
            }
            case Verdict.HttpConnect p -> {
                target = p.proxy();
                hs = new ProxyHandshake.HttpConnect(p.addr(), p.port());
            }
            case Verdict.Reject _ -> {
                debug("TCP " + key.text() + ": rejected");
                sendRstFor(ip.v6(), ip.dst(), ip.src(), s);
                return;
            }
            case Verdict.Gateway _ -> {
                sendRstFor(ip.v6(), ip.dst(), ip.src(), s);
                return;
            }
        }
        if (tcp.size() >= MAX_TCP) {
            if (!warnedTcpCap) warn("more than " + MAX_TCP + " TCP connections; refusing new ones");
            warnedTcpCap = true;
            sendRstFor(ip.v6(), ip.dst(), ip.src(), s);
            return;
        }
        warnedTcpCap = false;
        switch (takeBudget(1)) {
            case GRANTED -> { }
            case REFUSED -> {
                sendRstFor(ip.v6(), ip.dst(), ip.src(), s);
                return;
            }
            case DEFERRED -> {
                return; // the guest retransmits its SYN (RFC 6298 §5): by then a socket is free
            }
        }
        f = TcpFlow.fromGuest(this, key, ip, s);
        tcp.put(key, f);
        if (Log.enabled(Log.Level.DEBUG)) {
            debug("TCP " + key.text() + ": connecting to " + FlowKey.text(target.getAddress(), target.getPort())
                    + (hs == null ? "" : " (proxy)"));
        }
        try {
            f.connect(target, hs);
        } catch (IOException | RuntimeException e) {
            debug("TCP " + key.text() + ": connect to " + FlowKey.text(target.getAddress(), target.getPort()) + " failed: " + org.jnsjail.log.Quote.describe(e));
            f.abort(true);
        }
    }

    private void onUdp(IpPacket ip) throws BadPacket {
        Udp u = Udp.parse(ip);
        if (Arrays.equals(ip.dst(), gw(ip.v6()))) {
            HostListener l = udpReplies.get(replyKey(ip.v6(), u.sport(), u.dport()));
            if (l != null) {
                l.fromGuest(ip.v6(), u);
                return;
            }
        }
        FlowKey key = FlowKey.of(ip.src(), u.sport(), ip.dst(), u.dport());
        UdpFlow f = udp.get(key);
        if (f == null) {
            Verdict v = rules(ip.v6()).decide(Proto.UDP, ip.src(), u.sport(), ip.dst(), u.dport());
            switch (v) {
                case Verdict.Drop _ -> {
                    debug("UDP " + key.text() + ": dropped by a rule");
                    return;
                }
                case Verdict.Reject _ -> {
                    debug("UDP " + key.text() + ": rejected");
                    unreachable(ip, true);
                    return;
                }
                case Verdict.Gateway _ -> {
                    unreachable(ip, true);
                    return;
                }
                default -> {}
            }
            if (udp.size() >= MAX_UDP) {
                if (!warnedUdpCap) warn("more than " + MAX_UDP + " UDP flows; dropping datagrams of new ones");
                warnedUdpCap = true;
                return;
            }
            warnedUdpCap = false;
            int sockets = UdpFlow.sockets(v);
            if (takeBudget(sockets) != FlowBudget.Grant.GRANTED) return; // dropped, as on a congested link
            try {
                f = UdpFlow.open(this, key, ip, u, v);
            } catch (IOException e) {
                giveBack(sockets);
                debug("UDP " + key.text() + ": " + org.jnsjail.log.Quote.describe(e));
                unreachable(ip, false);
                return;
            }
            udp.put(key, f);
        }
        f.fromGuest(ip, u);
    }

    private void onIcmp(IpPacket ip) throws BadPacket {
        Icmp.Message m = Icmp.parse(ip);
        int request = ip.v6() ? Icmp.ECHO_REQUEST6 : Icmp.ECHO_REQUEST4;
        if (m.type() != request || m.code() != 0) throw new BadPacket("ICMP type " + m.type() + " code " + m.code() + " not relayed");
        Verdict v = rules(ip.v6()).decide(Proto.ICMP, ip.src(), 0, ip.dst(), 0);
        switch (v) {
            case Verdict.Drop _ -> debug("ICMP echo to " + addrText(ip.dst()) + ": dropped by a rule");
            case Verdict.Gateway _ -> toGuest(Icmp.echo(ip.v6(), ip.dst(), ip.src(), ip.v6() ? Icmp.ECHO_REPLY6 : Icmp.ECHO_REPLY4,
                    IpPacket.u16(m.buf(), m.off() + 4), m.buf(), m.off() + 6, m.len() - 6, ipId()));
            case Verdict.Direct d -> ping.request(ip, m, d.addr());
            default -> unreachable(ip, true);
        }
    }

    // ---- HOST_TO_GUEST ------------------------------------------------------------------------------

    /** A host connection accepted by a HOST_TO_GUEST listener becomes a connection from the gateway to the guest. */
    void acceptedTcp(boolean v6, int guestPort, java.nio.channels.SocketChannel ch) {
        if (tcp.size() >= MAX_TCP || takeBudget(1) != FlowBudget.Grant.GRANTED) {
            close(ch);
            return;
        }
        byte[] guest = guestIp(v6), gw = gw(v6);
        FlowKey key = null;
        int port = 0;
        for (int i = 0; i < 16384 && key == null; i++) {
            port = nextEphemeral;
            nextEphemeral = nextEphemeral == 65535 ? 49152 : nextEphemeral + 1;
            FlowKey k = FlowKey.of(guest, guestPort, gw, port);
            if (!tcp.containsKey(k)) key = k;
        }
        if (key == null) {
            giveBack(1);
            close(ch);
            return;
        }
        try {
            TcpFlow f = TcpFlow.fromHost(this, key, v6, guest, guestPort, gw, port, ch);
            tcp.put(key, f);
            debug("TCP " + key.text() + ": from host " + ch.getRemoteAddress());
        } catch (IOException e) {
            if (!tcp.containsKey(key)) giveBack(1);
            debug("accepted connection: " + org.jnsjail.log.Quote.describe(e));
            close(ch);
        }
    }

    private static void close(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    // ---- shutdown -----------------------------------------------------------------------------------

    private void cleanup() {
        for (TcpFlow f : new ArrayList<>(tcp.values())) f.shutdown();
        for (UdpFlow f : new ArrayList<>(udp.values())) f.close();
        for (HostListener l : listeners) l.close();
        listeners.clear();
        ping.closeAll();
        try {
            selector.close();
        } catch (IOException e) {
            // nothing more to do
        }
        if (tunChannel != null) close(tunChannel); // closes the TUN fd's duplicate only
        arena.close();
        FlowBudget.unregister(share); // whatever a flow's own close did not return
    }

    /** Closes what {@link #listen} opened when the thread never ran. */
    void cleanupUnstarted() {
        cleanup();
    }

    /** For tests and logs: the number of live flows. */
    int tcpFlows() {
        return tcp.size();
    }
}
