package org.jnsjail.api;

import org.jnsjail.log.Log;
import org.jnsjail.model.JailFailure;

/**
 * jnsjail as a library, beyond one jail: where its log lines go.
 *
 * <p>jnsjail logs what nsjail logs (a jail's start, a time limit reached, a seccomp violation, a
 * warning about a setting) through a {@link System.Logger} that the program embedding it gives; until
 * then it is silent and writes nothing to the program's stderr. For example,
 * {@code Jails.setLogger(System.getLogger("org.jnsjail"))} sends the lines through the platform's
 * logging (java.util.logging, unless a {@link System.LoggerFinder} is installed), which formats and
 * filters them.
 */
public final class Jails {
    private Jails() {}

    /**
     * Sends jnsjail's log lines to {@code logger} from now on: nsjail's levels DEBUG, INFO, WARNING
     * and ERROR as the logger's, FATAL as ERROR, each line as one message.
     *
     * @param logger the logger, or null to make jnsjail silent again (the default)
     */
    public static void setLogger(System.Logger logger) {
        Log.toLogger(logger);
    }

    /** The public exception for an internal failure, made on the calling thread (its stack), the failure its cause. */
    static JailException exception(JailFailure f) {
        return new JailException(JailException.Step.valueOf(f.step().name()), f.errno(), f.getMessage(), f);
    }
}
