package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * IPv6 TCP sockets for LISTEN mode (socket(2), setsockopt(2), bind(2), listen(2), accept4(2),
 * getsockname(2), shutdown(2), inet_pton(3), inet_ntop(3)). One AF_INET6 socket serves IPv4 too
 * (ipv6(7): v4-mapped addresses), so every address here is a 16-byte in6_addr.
 * The calls used in the relay's hot path return -errno instead of throwing.
 */
public final class Sockets {
    private Sockets() {}

    public static final int AF_INET6 = 10;
    /** sizeof(struct sockaddr_in6): family u16, port u16 (network order), flowinfo u32, addr[16], scope_id u32. */
    static final int SOCKADDR_IN6_SIZE = 28;
    /** INET6_ADDRSTRLEN (netinet/in.h). */
    static final int INET6_ADDRSTRLEN = 46;

    /** socket(2) type flags. */
    public enum SockFlag {
        SOCK_STREAM(1), SOCK_NONBLOCK(04000), SOCK_CLOEXEC(02000000);

        public final int bit;

        SockFlag(int bit) {
            this.bit = bit;
        }
    }

    /** The integer socket options LISTEN sets: level and name (socket(7), ipv6(7)). */
    public enum SockOpt {
        SO_REUSEADDR(1 /* SOL_SOCKET */, 2), IPV6_V6ONLY(41 /* IPPROTO_IPV6 */, 26);

        final int level, name;

        SockOpt(int level, int name) {
            this.level = level;
            this.name = name;
        }
    }

    /** shutdown(2) directions. */
    public enum Shut { SHUT_RD, SHUT_WR, SHUT_RDWR }

    /** An IPv6 address (16 bytes; IPv4 clients appear v4-mapped) and a port. */
    public record Endpoint(byte[] addr, int port) {
        /** nsjail's connToText: "[inet_ntop]:port", e.g. "[::ffff:127.0.0.1]:4242". */
        public String text() {
            return "[" + ntop(addr) + "]:" + port;
        }

        public boolean sameAddress(byte[] other) {
            return java.util.Arrays.equals(addr, other);
        }
    }

    /** socket(AF_INET6, type, 0). */
    public static int socket6(int type) throws ErrnoException {
        return Libc.check((int) Libc.sys(Syscall.SYS_socket, AF_INET6, type, 0, 0, 0, 0), "socket(AF_INET6)");
    }

