package org.jnsjail.sys;

/** x86_64 syscall numbers that glibc has no wrapper for (arch/x86/entry/syscalls/syscall_64.tbl). */
public final class Syscall {
    private Syscall() {}

    public static final long SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434;
}
