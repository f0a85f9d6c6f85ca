package org.jnsjail.model;

import org.jnsjail.sys.ErrnoException;

/**
 * A jail could not be made or run. The message is the one line to show the user; {@link #step()}
 * says which part failed and {@link #errno()} the kernel's error number (0 when there was none).
 */
public class JailFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final SetupStep step;
    private final int errno;

    public JailFailure(SetupStep step, String message) {
        this(step, 0, message, null);
    }

    public JailFailure(SetupStep step, int errno, String message) {
        this(step, errno, message, null);
    }

    /** With the cause; its errno when it is an {@link ErrnoException}. */
    public JailFailure(SetupStep step, String message, Throwable cause) {
        this(step, cause instanceof ErrnoException e ? e.errno() : 0, message, cause);
    }

    public JailFailure(SetupStep step, int errno, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
        this.errno = errno;
    }

    /** The part of the start that failed. */
    public SetupStep step() {
        return step;
    }

    /** The errno of the failed call, or 0. */
    public int errno() {
        return errno;
    }
}
