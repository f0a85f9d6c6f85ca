package org.jnsjail.net.nstun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.PollSet;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

/**
 * Guest echo requests to other hosts, sent through unprivileged ICMP "ping" sockets
 * (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), icmp(7); AF_INET6/IPPROTO_ICMPV6 likewise), one per
 * (guest echo id, destination). The kernel picks the id on the wire; replies get the guest's id
 * back. These are raw fds, not Java channels, so the engine polls them without blocking on each
 * turn of its loop while any exists (it then turns at least every 10 ms). When the kernel refuses
 * ping sockets (net.ipv4.ping_group_range excludes the supervisor's group), the guest gets host
 * unreachable and the log one warning with the sysctl that allows them.
 */
final class Ping {
    private static final long IDLE = TimeUnit.SECONDS.toNanos(10);
    private static final int AF_INET = 2, AF_INET6 = 10, SOCK_DGRAM = 2, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    private static final int IPPROTO_ICMP = 1, IPPROTO_ICMPV6 = 58, MSG_DONTWAIT = 0x40;

    private record Key(boolean v6, int guestId, InetAddress target) {}

    private static final class Flow {
        final int fd;
        final boolean v6;
        final byte[] guestIp, replyFrom;
        final int guestId;
        long lastActive;

        Flow(int fd, boolean v6, byte[] guestIp, byte[] replyFrom, int guestId) {
            this.fd = fd;
            this.v6 = v6;
            this.guestIp = guestIp;
            this.replyFrom = replyFrom;
            this.guestId = guestId;
        }
    }

    /** How a ping socket is opened: an fd, or -1 with errno set. */
    interface Opener {
        int open(boolean v6);
    }

    /** icmp(7) "ping" sockets; tests where the kernel refuses them (ping_group_range) substitute another datagram socket. */
    static final Opener ICMP = v6 -> (int) Libc.sys(Syscall.SYS_socket, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
            v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0, 0, 0);
    static volatile Opener opener = ICMP;

    private final Engine eng;
    private final Map<Key, Flow> flows = new HashMap<>();
    private boolean warned;
    private PollSet pollSet;
    private Arena arena;
    private MemorySegment buf;

    Ping(Engine eng) {
        this.eng = eng;
    }

    boolean active() {
        return !flows.isEmpty();
    }

    private void ensureBuffers() {
        if (arena == null) {
            arena = Arena.ofConfined(); // created and used by the engine thread only
            buf = arena.allocate(65536 + 64, 8);
            pollSet = new PollSet(16);
        }
    }

