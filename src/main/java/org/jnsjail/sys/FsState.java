package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * File-system state of the calling thread and the files the resident server keeps: unshare(CLONE_FS)
 * gives one thread its own working directory and umask (unshare(2); a multithreaded process may do
 * that), plus the checks and changes of the server's private directory (lstat, mkdir, flock, ...).
 */
public final class FsState {
    private FsState() {}

    private static final long CLONE_FS = 0x200;
    public static final int LOCK_EX = 2, LOCK_NB = 4;
    public static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFSOCK = 0140000;

    /** lstat(2)'s st_mode and st_uid. */
    public record Owner(int mode, int uid) {
        public boolean isDir() {
            return (mode & S_IFMT) == S_IFDIR;
        }
    }

    /** This thread leaves the process's fs_struct: its cwd and umask become its own. */
    public static void unshareFs() throws ErrnoException {
        if (Libc.sys(Syscall.SYS_unshare, CLONE_FS, 0, 0, 0, 0, 0) < 0) throw new ErrnoException("unshare(CLONE_FS)", Libc.errno());
    }

    public static void fchdir(int fd) throws ErrnoException {
        if (Libc.sys(Syscall.SYS_fchdir, fd, 0, 0, 0, 0, 0) < 0) throw new ErrnoException("fchdir", Libc.errno());
    }

    public static void chdir(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.sys(Syscall.SYS_chdir, a.allocateFrom(path).address(), 0, 0, 0, 0, 0) < 0) {
                throw new ErrnoException("chdir('" + path + "')", Libc.errno());
            }
        }
    }

    /** umask(2): sets the mask, returns the previous one. */
    public static int umask(int mask) {
        return (int) Libc.sys(Syscall.SYS_umask, mask, 0, 0, 0, 0, 0);
    }

    public static void flock(int fd, int op) throws ErrnoException {
        if (Libc.sys(Syscall.SYS_flock, fd, op, 0, 0, 0, 0) < 0) throw new ErrnoException("flock", Libc.errno());
    }

    /** readlink(2) of a path (e.g. /proc/PID/cwd); at most 4095 bytes. */
    public static String readlink(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = Libc.sys(Syscall.SYS_readlinkat, -100, a.allocateFrom(path).address(), buf.address(), 4096, 0, 0);
            if (n < 0) throw new ErrnoException("readlink('" + path + "')", Libc.errno());
            if (n >= 4096) throw new ErrnoException("readlink('" + path + "')", 36 /* ENAMETOOLONG */);
            byte[] b = new byte[(int) n];
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** fstat(2): mode and owner of an open file. */
    public static Owner fstat(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(144, 8);
            if (Libc.sys(Syscall.SYS_fstat, fd, st.address(), 0, 0, 0, 0) < 0) throw new ErrnoException("fstat", Libc.errno());
            return new Owner(st.get(JAVA_INT, 24), st.get(JAVA_INT, 28));
        }
    }

    /** lstat(2): mode and owner, not following a final symlink. */
    public static Owner lstat(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Structs.Stat.SIZE, 8);
            if (Libc.sys(Syscall.SYS_newfstatat, -100, a.allocateFrom(path).address(), st.address(), 0x100 /* AT_SYMLINK_NOFOLLOW */,
                    0, 0) < 0) {
                throw new ErrnoException("lstat('" + path + "')", Libc.errno());
            }
            return new Owner(st.get(JAVA_INT, Structs.Stat.MODE), st.get(JAVA_INT, Structs.Stat.UID));
        }
    }

    /**
     * Which file {@code path} names now, following symlinks as mount(2) does: its device and inode
     * (stat(2)), or {-1, errno} when it cannot be looked up. Equal twice: still the same file.
     */
    public static long[] identity(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Structs.Stat.SIZE, 8);
            if (Libc.sys(Syscall.SYS_newfstatat, -100, a.allocateFrom(path).address(), st.address(), 0, 0, 0) < 0) {
                return new long[] {-1, Libc.errno()};
            }
            return new long[] {st.get(java.lang.foreign.ValueLayout.JAVA_LONG, Structs.Stat.DEV),
                st.get(java.lang.foreign.ValueLayout.JAVA_LONG, Structs.Stat.INO)};
        }
    }

    /** Whether something is there (lstat(2) succeeds). */
    public static boolean exists(String path) {
        try {
            lstat(path);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    public static void mkdir(String path, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.sys(Syscall.SYS_mkdirat, -100, a.allocateFrom(path).address(), mode, 0, 0, 0) < 0) {
                throw new ErrnoException("mkdir('" + path + "')", Libc.errno());
            }
        }
    }

    public static void chmod(String path, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.sys(Syscall.SYS_chmod, a.allocateFrom(path).address(), mode, 0, 0, 0, 0) < 0) {
                throw new ErrnoException("chmod('" + path + "')", Libc.errno());
            }
        }
    }

    public static void fchmod(int fd, int mode) throws ErrnoException {
        if (Libc.sys(Syscall.SYS_fchmod, fd, mode, 0, 0, 0, 0) < 0) throw new ErrnoException("fchmod", Libc.errno());
    }

    /** unlink(2); false if it was not there. */
    public static boolean unlink(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.sys(Syscall.SYS_unlinkat, -100, a.allocateFrom(path).address(), 0, 0, 0, 0) == 0) return true;
            if (Libc.errno() == Errno.ENOENT) return false;
            throw new ErrnoException("unlink('" + path + "')", Libc.errno());
        }
    }

    /** faccessat2(dirfd, name, W_OK, AT_EACCESS): may this process (effective ids) write the file? */
    public static boolean writable(int dirfd, String name) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.sys(Syscall.SYS_faccessat2, dirfd, a.allocateFrom(name).address(), 2 /* W_OK */,
                    0x200 /* AT_EACCESS */, 0, 0) == 0;
        }
    }
}
