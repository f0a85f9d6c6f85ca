package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Facts about another process read through its pidfd (pidfd_open(2)): whether it still runs, and
 * which namespaces it is in (the PIDFD_GET_*_NAMESPACE ioctls of linux/pidfd.h, Linux 6.11; before
 * that, /proc/PID/ns/*, which is safe only while the pidfd shows the process alive).
 */
public final class Pidfd {
    private Pidfd() {}

    /** The namespaces a pidfd can name, with their ioctl numbers (_IO(0xFF, n)) and /proc/PID/ns names. */
    public enum Ns {
        CGROUP(1, "cgroup"), IPC(2, "ipc"), MNT(3, "mnt"), NET(4, "net"), PID(5, "pid"),
        PID_FOR_CHILDREN(6, "pid_for_children"), TIME(7, "time"), TIME_FOR_CHILDREN(8, "time_for_children"),
        USER(9, "user"), UTS(10, "uts");

        public final int ioctl;
        public final String procName;

        Ns(int nr, String procName) {
            this.ioctl = 0xFF00 | nr;
            this.procName = procName;
        }
    }

    /** A file's identity: st_dev and st_ino (a namespace is named by its nsfs inode). */
    public record FileId(long dev, long ino) {}

    private static final int ENOTTY = 25, EOPNOTSUPP = 95;

    /** pidfd_open(2), close-on-exec as every pidfd. */
    public static int open(int pid) throws ErrnoException {
        long fd = Libc.sys(Syscall.SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
        if (fd < 0) throw new ErrnoException("pidfd_open(" + pid + ")", Libc.errno());
        return (int) fd;
    }

    /** Whether the process still runs (pidfd_send_signal with signal 0): then its pid names it alone. */
    public static boolean alive(int pidfd) {
        return Libc.sys(Syscall.SYS_pidfd_send_signal, pidfd, 0, 0, 0, 0, 0) == 0;
    }

    /**
     * The namespace the process is in; {@code pid} is its number in our PID namespace, for the /proc
     * fallback. The caller must check {@link #alive} afterwards (the fallback reads by pid).
     */
    public static FileId namespace(int pidfd, int pid, Ns ns) throws ErrnoException {
        long fd = Libc.sys(Syscall.SYS_ioctl, pidfd, ns.ioctl, 0, 0, 0, 0);
        if (fd >= 0) {
            try {
                return fstat((int) fd);
            } finally {
                Libc.close((int) fd);
            }
        }
        int e = Libc.errno();
        if (e != ENOTTY && e != Errno.EINVAL && e != EOPNOTSUPP) throw new ErrnoException("ioctl(pidfd, " + ns + ")", e);
        return stat("/proc/" + pid + "/ns/" + ns.procName);
    }

    /** This process's namespace (/proc/self/ns names the thread group leader's). */
    public static FileId ownNamespace(Ns ns) throws ErrnoException {
        return stat("/proc/self/ns/" + ns.procName);
    }

    public static FileId fstat(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Structs.Stat.SIZE, 8);
            if (Libc.sys(Syscall.SYS_fstat, fd, st.address(), 0, 0, 0, 0) < 0) throw new ErrnoException("fstat", Libc.errno());
            return new FileId(st.get(JAVA_LONG, Structs.Stat.DEV), st.get(JAVA_LONG, Structs.Stat.INO));
        }
    }

    /** stat(2) following symlinks (and /proc's magic links). */
    public static FileId stat(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Structs.Stat.SIZE, 8);
            if (Libc.sys(Syscall.SYS_newfstatat, -100 /* AT_FDCWD */, a.allocateFrom(path).address(), st.address(), 0, 0, 0) < 0) {
                throw new ErrnoException("stat('" + path + "')", Libc.errno());
            }
            return new FileId(st.get(JAVA_LONG, Structs.Stat.DEV), st.get(JAVA_LONG, Structs.Stat.INO));
        }
    }
}
