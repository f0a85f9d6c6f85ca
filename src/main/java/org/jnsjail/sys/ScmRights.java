package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * recvmsg(2) of a byte record that may carry fds (unix(7), SCM_RIGHTS), as the exec stub sends them.
 * Received fds are close-on-exec at once (MSG_CMSG_CLOEXEC), so a concurrent spawn never inherits one.
 */
public final class ScmRights {
    private ScmRights() {}

    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, MSG_CMSG_CLOEXEC = 0x40000000;
    /** Room for this many fds; more would be cut (MSG_CTRUNC) and closed by the kernel. */
    public static final int MAX_FDS = 8;
    private static final int CMSG_HDR = Structs.Cmsghdr.SIZE;

    private static final int MSG_CTRUNC = 0x8;

    /**
     * What one recvmsg got: the bytes read (0 at EOF), the fds that came with them, and whether more
     * fds came than there was room for (MSG_CTRUNC: the kernel closed the rest).
     */
    public record Received(long bytes, int[] fds, boolean truncated, int senderPid) {}

    /** One recvmsg into {@code buf} with room for {@link #MAX_FDS} fds; retries EINTR. */
    public static Received recv(int fd, MemorySegment buf) throws ErrnoException {
        return recv(fd, buf, MAX_FDS, 0);
    }

    /** One recvmsg into {@code buf} with room for {@code maxFds} fds and extra recvmsg flags; retries EINTR. */
    public static Received recv(int fd, MemorySegment buf, int maxFds, int flags) throws ErrnoException {
        // SCM_CREDENTIALS (a struct ucred, where the socket has SO_PASSCRED) and then the fds.
        final int room = CMSG_HDR + ((Structs.Ucred.SIZE + 7) & ~7) + CMSG_HDR + 4 * Math.max(1, maxFds);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(Structs.Iovec.SIZE, 8);
            iov.set(JAVA_LONG, Structs.Iovec.BASE, buf.address());
            iov.set(JAVA_LONG, Structs.Iovec.LEN, buf.byteSize());
            MemorySegment control = a.allocate(room, 8);
            MemorySegment mh = a.allocate(Structs.Msghdr.SIZE, 8);
            mh.set(JAVA_LONG, Structs.Msghdr.IOV, iov.address());
            mh.set(JAVA_LONG, Structs.Msghdr.IOVLEN, 1);
            mh.set(JAVA_LONG, Structs.Msghdr.CONTROL, control.address());
            mh.set(JAVA_LONG, Structs.Msghdr.CONTROLLEN, room);
            long r;
            do {
                r = Libc.sys(Syscall.SYS_recvmsg, fd, mh.address(), MSG_CMSG_CLOEXEC | flags, 0, 0, 0);
            } while (r < 0 && Libc.errno() == Errno.EINTR);
            if (r < 0) throw new ErrnoException("recvmsg", Libc.errno());
            long controlLen = mh.get(JAVA_LONG, Structs.Msghdr.CONTROLLEN);
            int[] fds = new int[0];
            int pid = 0;
            // struct cmsghdr: len (size_t), level, type, then the data; each padded to 8 bytes (CMSG_NXTHDR).
            for (long off = 0; off + CMSG_HDR <= controlLen; ) {
                long len = control.get(JAVA_LONG, off + Structs.Cmsghdr.LEN);
                if (len < CMSG_HDR || off + len > controlLen) break;
                if (control.get(JAVA_INT, off + Structs.Cmsghdr.LEVEL) == SOL_SOCKET) {
                    int type = control.get(JAVA_INT, off + Structs.Cmsghdr.TYPE);
                    if (type == SCM_RIGHTS) {
                        int[] more = new int[(int) ((len - CMSG_HDR) / 4)];
                        for (int i = 0; i < more.length; i++) more[i] = control.get(JAVA_INT, off + CMSG_HDR + 4L * i);
                        int[] all = java.util.Arrays.copyOf(fds, fds.length + more.length);
                        System.arraycopy(more, 0, all, fds.length, more.length);
                        fds = all;
                    } else if (type == SCM_CREDENTIALS && len >= CMSG_HDR + 4) {
                        pid = control.get(JAVA_INT, off + CMSG_HDR + Structs.Ucred.PID);
                    }
                }
                off += (len + 7) & ~7L;
            }
            return new Received(r, fds, (mh.get(JAVA_INT, Structs.Msghdr.FLAGS) & MSG_CTRUNC) != 0, pid);
        }
    }
}