    /** Sends the guest's echo request (ip, m) to target, answering host unreachable when no ping socket can be had. */
    void request(IpPacket ip, Icmp.Message m, byte[] target) {
        ensureBuffers();
        if (ip.v6() != (target.length == 16)) { // rules keep the family; a mismatch cannot be relayed
            eng.unreachable(ip, false);
            return;
        }
        int guestId = IpPacket.u16(m.buf(), m.off() + 4);
        boolean v6 = target.length == 16;
        Key key = new Key(v6, guestId, Rules.inet(target));
        Flow f = flows.get(key);
        if (f == null) {
            if (flows.size() >= Engine.MAX_PING) {
                eng.unreachable(ip, false);
                return;
            }
            // A ping socket is a host socket like any flow's: it counts in the supervisor-wide budget.
            switch (eng.takeBudget(1)) {
                case GRANTED -> { }
                case REFUSED -> {
                    eng.unreachable(ip, false);
                    return;
                }
                case DEFERRED -> {
                    return; // dropped: ping sends the next request a second later
                }
            }
            int fd = opener.open(v6);
            if (fd < 0) {
                int e = Libc.errno();
                eng.giveBack(1);
                if (!warned) {
                    warned = true;
                    eng.warn("cannot open an ICMP" + (v6 ? "v6" : "") + " ping socket (" + Errno.describe(e)
                            + "): echo requests from the jail get host unreachable. You may need: "
                            + "sysctl -w net.ipv4.ping_group_range='0 2147483647'");
                }
                eng.unreachable(ip, false);
                return;
            }
            f = new Flow(fd, v6, ip.src(), ip.dst(), guestId);
            flows.put(key, f);
        }
        f.lastActive = eng.now();
        // The request as the guest sent it (type, code, checksum, id, seq, data); the kernel sets id and checksum.
        int len = m.len();
        MemorySegment.copy(m.buf(), m.off(), buf, ValueLayout.JAVA_BYTE, 0, len);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) (v6 ? Icmp.ECHO_REQUEST6 : Icmp.ECHO_REQUEST4));
        MemorySegment sa = buf.asSlice(65536, Structs.SockaddrIn6.SIZE);
        sa.fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, v6 ? Structs.SockaddrIn6.FAMILY : Structs.SockaddrIn.FAMILY, (short) (v6 ? AF_INET6 : AF_INET));
        MemorySegment.copy(target, 0, sa, ValueLayout.JAVA_BYTE, v6 ? Structs.SockaddrIn6.ADDR : Structs.SockaddrIn.ADDR, target.length);
        long r = Libc.sys(Syscall.SYS_sendto, f.fd, buf.address(), len, MSG_DONTWAIT, sa.address(),
                v6 ? Structs.SockaddrIn6.SIZE : Structs.SockaddrIn.SIZE);
        if (r < 0) {
            eng.debug("ping to " + key.target().getHostAddress() + ": " + Errno.describe(Libc.errno()));
            eng.unreachable(ip, false);
        }
    }

    /** Reads every reply waiting on the ping sockets (poll(2) with no timeout). */
    void poll() {
        if (flows.isEmpty()) return;
        List<Flow> list = new ArrayList<>(flows.values());
        pollSet.clear();
        for (Flow f : list) pollSet.add(f.fd, PollEvent.POLLIN.bit);
        if (pollSet.poll(0) <= 0) return;
        for (int i = 0; i < list.size(); i++) {
            if ((pollSet.revents(i) & PollEvent.POLLIN.bit) == 0) continue;
            Flow f = list.get(i);
            for (int k = 0; k < 16; k++) {
                long n = Libc.sys(Syscall.SYS_recvfrom, f.fd, buf.address(), 65536, MSG_DONTWAIT, 0, 0);
                if (n < 8) break;
                byte[] msg = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                int type = msg[0] & 0xff;
                if (type != (f.v6 ? Icmp.ECHO_REPLY6 : Icmp.ECHO_REPLY4)) continue;
                f.lastActive = eng.now();
                eng.toGuest(Icmp.echo(f.v6, f.replyFrom, f.guestIp, type, f.guestId, msg, 6, msg.length - 6, eng.ipId()));
            }
        }
    }

    void tick(long now) {
        flows.values().removeIf(f -> {
            if (now - f.lastActive <= IDLE) return false;
            Libc.close(f.fd);
            eng.giveBack(1);
            return true;
        });
    }

    /** When the least recently used ping socket was last used (System.nanoTime()), Long.MAX_VALUE when there is none. */
    long oldestActive() {
        Flow o = oldest();
        return o == null ? Long.MAX_VALUE : o.lastActive;
    }

    /** Closes the least recently used ping socket (for the FlowBudget's reclaim). */
    void closeOldest() {
        Flow o = oldest();
        if (o == null) return;
        flows.values().remove(o);
        Libc.close(o.fd);
        eng.giveBack(1);
    }

    private Flow oldest() {
        Flow o = null;
        for (Flow f : flows.values()) if (o == null || f.lastActive - o.lastActive < 0) o = f;
        return o;
    }

    /** For tests: ping sockets open now. */
    int sockets() {
        return flows.size();
    }

    void closeAll() {
        for (Flow f : flows.values()) {
            Libc.close(f.fd);
            eng.giveBack(1);
        }
        flows.clear();
        if (arena != null) {
            pollSet.close();
            arena.close();
            arena = null;
        }
    }
}
