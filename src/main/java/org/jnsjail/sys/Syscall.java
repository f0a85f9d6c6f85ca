package org.jnsjail.sys;

/** x86_64 syscall numbers used through {@link Libc#sys} (arch/x86/entry/syscalls/syscall_64.tbl). */
public final class Syscall {
    private Syscall() {}

    public static final long SYS_ioctl = 16, SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434;
    /** LISTEN's sockets and relay, rtnetlink, setns. */
    public static final long SYS_sendto = 44, SYS_recvfrom = 45, SYS_getsockname = 51, SYS_splice = 275, SYS_setns = 308;
    /** The resident server's calls: AF_UNIX sockets, per-thread fs state, locks, process facts. */
    public static final long SYS_fstat = 5, SYS_socket = 41, SYS_connect = 42, SYS_sendmsg = 46, SYS_recvmsg = 47,
            SYS_shutdown = 48, SYS_bind = 49, SYS_listen = 50, SYS_setsockopt = 54, SYS_getsockopt = 55, SYS_flock = 73, SYS_chdir = 80,
            SYS_fchdir = 81, SYS_fchmod = 91, SYS_umask = 95, SYS_ioprio_get = 252, SYS_unlinkat = 263,
            SYS_readlinkat = 267, SYS_faccessat2 = 439, SYS_unshare = 272, SYS_accept4 = 288, SYS_mkdirat = 258;
}
