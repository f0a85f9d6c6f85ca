package org.jnsjail.model;

/** A jail could not be made or run; the message is the one line to show the user. */
public class JailException extends Exception {
    private static final long serialVersionUID = 1L;

    public JailException(String message) {
        super(message);
    }

    public JailException(String message, Throwable cause) {
        super(message, cause);
    }
}
