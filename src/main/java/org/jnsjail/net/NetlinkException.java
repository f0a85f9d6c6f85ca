package org.jnsjail.net;

/** An rtnetlink request the kernel refused, or a socket failure: one line naming the operation. */
public final class NetlinkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NetlinkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
