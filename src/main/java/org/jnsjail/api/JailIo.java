package org.jnsjail.api;

/** The supervisor's fds that become the jail's stdin, stdout and stderr. */
public record JailIo(int stdin, int stdout, int stderr) {
    /** The jail shares the supervisor's own stdio. */
    public static final JailIo INHERIT = new JailIo(0, 1, 2);
}
