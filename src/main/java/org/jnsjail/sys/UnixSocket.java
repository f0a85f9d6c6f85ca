package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * AF_UNIX stream sockets for the resident server (unix(7)): socket, bind, listen, accept4, connect,
 * the peer's kernel-checked credentials (SO_PEERCRED, SO_PEERPIDFD) and sendmsg with SCM_RIGHTS.
 * Every fd made here is close-on-exec. All calls go through the shared raw syscall handle.
 */
public final class UnixSocket {
    private UnixSocket() {}

    private static final int SOL_SOCKET = 1, SO_PASSCRED = 16, SO_PEERCRED = 17, SO_PEERPIDFD = 77, SCM_RIGHTS = 1;
    public static final int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): sa_family_t, then sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    public static final int MAX_PATH = 107;

    /** SO_PEERCRED: the peer's pid (0 if it is in no PID namespace of ours), euid and egid at connect(2) time. */
    public record Cred(int pid, int uid, int gid) {}

    public static int stream() throws ErrnoException {
        long fd = Libc.sys(Syscall.SYS_socket, Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0, 0, 0, 0);
        if (fd < 0) throw new ErrnoException("socket(AF_UNIX)", Libc.errno());
        return (int) fd;
    }

    private static MemorySegment address(Arena a, String path) throws ErrnoException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > MAX_PATH) throw new ErrnoException("'" + path + "'", 36 /* ENAMETOOLONG */);
        MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE, 2);
        sa.set(JAVA_SHORT, 0, (short) Fcntl.AF_UNIX);
        MemorySegment.copy(p, 0, sa, JAVA_BYTE, 2, p.length);
        return sa;
    }

    public static void bind(int fd, String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.sys(Syscall.SYS_bind, fd, address(a, path).address(), SOCKADDR_UN_SIZE, 0, 0, 0) < 0) {
                throw new ErrnoException("bind('" + path + "')", Libc.errno());
            }
        }
    }

    public static void listen(int fd, int backlog) throws ErrnoException {
        if (Libc.sys(Syscall.SYS_listen, fd, backlog, 0, 0, 0, 0) < 0) throw new ErrnoException("listen", Libc.errno());
    }

    /** connect(2); false when nobody listens there (ENOENT, ECONNREFUSED). */
    public static boolean connect(int fd, String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            long r;
            do {
                r = Libc.sys(Syscall.SYS_connect, fd, address(a, path).address(), SOCKADDR_UN_SIZE, 0, 0, 0);
            } while (r < 0 && Libc.errno() == Errno.EINTR);
            if (r == 0) return true;
            int e = Libc.errno();
            if (e == Errno.ENOENT || e == 111 /* ECONNREFUSED */) return false;
            throw new ErrnoException("connect('" + path + "')", e);
        }
    }

    /** accept4(2) with SOCK_CLOEXEC; the new fd or -errno. */
    public static int accept(int fd) {
        long r = Libc.sys(Syscall.SYS_accept4, fd, 0, 0, Fcntl.SOCK_CLOEXEC, 0, 0);
        return r >= 0 ? (int) r : -Libc.errno();
    }

    public static Cred peerCred(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(Structs.Ucred.SIZE, 4);
            MemorySegment len = a.allocateFrom(JAVA_INT, 12);
            if (Libc.sys(Syscall.SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, cred.address(), len.address(), 0) < 0) {
                throw new ErrnoException("getsockopt(SO_PEERCRED)", Libc.errno());
            }
            return new Cred(cred.get(JAVA_INT, Structs.Ucred.PID), cred.get(JAVA_INT, Structs.Ucred.UID),
                    cred.get(JAVA_INT, Structs.Ucred.GID));
        }
    }

    /** SO_PEERPIDFD (Linux 6.5): a pidfd of the process that connected, or -errno (ENOPROTOOPT before 6.5). */
    public static int peerPidfd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocateFrom(JAVA_INT, 4);
            long r = Libc.sys(Syscall.SYS_getsockopt, fd, SOL_SOCKET, SO_PEERPIDFD, v.address(), len.address(), 0);
            if (r < 0) return -Libc.errno();
            int pidfd = v.get(JAVA_INT, 0);
            // The kernel makes it O_CLOEXEC already (pidfd_open semantics); be sure.
            Libc.sys(Syscall.SYS_fcntl, pidfd, Fcntl.F_SETFD, Fcntl.FD_CLOEXEC, 0, 0, 0);
            return pidfd;
        }
    }

    /**
     * sendmsg(2) of all of {@code data}, the fds (SCM_RIGHTS) riding on its first byte; retries
     * EINTR and short writes. {@code flags} may add MSG_DONTWAIT (MSG_NOSIGNAL is always set).
     */
    public static void send(int fd, byte[] data, int[] fds, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            final int hdr = Structs.Cmsghdr.SIZE;
            int ctlLen = fds.length == 0 ? 0 : hdr + ((4 * fds.length + 7) & ~7);
            MemorySegment control = a.allocate(Math.max(8, ctlLen), 8);
            if (fds.length > 0) {
                control.set(JAVA_LONG, Structs.Cmsghdr.LEN, hdr + 4L * fds.length);
                control.set(JAVA_INT, Structs.Cmsghdr.LEVEL, SOL_SOCKET);
                control.set(JAVA_INT, Structs.Cmsghdr.TYPE, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) control.set(JAVA_INT, hdr + 4L * i, fds[i]);
            }
            MemorySegment iov = a.allocate(Structs.Iovec.SIZE, 8);
            MemorySegment mh = a.allocate(Structs.Msghdr.SIZE, 8);
            long off = 0;
            boolean first = true;
            while (off < data.length || first) {
                iov.set(JAVA_LONG, Structs.Iovec.BASE, buf.address() + off);
                iov.set(JAVA_LONG, Structs.Iovec.LEN, data.length - off);
                mh.fill((byte) 0);
                mh.set(JAVA_LONG, Structs.Msghdr.IOV, iov.address());
                mh.set(JAVA_LONG, Structs.Msghdr.IOVLEN, 1);
                if (first && ctlLen > 0) {
                    mh.set(JAVA_LONG, Structs.Msghdr.CONTROL, control.address());
                    mh.set(JAVA_LONG, Structs.Msghdr.CONTROLLEN, ctlLen);
                }
                long r = Libc.sys(Syscall.SYS_sendmsg, fd, mh.address(), flags | MSG_NOSIGNAL, 0, 0, 0);
                if (r < 0) {
                    if (Libc.errno() == Errno.EINTR) continue;
                    throw new ErrnoException("sendmsg", Libc.errno());
                }
                first = false;
                off += r;
            }
        }
    }

    /**
     * SO_PASSCRED (unix(7)): every message read from {@code fd} carries its sender's credentials,
     * the pid as this process's PID namespace sees it, whatever namespace the sender is in.
     */
    public static void passCredentials(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            if (Libc.sys(Syscall.SYS_setsockopt, fd, SOL_SOCKET, SO_PASSCRED, one.address(), 4, 0) < 0) {
                throw new ErrnoException("setsockopt(SO_PASSCRED)", Libc.errno());
            }
        }
    }

    /** shutdown(2); errors (the peer is gone) are of no interest to the caller. */
    public static void shutdown(int fd, int how) {
        Libc.sys(Syscall.SYS_shutdown, fd, how, 0, 0, 0, 0);
    }

    public static final int SHUT_RD = 0, SHUT_RDWR = 2;
}
