package org.jnsjail.supervisor;

import org.jnsjail.api.Caller;
import org.jnsjail.api.JailException;
import org.jnsjail.api.JailHandle;
import org.jnsjail.api.JailIo;
import org.jnsjail.api.JailSpec;
import org.jnsjail.api.JailStatus;
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
        FatalSignals sig = FatalSignals.install(forwardSignals);
        int rc = runOne(spec, JailIo.INHERIT, Caller.self(), sig, null);
        return sig.caught() != 0 ? stopped(sig.caught()) : rc;
    }

    /**
     * ONCE for a resident server's client: the jail's stdio are {@code io}, it gets what a
     * supervisor {@code caller} started would give it, and signals come through {@code sig}.
     */
    public static int runOnce(JailSpec spec, JailIo io, Caller caller, FatalSignals sig) {
        int rc = runOne(spec, io, caller, sig, null);
        return sig.caught() != 0 ? stopped(sig.caught()) : rc;
    }

    /**
     * RERUN: a fresh jail each time the previous one ends, until a launch failure (255) or a fatal
     * signal. The next jail is readied while the current one runs ({@link Ahead}).
     */
    public static int rerun(JailSpec spec, boolean forwardSignals) {
        FatalSignals sig = FatalSignals.install(forwardSignals);
        try (Ahead ahead = new Ahead(spec, Caller.self(), 1)) {
            for (;;) {
                int rc = runOne(spec, JailIo.INHERIT, Caller.self(), sig, ahead);
                if (sig.caught() != 0) return stopped(sig.caught());
                if (rc == 255 && sig.lastStartFailed) return 255;
            }
        }
    }

    private static int stopped(int s) {
        Log.info("Server stops due to fatal signal (" + s + ") caught. Exiting");
        return 128 + s;
    }

    private static int runOne(JailSpec spec, JailIo io, Caller caller, FatalSignals sig, Ahead ahead) {
        sig.lastStartFailed = false;
        Log.info("Executing '" + spec.program() + "' for '" + REMOTE + "'");
        JailHandle jail;
        long start = System.nanoTime();
        try {
            jail = ahead != null ? ahead.start(io) : org.jnsjail.api.Jails.start(spec, io, caller);
        } catch (JailException e) {
            Log.error(e.getMessage()); // one line: the cause (nsjail adds "Couldn't launch the child process")
            sig.lastStartFailed = true;
            return 255;
        }
        sig.currentStart = start;
        sig.timeLimitSec = spec.timeLimitSec();
        sig.current = jail;
        if (sig.caught() != 0) sig.onFatal(sig.caught()); // a SIGINT/SIGTERM during the start found no jail to stop
        try {
            JailStatus st = waitWithLimit(jail, spec.timeLimitSec(), sig);
            if (st.signal() == Signals.SIGSYS) SeccompReport.log(jail.pid(), jail.lastSyscall());
            Log.info("pid=" + jail.pid() + " (" + REMOTE + ") " + st.describe() + ", (PIDs left: 0)");
            return st.code();
        } catch (JailException e) {
            Log.error(e.getMessage());
            return 255;
        } finally {
            sig.current = null;
            jail.close();
        }
    }

    /** Waits for the jail; past the limit it gets SIGCONT then SIGKILL (137), as nsjail's reapProc. */
    static JailStatus waitWithLimit(JailHandle jail, int limitSec, FatalSignals sig) throws JailException {
        long start = System.nanoTime();
        long deadline = limitSec > 0 ? start + limitSec * 1_000_000_000L : Long.MAX_VALUE;
        for (;;) {
            long now = System.nanoTime();
            long waitMs = deadline == Long.MAX_VALUE ? 1000 : Math.max(0, (deadline - now + 999_999) / 1_000_000);
            if (sig.forwardedAt != 0) {
                long graceLeft = (sig.forwardedAt + FORWARD_GRACE_MS * 1_000_000L - now) / 1_000_000L;
                if (graceLeft <= 0) {
                    Log.warn("pid=" + jail.pid() + " ignored the forwarded signal for " + FORWARD_GRACE_MS
                            + " ms. Killing it");
                    jail.signal(Signals.SIGKILL);
                    sig.forwardedAt = 0;
                } else {
                    waitMs = Math.min(waitMs, graceLeft);
                }
            }
            JailStatus st = jail.waitFor(Math.min(waitMs, 1000));
            if (st != null) return st;
            if (limitSec > 0 && System.nanoTime() >= deadline) {
                long ran = (System.nanoTime() - start) / 1_000_000_000L;
                Log.info("pid=" + jail.pid() + " run time >= time limit (" + ran + " >= " + limitSec + ") (" + REMOTE
                        + "). Killing it");
                jail.signal(Signals.SIGCONT);
                jail.signal(Signals.SIGKILL);
                return jail.waitFor();
            }
        }
    }
}
