package org.jnsjail.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.SelfExec;

/**
 * -d/--daemon. nsjail calls daemon(3) (nochdir=1, noclose=0): fork, setsid, stdio on /dev/null.
 * A JVM cannot fork, so the CLI re-executes itself instead ({@link SelfExec}), with a system
 * property that marks the copy as already detached. The caller exits 0 at once, as daemon(3)'s
 * parent does; the copy parses the same command line and runs the mode. The marker is a -D
 * property rather than an environment variable so that jails started with --keep_env do not inherit it.
 */
final class Daemon {
    private Daemon() {}

    static final String MARKER = "jnsjail.daemonized";
    /** Where nsjail logs when daemonised and no -l/-L was given (nsjail's _LOG_DEFAULT_FILE). */
    static final String DEFAULT_LOG = "/var/log/nsjail.log";

    /** Whether this JVM is the detached copy. */
    static boolean isDetachedCopy() {
        return "1".equals(System.getProperty(MARKER));
    }

    /**
     * Starts the detached copy; returns its pid. {@code keepFds} (the -L fd and --pass_fd fds) stay
     * open in it, as daemon(3) only replaces fds 0, 1 and 2.
     */
    static int detach(Iterable<Integer> keepFds, Map<String, String> env) throws IOException, ErrnoException {
        return SelfExec.spawn(List.of("-D" + MARKER + "=1"), env, keepFds, Map.of());
    }
}
