package org.jnsjail.sys;

/** errno values used by name in jnsjail (asm-generic/errno-base.h), and strerror. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, ECHILD = 10,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENOSPC = 28, EROFS = 30, ENOSYS = 38, ECANCELED = 125;
    /** Socket and pipe errors the LISTEN relay tells apart (asm-generic/errno.h). */
    public static final int ENFILE = 23, EMFILE = 24, EPIPE = 32, ECONNABORTED = 103, ECONNRESET = 104;

    /** strerror(3) text, as nsjail's PLOG lines print it. */
    public static String describe(int errno) {
        return Libc.strerror(errno);
    }
}
