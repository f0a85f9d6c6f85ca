package org.jnsjail.sys;

/**
 * Every x86_64 system call number jnsjail's Java code uses, in one table, by number
 * (arch/x86/entry/syscalls/syscall_64.tbl; SyscallTableTest checks them against the installed
 * asm/unistd_64.h). Calls go through {@link Libc#sys}; no other class holds a syscall number. The
 * exec stub (C) takes its own from the C library's headers; the Kafel compiler's per-architecture
 * tables (seccomp.SyscallTable) name the calls a policy may mention, a different job.
 */
public final class Syscall {
    private Syscall() {}

    public static final long SYS_read = 0;
    public static final long SYS_write = 1;
    public static final long SYS_close = 3;
    public static final long SYS_fstat = 5;
    public static final long SYS_poll = 7;
    public static final long SYS_lseek = 8;
    public static final long SYS_rt_sigaction = 13;
    public static final long SYS_ioctl = 16;
    public static final long SYS_pread64 = 17;
    public static final long SYS_writev = 20;
    public static final long SYS_getpid = 39;
    public static final long SYS_socket = 41;
    public static final long SYS_connect = 42;
    public static final long SYS_sendto = 44;
    public static final long SYS_recvfrom = 45;
    public static final long SYS_sendmsg = 46;
    public static final long SYS_recvmsg = 47;
    public static final long SYS_shutdown = 48;
    public static final long SYS_bind = 49;
    public static final long SYS_listen = 50;
    public static final long SYS_getsockname = 51;
    public static final long SYS_socketpair = 53;
    public static final long SYS_setsockopt = 54;
    public static final long SYS_getsockopt = 55;
    public static final long SYS_execve = 59;
    public static final long SYS_wait4 = 61;
    public static final long SYS_kill = 62;
    public static final long SYS_fcntl = 72;
    public static final long SYS_flock = 73;
    public static final long SYS_chdir = 80;
    public static final long SYS_fchdir = 81;
    public static final long SYS_mkdir = 83;
    public static final long SYS_rmdir = 84;
    public static final long SYS_chmod = 90;
    public static final long SYS_fchmod = 91;
    public static final long SYS_umask = 95;
    public static final long SYS_getuid = 102;
    public static final long SYS_getgid = 104;
    public static final long SYS_geteuid = 107;
    public static final long SYS_getegid = 108;
    public static final long SYS_personality = 135;
    public static final long SYS_statfs = 137;
    public static final long SYS_prctl = 157;
    public static final long SYS_sched_getaffinity = 204;
    public static final long SYS_epoll_wait = 232;
    public static final long SYS_epoll_ctl = 233;
    public static final long SYS_waitid = 247;
    public static final long SYS_ioprio_get = 252;
    public static final long SYS_openat = 257;
    public static final long SYS_mkdirat = 258;
    public static final long SYS_newfstatat = 262;
    public static final long SYS_unlinkat = 263;
    public static final long SYS_readlinkat = 267;
    public static final long SYS_unshare = 272;
    public static final long SYS_splice = 275;
    public static final long SYS_accept4 = 288;
    public static final long SYS_epoll_create1 = 291;
    public static final long SYS_dup3 = 292;
    public static final long SYS_pipe2 = 293;
    public static final long SYS_prlimit64 = 302;
    public static final long SYS_setns = 308;
    public static final long SYS_process_vm_readv = 310;
    public static final long SYS_memfd_create = 319;
    public static final long SYS_pidfd_send_signal = 424;
    public static final long SYS_pidfd_open = 434;
    public static final long SYS_openat2 = 437;
    public static final long SYS_pidfd_getfd = 438;
    public static final long SYS_faccessat2 = 439;
}
