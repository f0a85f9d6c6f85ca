package org.jnsjail.supervisor;

import org.jnsjail.model.JailHandle;
import org.jnsjail.sys.Signals;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM end the supervisor as in nsjail: the running jail gets SIGKILL (or, with
 * --forward_signals, the same signal), and the mode returns 128+signal once it is reaped.
 * The handler runs on the JVM's signal thread; waiting threads see the jail's pidfd become readable.
 * A resident server's request gets its client's signals through {@link #deliver} instead.
 */
public final class FatalSignals {
    private volatile int caught;
    volatile JailHandle current;
    volatile long forwardedAt;
    volatile boolean lastStartFailed;
    private final boolean forward;

    private FatalSignals(boolean forward) {
        this.forward = forward;
    }

    static FatalSignals install(boolean forward) {
        FatalSignals f = new FatalSignals(forward);
        // nsjail installs its handlers with sigaction(2) whatever the inherited disposition; the JVM
        // keeps an inherited SIG_IGN (nohup, background jobs), so reset it first.
        org.jnsjail.sys.Libc.signalDefault(Signals.SIGINT);
        org.jnsjail.sys.Libc.signalDefault(Signals.SIGTERM);
        Signal.handle(new Signal("INT"), s -> f.onFatal(Signals.SIGINT));
        Signal.handle(new Signal("TERM"), s -> f.onFatal(Signals.SIGTERM));
        SignalPipe.installShow(f::showList);
        return f;
    }

    /** Signals that arrive some other way (a resident server's client forwards its own): nothing is installed. */
    public static FatalSignals forClient(boolean forward) {
        return new FatalSignals(forward);
    }

    /** A signal a resident server's client received: SIGINT and SIGTERM as here, SIGUSR1 the list of jails. */
    public void deliver(int sig) {
        if (sig == Signals.SIGUSR1) showList();
        else if (sig == Signals.SIGINT || sig == Signals.SIGTERM) onFatal(sig);
    }

    /** The client is gone (or dies the way a cold supervisor would): the jail is killed, its status unwanted. */
    public void abandon() {
        onFatal(Signals.SIGKILL);
    }

    /** nsjail's process list; runs on the JVM's signal-handler thread (Log is thread-safe). */
    private void showList() {
        JailHandle j = current;
        ProcList.log(j == null ? java.util.List.of()
                : java.util.List.of(ProcList.of(j, Standalone.REMOTE)));
    }

    int caught() {
        return caught;
    }

    void onFatal(int sig) {
        caught = sig;
        JailHandle j = current;
        if (j == null) return;
        if (forward) {
            j.signal(sig, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
            forwardedAt = System.nanoTime();
        } else {
            j.signal(Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
        }
    }
}
