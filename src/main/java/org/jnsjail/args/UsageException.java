package org.jnsjail.args;

/**
 * A command line that getopt_long would reject. The message is one line worded as glibc words it
 * (e.g. {@code unrecognized option '--foo'}) with no program-name prefix; the caller adds context.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
