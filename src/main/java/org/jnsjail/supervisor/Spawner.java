package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.util.concurrent.CompletableFuture;

import org.jnsjail.log.Log;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.stub.ResidentStub;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;

/**
 * Starts jails: on the calling thread ({@link #start}), on a pool thread ({@link #startAsync},
 * {@link SpawnPool}), or readied up to their last step ahead of time ({@link #prepare}, for RERUN and
 * LISTEN); and -Me ({@link #execInPlace}). How one start goes, and the protocol it speaks with the
 * exec stub and the jail, is {@link JailLaunch}'s; the readied jail is a {@link Prepared}.
 *
 * <p>Spawns may run on any thread, several at once: everything they share is either immutable,
 * read once behind a volatile or a lock ({@link org.jnsjail.stub.ExecStub}, {@link
 * org.jnsjail.sys.HostInfo#get()}, the cgroup session, {@link ResidentStub}), or per thread (Libc's
 * errno capture); every fd they open is close-on-exec, so a concurrent posix_spawn on another thread
 * never hands one to a child.
 */
public final class Spawner {
    private static final Spawner INSTANCE = new Spawner();

    private final SpawnPool pool = new SpawnPool();

    public static Spawner get() {
        return INSTANCE;
    }

    /**
     * Starts a jail and waits until its program runs, on the calling thread: the jail is cloned by
     * the resident stub, whose creating thread (not the caller) its parent-death signal follows.
     */
    public JailHandle start(JailSpec spec, JailIo io) throws JailFailure {
        return start(spec, io, Caller.self());
    }

    /** As {@link #start(JailSpec, JailIo)}, for {@code caller} (see {@link Caller}). */
    public JailHandle start(JailSpec spec, JailIo io, Caller caller) throws JailFailure {
        return JailLaunch.launch(spec, caller).start(io);
    }

    /**
     * Readies a jail for {@code caller} up to its last step (cloned, id maps written, file system,
     * network, credentials and limits in place) where it waits for its stdio; {@link Prepared#start}
     * then runs it. Its log lines wait for that start too. A supervisor that knows its next jail
     * (RERUN, LISTEN) readies it while the previous one runs: the same plan, run earlier.
     */
    public Prepared prepare(JailSpec spec, Caller caller) throws JailFailure {
        return prepare(spec, caller, Log.Sink.deferred());
    }

    private Prepared prepare(JailSpec spec, Caller caller, Log.Sink held) throws JailFailure {
        Prepared.Pins pins = Prepared.Pins.of(spec, caller);
        Prepared p = Log.callWith(held, () -> JailLaunch.launch(spec, caller));
        p.log = held;
        p.pins = pins;
        p.readyNanos = System.nanoTime();
        return p;
    }

    /** {@link #prepare} on a pool thread; its lines are held for the calling thread's log. */
    CompletableFuture<Prepared> prepareAsync(JailSpec spec, Caller caller) {
        Log.Sink held = Log.Sink.deferred();
        CompletableFuture<Prepared> f = new CompletableFuture<>();
        pool.submit(() -> {
            try {
                f.complete(prepare(spec, caller, held));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * Starts a jail on a pool thread; the future completes (on that thread) once the program runs,
     * or exceptionally with a {@link JailFailure}. The fds in {@code io} must stay open until then.
     */
    public CompletableFuture<JailHandle> startAsync(JailSpec spec, JailIo io) {
        return startAsync(spec, io, Caller.self());
    }

    /** As {@link #startAsync(JailSpec, JailIo)}, for {@code caller}. */
    public CompletableFuture<JailHandle> startAsync(JailSpec spec, JailIo io, Caller caller) {
        CompletableFuture<JailHandle> f = new CompletableFuture<>();
        pool.submit(() -> {
            try {
                f.complete(start(spec, io, caller));
            } catch (JailFailure e) {
                f.completeExceptionally(e);
            } catch (Throwable t) {
                f.completeExceptionally(new JailFailure(SetupStep.CLONE, "starting the jail failed: " + org.jnsjail.log.Quote.describe(t), t));
            }
        });
        return f;
    }

    /**
     * Lets the calling thread start the resident stub itself (the jails' parent-death signal
     * follows it): only for a thread that lives as long as the JVM, as the CLI's main thread.
     * Other threads have the stub started by a keeper thread.
     */
    public void adoptCurrentThread() {
        ResidentStub.adoptCurrentThread();
    }

    /** The resident exec stub's pid, or -1 while none runs (for diagnostics and tests). */
    public static int stubPid() {
        return ResidentStub.pid();
    }

    /** Creates the pool now, not at the first asynchronous start: a server's thread count is then fixed from the outset. */
    public void startPool() {
        pool.start();
    }

    /**
     * nsjail -Me: replaces this JVM by the exec stub, which unshares and becomes the program. Never
     * returns normally; the program keeps this process's pid and stays outside the new PID namespace.
     */
    public static void execInPlace(JailSpec spec) throws JailFailure {
        InPlace.exec(spec);
    }

    static int pidfdOpen(int pid) throws ErrnoException {
        long fd = Libc.syscall(Syscall.SYS_pidfd_open, pid, 0, 0);
        if (fd < 0) throw new ErrnoException("pidfd_open", Libc.errno());
        return (int) fd;
    }
}
