package org.jnsjail.supervisor;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.JailStatus;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Signals;

/**
 * ONCE and RERUN modes (nsjail's standaloneMode): one jail at a time with the supervisor's stdio,
 * a wall-clock limit, and nsjail's exit codes.
 */
public final class Standalone {
    private Standalone() {}

    static final String REMOTE = "[STANDALONE MODE]";
    /** With --forward_signals, a jail ignoring the forwarded signal is killed after this long (nsjail waits forever). */
    static final long FORWARD_GRACE_MS = 5000;

    /** ONCE: the jail's status (N, or 128+signal), 255 if it could not be started, 128+sig on SIGINT/SIGTERM. */
    public static int runOnce(JailSpec spec, boolean forwardSignals) {
        return runOnce(spec, forwardSignals, null);
    }

    /** ONCE, the jail's outcome written to {@code status} (--status_file / --status_fd) when not null. */
    public static int runOnce(JailSpec spec, boolean forwardSignals, StatusOutput status) {
        FatalSignals sig = FatalSignals.install(forwardSignals);
        int rc = runOne(spec, callersStdio(Caller.self()), Caller.self(), sig, null, status);
        return sig.caught() != 0 ? stopped(sig.caught()) : rc;
    }

    /**
     * ONCE for a resident server's client: the jail's stdio are {@code io}, it gets what a
     * supervisor {@code caller} started would give it, and signals come through {@code sig}.
     */
    public static int runOnce(JailSpec spec, JailIo io, Caller caller, FatalSignals sig) {
        return runOnce(spec, io, caller, sig, null);
    }

    /** The same, the jail's outcome written to {@code status} when not null. */
    public static int runOnce(JailSpec spec, JailIo io, Caller caller, FatalSignals sig, StatusOutput status) {
        int rc = runOne(spec, io, caller, sig, null, status);
        return sig.caught() != 0 ? stopped(sig.caught()) : rc;
    }

    /**
     * RERUN: a fresh jail each time the previous one ends, until a launch failure (255) or a fatal
     * signal. The next jail is readied while the current one runs ({@link Ahead}).
     */
    public static int rerun(JailSpec spec, boolean forwardSignals) {
        return rerun(spec, forwardSignals, null);
    }

    /** RERUN, each jail's outcome a line of {@code status} when not null. */
    public static int rerun(JailSpec spec, boolean forwardSignals, StatusOutput status) {
        FatalSignals sig = FatalSignals.install(forwardSignals);
        try (Ahead ahead = new Ahead(spec, Caller.self(), Ahead.MAX_DEPTH)) {
            for (;;) {
                int rc = runOne(spec, callersStdio(Caller.self()), Caller.self(), sig, ahead, status);
                if (sig.caught() != 0) return stopped(sig.caught());
                if (rc == 255 && sig.lastStartFailed) return 255;
            }
        }
    }

    /** /dev/null, opened once (close-on-exec), for a stdio fd the caller did not have; -1 when it cannot be opened. */
    private static volatile int devNull = -1;

    /**
     * The supervisor's stdio for the jail, except that one its caller had closed (so that the JVM opened a
     * file of its own at that number, e.g. its modules image at 0 after {@code <&-}) becomes /dev/null:
     * no supervisor fd reaches a jail.
     */
    static JailIo callersStdio(Caller caller) {
        int[] std = {0, 1, 2};
        for (int i = 0; i < 3; i++) {
            if (caller.hasFd(i)) continue;
            if (devNull < 0) {
                synchronized (Standalone.class) {
                    if (devNull < 0) {
                        try {
                            devNull = org.jnsjail.sys.Libc.open("/dev/null", org.jnsjail.sys.Fcntl.O_RDWR
                                    | org.jnsjail.sys.Fcntl.O_CLOEXEC, 0);
                        } catch (org.jnsjail.sys.ErrnoException e) {
                            Log.warn("Couldn't open /dev/null for the jail's fd " + i + ": " + e.getMessage());
                        }
                    }
                }
            }
            if (devNull >= 0) std[i] = devNull;
        }
        return std[0] == 0 && std[1] == 1 && std[2] == 2 ? JailIo.INHERIT : new JailIo(std[0], std[1], std[2]);
    }

    private static int stopped(int s) {
        Log.info("Server stops due to fatal signal (" + s + ") caught. Exiting");
        return 128 + s;
    }

    private static int runOne(JailSpec spec, JailIo io, Caller caller, FatalSignals sig, Ahead ahead,
            StatusOutput status) {
        sig.lastStartFailed = false;
        Log.info("Executing '" + spec.program() + "' for '" + REMOTE + "'");
        JailHandle jail;
        try {
            jail = ahead != null ? ahead.start(io) : Spawner.get().start(spec, io, caller);
        } catch (JailFailure e) {
            Log.error(e.getMessage()); // one line: the cause (nsjail adds "Couldn't launch the child process")
            sig.lastStartFailed = true;
            if (status != null) status.write(org.jnsjail.model.JailOutcome.setupFailed(e.getMessage(), null));
            return 255;
        }
        sig.current = jail;
        if (sig.caught() != 0) sig.onFatal(sig.caught()); // a SIGINT/SIGTERM during the start found no jail to stop
        try {
            JailStatus st = waitWithLimit(jail, sig);
            logSeccomp(jail, st);
            Log.info("pid=" + jail.pid() + " (" + REMOTE + ") " + st.describe() + ", (PIDs left: 0)");
            if (status != null && jail.outcome() != null) status.write(jail.outcome());
            return st.code();
        } catch (JailFailure e) {
            Log.error(e.getMessage());
            return 255;
        } finally {
            sig.current = null;
            jail.close();
        }
    }

    /** nsjail's seccomp-violation lines, for the jail's PID 1 or (--init) the program the init ran. */
    static void logSeccomp(JailHandle jail, JailStatus st) {
        SeccompReport.Violation v = ChildJail.violationOf(jail);
        if (v != null) SeccompReport.log(v);
        else if (st.signal() == Signals.SIGSYS) SeccompReport.log(jail.pid(), jail.lastSyscall());
    }

    /**
     * Waits for the jail, which enforces its time limit itself (SIGCONT then SIGKILL, 137, as nsjail's
     * reapProc); a forwarded signal the jail ignores gets it killed after {@link #FORWARD_GRACE_MS}.
     */
    static JailStatus waitWithLimit(JailHandle jail, FatalSignals sig) throws JailFailure {
        for (;;) {
            long now = System.nanoTime();
            long waitMs = 1000; // the signal handler's thread sets forwardedAt: look again at least this often
            if (sig.forwardedAt != 0) {
                long graceLeft = (sig.forwardedAt + FORWARD_GRACE_MS * 1_000_000L - now) / 1_000_000L;
                if (graceLeft <= 0) {
                    Log.warn("pid=" + jail.pid() + " ignored the forwarded signal for " + FORWARD_GRACE_MS
                            + " ms. Killing it");
                    jail.signal(Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
                    sig.forwardedAt = 0;
                } else {
                    waitMs = Math.min(waitMs, graceLeft);
                }
            }
            JailStatus st = jail.waitFor(waitMs);
            if (st != null) return st;
        }
    }
}
