package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
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

    private static final class Socket { static final MethodHandle H = Libc.handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class Bind { static final MethodHandle H = Libc.handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Setsockopt { static final MethodHandle H = Libc.handle("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Sendto { static final MethodHandle H = Libc.handle("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Recv { static final MethodHandle H = Libc.handle("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)); }
    private static final class Setns { static final MethodHandle H = Libc.handle("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }

    /**
     * socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE), bound with nl_pid 0 (the kernel picks
     * the port id), with NETLINK_EXT_ACK on so errors carry the kernel's message where it has one.
     * The socket belongs to the network namespace of the calling thread, for its whole life.
     */
    public static int openRoute() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            int fd = Libc.check((int) Socket.H.invokeExact(Libc.state(), AF_NETLINK, SOCK_RAW | Fcntl.SOCK_CLOEXEC,
                    NETLINK_ROUTE), "socket(AF_NETLINK, NETLINK_ROUTE)");
            try {
                MemorySegment sa = a.allocate(12, 4); // struct sockaddr_nl: family, pad, pid, groups
                sa.set(JAVA_SHORT.withOrder(ByteOrder.nativeOrder()), 0, (short) AF_NETLINK);
                Libc.check((int) Bind.H.invokeExact(Libc.state(), fd, sa, 12), "bind(AF_NETLINK)");
                MemorySegment one = a.allocate(JAVA_INT);
                one.set(JAVA_INT, 0, 1);
                // Best effort: without it errors still carry their errno.
                int ignored = (int) Setsockopt.H.invokeExact(Libc.state(), fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
                return fd;
            } catch (Throwable t) {
                Libc.close(fd);
                throw t;
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw Libc.fatal(t); }
    }

    /** One datagram to the kernel (nl_pid 0). */
    public static void sendToKernel(int fd, byte[] msg) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(msg.length);
            buf.copyFrom(MemorySegment.ofArray(msg));
            MemorySegment sa = a.allocate(12, 4);
            sa.set(JAVA_SHORT.withOrder(ByteOrder.nativeOrder()), 0, (short) AF_NETLINK);
            for (;;) {
                long r = (long) Sendto.H.invokeExact(Libc.state(), fd, buf, (long) msg.length, 0, sa, 12);
                if (r >= 0) return;
                if (Libc.errno() != Errno.EINTR) throw new ErrnoException("sendto(AF_NETLINK)", Libc.errno());
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw Libc.fatal(t); }
    }

    /** One datagram from the kernel, retried on EINTR; a datagram longer than max is truncated. */
    public static byte[] recv(int fd, int max) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            for (;;) {
                long r = (long) Recv.H.invokeExact(Libc.state(), fd, buf, (long) max, 0);
                if (r >= 0) return buf.asSlice(0, r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                if (Libc.errno() != Errno.EINTR) throw new ErrnoException("recv(AF_NETLINK)", Libc.errno());
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw Libc.fatal(t); }
    }

    /** setns(2) of the calling thread; nstype is a CLONE_NEW* value or 0. */
    public static void setns(int fd, long nstype, String what) throws ErrnoException {
        try {
            Libc.check((int) Setns.H.invokeExact(Libc.state(), fd, (int) nstype), "setns(" + what + ")");
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw Libc.fatal(t); }
    }
}
