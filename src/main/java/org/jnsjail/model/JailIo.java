package org.jnsjail.model;

import java.util.Map;

/**
 * The supervisor's fds that become the jail's stdin, stdout and stderr, and where each of the
 * spec's {@code passFds} comes from: {@code passFrom} maps a fd number in the jail to the
 * supervisor's fd that is put there (a resident server holds a client's fds at other numbers).
 * A pass fd missing from the map comes from the same number.
 */
public record JailIo(int stdin, int stdout, int stderr, Map<Integer, Integer> passFrom) {
    /** The jail shares the supervisor's own stdio. */
    public static final JailIo INHERIT = new JailIo(0, 1, 2);

    public JailIo {
        passFrom = Map.copyOf(passFrom);
    }

    public JailIo(int stdin, int stdout, int stderr) {
        this(stdin, stdout, stderr, Map.of());
    }

    /** The supervisor's fd that becomes the jail's fd {@code target} (a --pass_fd). */
    public int sourceOf(int target) {
        return passFrom.getOrDefault(target, target);
    }
}
