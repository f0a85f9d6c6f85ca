package org.jnsjail.sys;

/**
 * The x86_64 layouts of the kernel structs jnsjail's Java code reads or fills (sizes and byte
 * offsets), in one table: no other class holds a struct offset. StructsTest compiles a C program
 * that prints each offsetof() and sizeof() from the installed headers and compares them.
 */
public final class Structs {
    private Structs() {}

    /** struct pollfd (poll(2)): int fd; short events, revents. */
    public static final class Pollfd {
        private Pollfd() {}

        public static final int SIZE = 8, FD = 0, EVENTS = 4, REVENTS = 6;
    }

    /** siginfo_t as waitid(2) fills it for a child (sigaction(2)): si_signo, si_code, si_pid, si_uid, si_status. */
    public static final class Siginfo {
        private Siginfo() {}

        public static final int SIZE = 128, SIGNO = 0, CODE = 8, PID = 16, UID = 20, STATUS = 24;
    }

    /** struct rusage (getrusage(2)): ru_utime, ru_stime (struct timeval: tv_sec, tv_usec), ru_maxrss (KiB). */
    public static final class Rusage {
        private Rusage() {}

        public static final int SIZE = 144, UTIME = 0, STIME = 16, MAXRSS = 32;
        /** struct timeval's members, from the start of ru_utime or ru_stime. */
        public static final int TV_SEC = 0, TV_USEC = 8;
    }

    /** struct rlimit64 (prlimit(2)): rlim_cur, rlim_max. */
    public static final class Rlimit {
        private Rlimit() {}

        public static final int SIZE = 16, CUR = 0, MAX = 8;
    }

    /** struct pidfd_info (include/uapi/linux/pidfd.h, Linux 6.13), its first 64-byte version: mask, exit_code. */
    public static final class PidfdInfo {
        private PidfdInfo() {}

        public static final int SIZE = 64, MASK = 0, EXIT_CODE = 60;
    }

    /** struct iovec (readv(2)): iov_base, iov_len. */
    public static final class Iovec {
        private Iovec() {}

        public static final int SIZE = 16, BASE = 0, LEN = 8;
    }

    /** struct epoll_event (epoll_ctl(2)), packed on x86_64: events, then the 64-bit data at 4. */
    public static final class EpollEvent {
        private EpollEvent() {}

        public static final int SIZE = 12, EVENTS = 0, DATA = 4;
    }

    /** struct open_how (openat2(2)): flags, mode, resolve. */
    public static final class OpenHow {
        private OpenHow() {}

        public static final int SIZE = 24, FLAGS = 0, MODE = 8, RESOLVE = 16;
    }

    /** struct seccomp_data (seccomp(2)): nr, arch, instruction_pointer, args[6]. */
    public static final class SeccompData {
        private SeccompData() {}

        public static final int SIZE = 64, NR = 0, ARCH = 4, INSTRUCTION_POINTER = 8, ARGS = 16;
    }

    /** struct seccomp_notif (seccomp_unotify(2)): id, pid, flags, then a struct seccomp_data. */
    public static final class SeccompNotif {
        private SeccompNotif() {}

        public static final int SIZE = 80, ID = 0, PID = 8, FLAGS = 12, DATA = 16;
    }

    /** struct seccomp_notif_resp (seccomp_unotify(2)): id, val, error, flags. */
    public static final class SeccompNotifResp {
        private SeccompNotifResp() {}

        public static final int SIZE = 24, ID = 0, VAL = 8, ERROR = 16, FLAGS = 20;
    }

    /** struct stat (stat(2)): st_dev, st_ino, st_mode, st_uid, st_gid. */
    public static final class Stat {
        private Stat() {}

        public static final int SIZE = 144, DEV = 0, INO = 8, MODE = 24, UID = 28, GID = 32;
    }

    /** struct ucred (unix(7), SO_PEERCRED and SCM_CREDENTIALS): pid, uid, gid. */
    public static final class Ucred {
        private Ucred() {}

        public static final int SIZE = 12, PID = 0, UID = 4, GID = 8;
    }

    /** struct statfs (statfs(2)): f_type. */
    public static final class Statfs {
        private Statfs() {}

        public static final int SIZE = 120, TYPE = 0;
    }

    /** struct sockaddr_in (ip(7)): sin_family, sin_port (network order), sin_addr. */
    public static final class SockaddrIn {
        private SockaddrIn() {}

        public static final int SIZE = 16, FAMILY = 0, PORT = 2, ADDR = 4;
    }

    /** struct sockaddr_in6 (ipv6(7)): sin6_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id. */
    public static final class SockaddrIn6 {
        private SockaddrIn6() {}

        public static final int SIZE = 28, FAMILY = 0, PORT = 2, FLOWINFO = 4, ADDR = 8, SCOPE_ID = 24;
    }

    /** struct msghdr (recvmsg(2)). */
    public static final class Msghdr {
        private Msghdr() {}

        public static final int SIZE = 56, NAME = 0, NAMELEN = 8, IOV = 16, IOVLEN = 24, CONTROL = 32,
                CONTROLLEN = 40, FLAGS = 48;
    }

    /** struct cmsghdr (cmsg(3)): cmsg_len, cmsg_level, cmsg_type; its data follows at SIZE (CMSG_DATA). */
    public static final class Cmsghdr {
        private Cmsghdr() {}

        public static final int SIZE = 16, LEN = 0, LEVEL = 8, TYPE = 12;
    }
}
