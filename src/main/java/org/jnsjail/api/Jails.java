package org.jnsjail.api;

import org.jnsjail.supervisor.Spawner;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;

/**
 * Starting jails. Every jail is cloned by the exec stub with CLONE_PARENT, so it is a child of this
 * JVM; the spawns run on a small pool of long-lived threads because PR_SET_PDEATHSIG follows the
 * thread that created the child (prctl(2)), and a short-lived caller thread would take its jails with it.
 */
public final class Jails {
    private Jails() {}

    /** Starts a jail sharing this JVM's stdio. */
    public static JailHandle start(JailSpec spec) throws JailFailure {
        return start(spec, JailIo.INHERIT);
    }

    /** Starts a jail whose stdio are the given fds of this JVM; returns once the program was executed. */
    public static JailHandle start(JailSpec spec, JailIo io) throws JailFailure {
        return Spawner.get().start(spec, io);
    }

    /**
     * Starts a jail for {@code caller}, another process on whose behalf this JVM works (a resident
     * server's client): the jail gets what a supervisor that process started would have given it.
     */
    public static JailHandle start(JailSpec spec, JailIo io, Caller caller) throws JailFailure {
        return Spawner.get().start(spec, io, caller);
    }

    /**
     * Starts a jail on a spawner thread without waiting: the future completes once the program was
     * executed, or exceptionally with a {@link JailFailure}. The fds in {@code io} must stay open
     * until it completes; the caller closes its copies afterwards.
     */
    public static java.util.concurrent.CompletableFuture<JailHandle> startAsync(JailSpec spec, JailIo io) {
        return Spawner.get().startAsync(spec, io);
    }

    /**
     * nsjail -Me: replaces this JVM by the exec stub, which unshares and becomes the program. Never
     * returns normally; the program keeps this process's pid and stays outside the new PID namespace.
     */
    public static void execInPlace(JailSpec spec) throws JailFailure {
        Spawner.execInPlace(spec);
    }
}