    public static void setsockopt(int fd, SockOpt opt, int value) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, value);
            Libc.check((int) Libc.sys(Syscall.SYS_setsockopt, fd, opt.level, opt.name, v.address(), 4, 0),
                    "setsockopt(" + opt + ")");
        }
    }

    public static void bind(int fd, Endpoint ep) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_IN6_SIZE, 4);
            sa.set(JAVA_SHORT, 0, (short) AF_INET6);
            sa.set(JAVA_BYTE, 2, (byte) (ep.port() >> 8)); // network byte order
            sa.set(JAVA_BYTE, 3, (byte) ep.port());
            MemorySegment.copy(ep.addr(), 0, sa, JAVA_BYTE, 8, 16);
            Libc.check((int) Libc.sys(Syscall.SYS_bind, fd, sa.address(), SOCKADDR_IN6_SIZE, 0, 0, 0), "bind(" + ep.text() + ")");
        }
    }

    public static void listen(int fd, int backlog) throws ErrnoException {
        Libc.check((int) Libc.sys(Syscall.SYS_listen, fd, backlog, 0, 0, 0, 0), "listen");
    }

    /**
     * accept4(2) into {@code sa} (at least {@link #addrBufferSize()} bytes: a sockaddr_in6 then its
     * socklen_t); the new fd, or -errno (EAGAIN when no connection is pending).
     */
    public static int accept4(int fd, MemorySegment sa, int flags) {
        sa.set(JAVA_INT, SOCKADDR_IN6_SIZE, SOCKADDR_IN6_SIZE);
        int r = (int) Libc.sys(Syscall.SYS_accept4, fd, sa.address(), sa.address() + SOCKADDR_IN6_SIZE, flags, 0, 0);
        return r >= 0 ? r : -Libc.errno();
    }

    /** Bytes for {@link #accept4}'s and {@link #localEndpoint}'s address buffer. */
    public static int addrBufferSize() {
        return SOCKADDR_IN6_SIZE + 4;
    }

    /** The address accept4(2) or getsockname(2) left in {@code sa}. */
    public static Endpoint endpoint(MemorySegment sa) {
        byte[] addr = new byte[16];
        MemorySegment.copy(sa, JAVA_BYTE, 8, addr, 0, 16);
        int port = (Byte.toUnsignedInt(sa.get(JAVA_BYTE, 2)) << 8) | Byte.toUnsignedInt(sa.get(JAVA_BYTE, 3));
        return new Endpoint(addr, port);
    }

    /** getsockname(2), using {@code sa} as scratch. */
    public static Endpoint localEndpoint(int fd, MemorySegment sa) throws ErrnoException {
        sa.fill((byte) 0);
        sa.set(JAVA_INT, SOCKADDR_IN6_SIZE, SOCKADDR_IN6_SIZE);
        Libc.check((int) Libc.sys(Syscall.SYS_getsockname, fd, sa.address(), sa.address() + SOCKADDR_IN6_SIZE, 0, 0, 0),
                "getsockname");
        return endpoint(sa);
    }

    /** shutdown(2); 0 or -errno (ENOTCONN once the peer is gone is harmless to the caller). */
    public static int shutdown(int fd, Shut how) {
        int r = (int) Libc.sys(Syscall.SYS_shutdown, fd, how.ordinal(), 0, 0, 0, 0);
        return r == 0 ? 0 : -Libc.errno();
    }

    /** inet_pton(AF_INET6, text); null if it is not an IPv6 literal. */
    public static byte[] pton6(String text) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(16);
            int r = (int) Libc.call(Libc.symbol("inet_pton"), AF_INET6, a.allocateFrom(text).address(), dst.address());
            return r == 1 ? dst.toArray(JAVA_BYTE) : null;
        }
    }

    /** inet_ntop(AF_INET6): the text glibc (and so nsjail) prints, v4-mapped as ::ffff:a.b.c.d. */
    public static String ntop(byte[] addr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(16);
            MemorySegment.copy(addr, 0, src, JAVA_BYTE, 0, 16);
            MemorySegment dst = a.allocate(INET6_ADDRSTRLEN);
            long r = Libc.call(Libc.symbol("inet_ntop"), AF_INET6, src.address(), dst.address(), INET6_ADDRSTRLEN, 0, 0, 0);
            return r == 0 ? "?" : dst.getString(0);
        }
    }

    // ---- splice(2) ------------------------------------------------------------------------------

    /** splice(2) flags. */
    public enum SpliceFlag {
        SPLICE_F_MOVE(1), SPLICE_F_NONBLOCK(2), SPLICE_F_MORE(4);

        public final int bit;

        SpliceFlag(int bit) {
            this.bit = bit;
        }
    }

    /**
     * splice(2) between a socket and a pipe (one side must be a pipe), without offsets: the bytes
     * moved, 0 at end of input, or -errno (EAGAIN when either side would block; EINTR is retried).
     */
    public static long splice(int in, int out, long len, int flags) {
        for (;;) {
            long r = Libc.sys(Syscall.SYS_splice, in, 0, out, 0, len, flags);
            if (r >= 0) return r;
            int e = Libc.errno();
            if (e != Errno.EINTR) return -e;
        }
    }

    /** read(2) without retry: bytes read, 0 at EOF, or -errno. For discarding what a client still sends. */
    public static long readNow(int fd, MemorySegment buf) {
        long r = Libc.sys(Syscall.SYS_read, fd, buf.address(), buf.byteSize(), 0, 0, 0);
        return r >= 0 ? r : -Libc.errno();
    }
}
