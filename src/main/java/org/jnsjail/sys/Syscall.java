package org.jnsjail.sys;

/** x86_64 syscall numbers used through {@link Libc#sys} (arch/x86/entry/syscalls/syscall_64.tbl). */
public final class Syscall {
    private Syscall() {}

    public static final long SYS_ioctl = 16, SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434;
}
