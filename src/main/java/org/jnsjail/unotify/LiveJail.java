package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link JailView} on a live process: its memory through process_vm_readv(2), its cwd and fds
 * through /proc/PID, its sockets through pidfd_getfd(2), its file system through /proc/PID/root.
 * All of these need ptrace access (PTRACE_MODE_ATTACH_REALCREDS), which the supervisor has over its
 * jails as root, and as the owner of their user namespace otherwise.
 *
 * <p>One instance per tracer thread: it owns native scratch buffers, reused for every notification
 * (no allocation per syscall), and must be used only by the thread that created it.
 */
final class LiveJail implements JailView {
    static final int MAX_STRING = 4095;
    static final int MAX_POINTERS = 128;

    private final MemorySegment iov;    // local and remote struct iovec
    private final MemorySegment data;   // bytes read from the jail
    private final MemorySegment cpath;  // NUL-terminated paths passed to the kernel
    private final MemorySegment stat;   // struct stat, then the getsockopt value and length
    private final MemorySegment how;    // struct open_how
    private int pid;

    LiveJail(Arena arena) {
        iov = arena.allocate(2 * Structs.Iovec.SIZE, 8);
        data = arena.allocate(Sysno.PAGE_SIZE * 2L, 8);
        cpath = arena.allocate(2 * Sysno.PAGE_SIZE + 64L, 8);
        stat = arena.allocate(Structs.Stat.SIZE, 8);
        how = arena.allocate(Structs.OpenHow.SIZE, 8);
    }

    /** The process the following calls are about (the notification's pid, in our pid namespace). */
    void target(int pid) {
        this.pid = pid;
    }

    // ---- memory ---------------------------------------------------------------------------------

