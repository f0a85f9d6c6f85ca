package org.jnsjail.net.nstun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.jnsjail.model.UserNet;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.PollSet;

/**
 * The test's guest: one end of a socketpair(AF_UNIX, SOCK_SEQPACKET), which keeps packet
 * boundaries exactly like a TUN fd; the other end is given to {@link Nstun#start}. Packets are
 * built with the stack's own codecs (checked separately against known vectors).
 */
final class FakeGuest implements AutoCloseable {
    static final int SOCK_SEQPACKET = 5;
    static final byte[] IP4 = {10, (byte) 255, (byte) 255, 2}, GW4 = {10, (byte) 255, (byte) 255, 1};
    static final byte[] IP6 = Cidr.address("fc00::2", true), GW6 = Cidr.address("fc00::1", true);

    final Nstun stack;
    private final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(70000, 8);
    private final PollSet ps = new PollSet(1);
    /** Packets read while waiting for something else, offered again to the next waits. */
    private final List<IpPacket> backlog = new ArrayList<>();
    private int ipId;

    private FakeGuest(Nstun stack, int fd) {
        this.stack = stack;
        this.fd = fd;
    }

    static FakeGuest start(UserNet cfg) throws Exception {
        int[] sp = Libc.socketpair(Fcntl.AF_UNIX, SOCK_SEQPACKET | Fcntl.SOCK_CLOEXEC, 0);
        Nstun n;
        try {
            n = Nstun.start(cfg, sp[1], "test");
        } catch (Exception e) {
            Libc.close(sp[0]);
            throw e;
        }
        return new FakeGuest(n, sp[0]);
    }

    static UserNet cfg(List<UserNet.Rule> rule4, List<UserNet.Rule> rule6) {
        UserNet d = UserNet.DEFAULT;
        return new UserNet(d.backend(), d.ip4(), d.gw4(), d.ip6(), d.gw6(), d.nsIface(), rule4, rule6, null);
    }

    static UserNet.Rule rule(UserNet.Action action, UserNet.Proto proto, String dstIp, int dport, String redirectIp, int redirectPort) {
        return new UserNet.Rule(UserNet.Direction.GUEST_TO_HOST, action, proto, null, 0, 0, dstIp, dport, dport, redirectIp,
                redirectPort);
    }

    static UserNet.Rule hostToGuest(UserNet.Proto proto, int port, int guestPort) {
        return new UserNet.Rule(UserNet.Direction.HOST_TO_GUEST, UserNet.Action.REDIRECT, proto, null, 0, 0, null, port, port,
                null, guestPort);
    }

    int ipId() {
        return ipId++ & 0xffff;
    }

    void send(byte[] packet) throws Exception {
        MemorySegment m = arena.allocate(packet.length);
        MemorySegment.copy(packet, 0, m, ValueLayout.JAVA_BYTE, 0, packet.length);
        Libc.writeFully(fd, m);
    }

    /** The next packet from the stack, or null after timeoutMs. */
    IpPacket recv(long timeoutMs) throws Exception {
        if (!backlog.isEmpty()) return backlog.removeFirst();
        return read(timeoutMs);
    }

    private IpPacket read(long timeoutMs) throws Exception {
        ps.clear();
        ps.add(fd, PollEvent.POLLIN.bit);
        if (ps.poll((int) timeoutMs) <= 0) return null;
        long n = Libc.read(fd, buf, buf.byteSize());
        byte[] p = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        return IpPacket.parse(p, p.length);
    }

    /** Waits for a packet matching want; others are kept for later waits. Null after timeoutMs. */
    IpPacket await(Predicate<IpPacket> want, long timeoutMs) throws Exception {
        for (int i = 0; i < backlog.size(); i++) {
            if (want.test(backlog.get(i))) return backlog.remove(i);
        }
        long end = System.currentTimeMillis() + timeoutMs;
        for (;;) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return null;
            IpPacket p = read(left);
            if (p == null) return null;
            if (want.test(p)) return p;
            if (backlog.size() < 10000) backlog.add(p);
        }
    }

    /** Forgets what arrived so far and was not wanted. */
    void clearBacklog() {
        backlog.clear();
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        stack.close();
        Libc.close(fd);
        ps.close();
        arena.close();
    }
}
