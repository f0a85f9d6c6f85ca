package org.jnsjail.sys;

/** A failed native call: what was called and the errno it left. */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