    /**
     * process_vm_readv(2) of {@code len} bytes at {@code addr} into data[off...], a page at a time,
     * so that a string ending just before an unmapped page is still read. Count read, or -1.
     */
    private int vmRead(long addr, int off, int len) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            int chunk = (int) Math.min(len - done, Sysno.PAGE_SIZE - (a & (Sysno.PAGE_SIZE - 1)));
            // the local iovec, then the remote one
            final int remote = Structs.Iovec.SIZE;
            iov.set(JAVA_LONG, Structs.Iovec.BASE, data.address() + off + done);
            iov.set(JAVA_LONG, Structs.Iovec.LEN, chunk);
            iov.set(JAVA_LONG, remote + Structs.Iovec.BASE, a);
            iov.set(JAVA_LONG, remote + Structs.Iovec.LEN, chunk);
            long r = Libc.sys(Syscall.SYS_process_vm_readv, pid, iov.address(), 1, iov.address() + remote, 1, 0);
            if (r <= 0) break;
            done += (int) r;
            if (r < chunk) break;
        }
        return done == 0 && len > 0 ? -1 : done;
    }

    @Override
    public byte[] readString(long addr) {
        if (addr == 0) return NULL_POINTER;
        int have = 0;
        while (have < MAX_STRING) {
            long a = addr + have;
            int chunk = (int) Math.min(MAX_STRING - have, Sysno.PAGE_SIZE - (a & (Sysno.PAGE_SIZE - 1)));
            int r = vmRead(a, have, chunk);
            if (r <= 0) break;
            for (int i = have; i < have + r; i++) {
                if (data.get(JAVA_BYTE, i) == 0) return data.asSlice(0, i).toArray(JAVA_BYTE);
            }
            have += r;
            if (r < chunk) break;
        }
        return have == 0 ? INVALID_POINTER : data.asSlice(0, have).toArray(JAVA_BYTE);
    }

    @Override
    public long[] readPointers(long addr, boolean compat) {
        int width = compat ? 4 : 8;
        int n = vmRead(addr, 0, MAX_POINTERS * width) / width;
        int count = 0;
        while (count < n && pointer(count, compat) != 0) count++;
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = pointer(i, compat);
        return out;
    }

    private long pointer(int i, boolean compat) {
        return compat ? Integer.toUnsignedLong(data.get(JAVA_INT, i * 4L)) : data.get(JAVA_LONG, i * 8L);
    }

    @Override
    public int read(long addr, byte[] dst, int len) {
        int n = vmRead(addr, 0, Math.min(len, (int) data.byteSize()));
        if (n > 0) MemorySegment.copy(data, JAVA_BYTE, 0, dst, 0, n);
        return n;
    }

    // ---- paths ----------------------------------------------------------------------------------

    @Override
    public byte[] dirLink(int dirfd) {
        String link = "/proc/" + pid + (dirfd == ArgDecoder.AT_FDCWD ? "/cwd" : "/fd/" + dirfd);
        cString(link.getBytes(StandardCharsets.US_ASCII));
        long n = Libc.sys(Syscall.SYS_readlinkat, Sysno.AT_FDCWD, cpath.address(), data.address(), MAX_STRING, 0, 0);
        return n <= 0 ? null : data.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /**
     * The jail's view of an absolute path: resolved below /proc/PID/root with openat2(2)
     * RESOLVE_IN_ROOT, so ".." and absolute symlinks stay inside the jail's root (a plain lstat of
     * "/proc/PID/root" + path, as nsjail does, follows an absolute symlink to the *host's* file).
     * O_PATH|O_NOFOLLOW opens nothing (no FIFO or device open) and names a final symlink itself, as lstat.
     */
    @Override
    public PathType jailType(byte[] absPath) {
        // As nsjail's "/proc/PID/root" + path: "" (glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH))
        // names the magic link itself, and a path still relative names nothing.
        if (absPath.length == 0) return lstat(Sysno.AT_FDCWD, procRoot(), Sysno.AT_SYMLINK_NOFOLLOW);
        if (absPath[0] != '/') return PathType.NONEXISTENT;
        cString(procRoot());
        int root = (int) Libc.sys(Syscall.SYS_openat, Sysno.AT_FDCWD, cpath.address(),
                Sysno.O_PATH | Sysno.O_DIRECTORY | Sysno.O_CLOEXEC, 0, 0, 0);
        if (root < 0) return PathType.NONEXISTENT;
        try {
            int skip = 0;
            while (skip < absPath.length && absPath[skip] == '/') skip++;
            if (skip == absPath.length) {
                cString(new byte[] {'.'});
            } else {
                cString(absPath, skip);
            }
            how.set(JAVA_LONG, Structs.OpenHow.FLAGS, Sysno.O_PATH | Sysno.O_NOFOLLOW | Sysno.O_CLOEXEC);
            how.set(JAVA_LONG, Structs.OpenHow.MODE, 0);
            how.set(JAVA_LONG, Structs.OpenHow.RESOLVE, Sysno.RESOLVE_IN_ROOT | Sysno.RESOLVE_NO_MAGICLINKS);
            int fd = (int) Libc.sys(Syscall.SYS_openat2, root, cpath.address(), how.address(), Structs.OpenHow.SIZE, 0, 0);
            if (fd < 0) {
                if (Libc.errno() != Errno.ENOSYS) return PathType.NONEXISTENT;
                // Before Linux 5.6: nsjail's way.
                byte[] prefix = procRoot();
                byte[] full = new byte[prefix.length + absPath.length];
                System.arraycopy(prefix, 0, full, 0, prefix.length);
                System.arraycopy(absPath, 0, full, prefix.length, absPath.length);
                return lstat(Sysno.AT_FDCWD, full, Sysno.AT_SYMLINK_NOFOLLOW);
            }
            try {
                return lstat(fd, new byte[0], Sysno.AT_EMPTY_PATH);
            } finally {
                Libc.sys(Syscall.SYS_close, fd, 0, 0, 0, 0, 0);
            }
        } finally {
            Libc.sys(Syscall.SYS_close, root, 0, 0, 0, 0, 0);
        }
    }

    private byte[] procRoot() {
        return ("/proc/" + pid + "/root").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public PathType hostType(byte[] path) {
        return lstat(Sysno.AT_FDCWD, path, Sysno.AT_SYMLINK_NOFOLLOW);
    }

    private PathType lstat(int dirfd, byte[] path, int flags) {
        cString(path);
        long r = Libc.sys(Syscall.SYS_newfstatat, dirfd, cpath.address(), stat.address(), flags, 0, 0);
        return r < 0 ? PathType.NONEXISTENT : PathType.ofMode(stat.get(JAVA_INT, Structs.Stat.MODE));
    }

    private void cString(byte[] b) {
        cString(b, 0);
    }

    private void cString(byte[] b, int from) {
        int n = (int) Math.min(b.length - from, cpath.byteSize() - 1);
        MemorySegment.copy(b, from, cpath, JAVA_BYTE, 0, n);
        cpath.set(JAVA_BYTE, n, (byte) 0);
    }

    // ---- sockets --------------------------------------------------------------------------------

    /**
     * A duplicate of the caller's fd (pidfd_getfd(2)), asked for SO_TYPE and SO_PROTOCOL, then closed.
     * The pidfd is a thread pidfd where the kernel has them, since the notification names a thread.
     */
    @Override
    public String socketKind(int fd) {
        if (fd < 0) return "";
        int pidfd = (int) Libc.sys(Syscall.SYS_pidfd_open, pid, Sysno.PIDFD_THREAD, 0, 0, 0, 0);
        if (pidfd < 0 && Libc.errno() == Errno.EINVAL) pidfd = (int) Libc.sys(Syscall.SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
        if (pidfd < 0) return "";
        int local = (int) Libc.sys(Syscall.SYS_pidfd_getfd, pidfd, fd, 0, 0, 0, 0);
        Libc.sys(Syscall.SYS_close, pidfd, 0, 0, 0, 0, 0);
        if (local < 0) return "";
        try {
            return SocketNames.existing(intOption(local, Sysno.SO_TYPE), intOption(local, Sysno.SO_PROTOCOL));
        } finally {
            Libc.sys(Syscall.SYS_close, local, 0, 0, 0, 0, 0);
        }
    }

    private Integer intOption(int fd, int opt) {
        stat.set(JAVA_INT, 0, 0);
        stat.set(JAVA_INT, 4, 4);
        long r = Libc.sys(Syscall.SYS_getsockopt, fd, Sysno.SOL_SOCKET, opt, stat.address(), stat.address() + 4, 0);
        return r < 0 ? null : stat.get(JAVA_INT, 0);
    }
}
