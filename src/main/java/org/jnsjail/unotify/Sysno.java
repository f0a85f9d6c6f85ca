package org.jnsjail.unotify;

/**
 * Constants this package passes through {@code Libc.sys} (the uapi headers); the syscall numbers
 * themselves are {@link org.jnsjail.sys.Syscall}'s.
 */
final class Sysno {
    private Sysno() {}

    static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    static final int O_WRONLY = 01, O_CREAT = 0100, O_TRUNC = 01000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
            O_CLOEXEC = 02000000, O_PATH = 010000000;
    /** openat2(2) resolve flags. */
    static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    /** pidfd_open(2): a pidfd for a thread, not only a thread-group leader (Linux 6.9). Equals O_EXCL. */
    static final int PIDFD_THREAD = 0200;
    static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_PROTOCOL = 38;
    static final int PAGE_SIZE = 4096;
}
