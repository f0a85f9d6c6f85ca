package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The native calls an rtnetlink client needs (netlink(7), rtnetlink(7)): an AF_NETLINK socket, its
 * bind, extended acks, send and receive of whole datagrams, and setns(2) for the thread that opens
 * a socket inside a jail's network namespace. Callers pass every value; nothing here decides.
 */
public final class NetlinkSys {
    private NetlinkSys() {}

    public static final int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11;

    /**
     * socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE), bound with nl_pid 0 (the kernel picks
     * the port id), with NETLINK_EXT_ACK on so errors carry the kernel's message where it has one.
     * The socket belongs to the network namespace of the calling thread, for its whole life.
     */
    public static int openRoute() throws ErrnoException {
        int fd = Libc.check((int) Libc.sys(Syscall.SYS_socket, AF_NETLINK, SOCK_RAW | Fcntl.SOCK_CLOEXEC, NETLINK_ROUTE,
                0, 0, 0), "socket(AF_NETLINK, NETLINK_ROUTE)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(12, 4); // struct sockaddr_nl: family, pad, pid, groups
            sa.set(JAVA_SHORT.withOrder(ByteOrder.nativeOrder()), 0, (short) AF_NETLINK);
            Libc.check((int) Libc.sys(Syscall.SYS_bind, fd, sa.address(), 12, 0, 0, 0), "bind(AF_NETLINK)");
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            // Best effort: without it errors still carry their errno.
            Libc.sys(Syscall.SYS_setsockopt, fd, SOL_NETLINK, NETLINK_EXT_ACK, one.address(), 4, 0);
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** One datagram to the kernel (nl_pid 0). */
    public static void sendToKernel(int fd, byte[] msg) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(msg.length);
            buf.copyFrom(MemorySegment.ofArray(msg));
            MemorySegment sa = a.allocate(12, 4);
            sa.set(JAVA_SHORT.withOrder(ByteOrder.nativeOrder()), 0, (short) AF_NETLINK);
            for (;;) {
                long r = Libc.sys(Syscall.SYS_sendto, fd, buf.address(), msg.length, 0, sa.address(), 12);
                if (r >= 0) return;
                if (Libc.errno() != Errno.EINTR) throw new ErrnoException("sendto(AF_NETLINK)", Libc.errno());
            }
        }
    }

    /** One datagram from the kernel, retried on EINTR; a datagram longer than max is truncated. */
    public static byte[] recv(int fd, int max) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            for (;;) {
                long r = Libc.sys(Syscall.SYS_recvfrom, fd, buf.address(), max, 0, 0, 0);
                if (r >= 0) return buf.asSlice(0, r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                if (Libc.errno() != Errno.EINTR) throw new ErrnoException("recv(AF_NETLINK)", Libc.errno());
            }
        }
    }

    /** setns(2) of the calling thread; nstype is a CLONE_NEW* value or 0. */
    public static void setns(int fd, long nstype, String what) throws ErrnoException {
        Libc.check((int) Libc.sys(Syscall.SYS_setns, fd, (int) nstype, 0, 0, 0, 0), "setns(" + what + ")");
    }
}
