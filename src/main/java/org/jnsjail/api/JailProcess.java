package org.jnsjail.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailOutcome;

/**
 * A running jail, as a {@link Process}: its PID 1 is a child of this JVM, held by a pidfd, so it
 * cannot be confused with another process after it ended. One thread of this JVM waits for it from
 * the start: it enforces the jail's {@link JailBuilder#timeLimit time limit}, reaps it, releases
 * what the jail held on the host (its cgroups, interfaces), then completes {@link #onExit()} and
 * makes {@link #result()} available.
 *
 * <p>Differences from an ordinary process: {@link #destroy()} kills the jail (SIGKILL), since its
 * program is PID 1 of its PID namespace, which ignores SIGTERM unless it handles it
 * ({@link #supportsNormalTermination()} is false; {@link #sendSignal} sends any signal);
 * {@link #toHandle()}, {@link #info()}, {@link #children()} and {@link #descendants()} are not
 * supported, since the jail's processes are not this JVM's to enumerate or signal by pid.
 *
 * <p>Streams: with {@link Redirect#PIPE} (the default), {@link #getOutputStream()} writes the jail's
 * stdin, {@link #getInputStream()} reads its stdout and {@link #getErrorStream()} its stderr;
 * otherwise they are empty (and writing throws). Once the jail has ended, what is left in its output
 * pipes is read into memory and the pipes closed, and its stdin pipe is closed.
 */
public final class JailProcess extends Process {
    private final JailHandle jail;
    private final OutputStream stdin;
    private final InputStream stdout, stderr;
    private final CompletableFuture<JailResult> result = new CompletableFuture<>();
    private final CompletableFuture<Process> exit = new CompletableFuture<>();

    JailProcess(JailHandle jail, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.jail = jail;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts the thread that waits for the jail; once per jail, right after its start. */
    void watch() {
        Thread.ofPlatform().daemon().name("jnsjail-reaper-" + jail.pid()).stackSize(256 * 1024).start(this::reap);
    }

    private void reap() {
        JailResult r = null;
        JailException failed = null;
        try {
            jail.waitFor();
            r = toResult(jail.outcome());
        } catch (JailFailure e) {
            jail.close();
            failed = Jails.exception(e);
        } finally {
            if (stdout instanceof FdInputStream in) in.drainAfterExit();
            if (stderr instanceof FdInputStream in && stderr != stdout) in.drainAfterExit();
            if (stdin instanceof FdOutputStream out) out.close();
            if (r != null) result.complete(r);
            else result.completeExceptionally(failed != null ? failed
                    : new JailException(JailException.Step.WAIT, 0, "waiting for the jail failed", null));
            exit.complete(this);
        }
    }

    static JailResult toResult(JailOutcome o) {
        JailOutcome.Usage u = o.usage();
        JailResult.Cause cause = switch (o.cause()) {
            case EXITED -> JailResult.Cause.EXITED;
            case TIME_LIMIT -> JailResult.Cause.TIME_LIMIT;
            case OOM_KILLED -> JailResult.Cause.OOM_KILLED;
            case SECCOMP_VIOLATION -> JailResult.Cause.SECCOMP_VIOLATION;
            case KILLED_BY_SUPERVISOR -> JailResult.Cause.DESTROYED;
            case SIGNALED, SETUP_FAILED -> JailResult.Cause.SIGNALED;
        };
        JailResult.Seccomp sc = o.seccomp() == null ? null
                : new JailResult.Seccomp(o.seccomp().syscall(), o.seccomp().number(), o.seccomp().arch());
        return new JailResult(o.pid(), cause, o.status(), o.exitCode(), Signal.of(o.signal()), sc,
                duration(u.wallNanos()), duration(u.userNanos()), duration(u.systemNanos()), u.peakMemoryBytes(),
                u.peakPids());
    }

    private static Duration duration(long nanos) {
        return nanos < 0 ? null : Duration.ofNanos(nanos);
    }

    /**
     * The jail's stdin, when it is {@link Redirect#PIPE}d.
     *
     * @return the stream; writes fail once the jail closed its end or ended
     */
    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    /**
     * The jail's stdout (and stderr with {@link JailBuilder#redirectErrorStream(boolean)}), when it
     * is {@link Redirect#PIPE}d.
     *
     * @return the stream
     */
    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    /**
     * The jail's stderr, when it is {@link Redirect#PIPE}d.
     *
     * @return the stream
     */
    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    /**
     * Waits until the jail has ended and been reaped.
     *
     * @return its {@link #exitValue()}
     * @throws InterruptedException if this thread was interrupted while waiting
     */
    @Override
    public int waitFor() throws InterruptedException {
        return result().exitValue();
    }

    /**
     * Waits at most {@code timeout} for the jail to end.
     *
     * @param timeout how long
     * @param unit its unit
     * @return whether it has ended
     * @throws InterruptedException if this thread was interrupted while waiting
     */
    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            result.get(Math.max(0, timeout), unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * How the jail ended and what it used, once it has ended; waits for that.
     *
     * @return the result
     * @throws InterruptedException if this thread was interrupted while waiting
     * @throws UncheckedIOException wrapping a {@link JailException} if waiting for the jail failed (a
     *     failing waitid(2); the jail was killed)
     */
    public JailResult result() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            JailException cause = (JailException) e.getCause();
            throw new UncheckedIOException(new JailException(cause.step(), cause.errno(), cause.getMessage(), cause));
        }
    }

    /**
     * The jail's result, as a future that completes when it ends (a new future each call).
     *
     * @return the future
     */
    public CompletableFuture<JailResult> onResult() {
        return result.copy();
    }

    /**
     * A future that completes with this process when the jail has ended and been reaped (a new
     * future each call).
     *
     * @return the future
     */
    @Override
    public CompletableFuture<Process> onExit() {
        return exit.copy();
    }

    /**
     * The jail's exit value.
     *
     * @return its exit code, or 128 + the number of the signal that killed it
     * @throws IllegalThreadStateException if it has not ended yet
     */
    @Override
    public int exitValue() {
        JailResult r = result.getNow(null);
        if (r == null) {
            if (result.isCompletedExceptionally()) return 255;
            throw new IllegalThreadStateException("the jail has not ended");
        }
        return r.exitValue();
    }

    /**
     * Whether the jail still runs.
     *
     * @return false once it has ended and been reaped
     */
    @Override
    public boolean isAlive() {
        return !result.isDone();
    }

    /** Kills the jail (SIGKILL to its PID 1, which ends every process of its PID namespace). */
    @Override
    public void destroy() {
        jail.signal(org.jnsjail.sys.Signals.SIGKILL, JailOutcome.Cause.KILLED_BY_SUPERVISOR);
    }

    /**
     * Kills the jail, as {@link #destroy()}.
     *
     * @return this
     */
    @Override
    public Process destroyForcibly() {
        destroy();
        return this;
    }

    /**
     * Whether {@link #destroy()} lets the jail end normally.
     *
     * @return false: it kills (use {@link #sendSignal} with {@link Signal#SIGTERM} to ask)
     */
    @Override
    public boolean supportsNormalTermination() {
        return false;
    }

    /**
     * Sends a signal to the jail's PID 1 (the program, or with {@link JailBuilder#init()} the init that
     * passes SIGTERM, SIGINT and SIGHUP on to it).
     *
     * @param signal the signal
     * @return false if the jail has already ended
     */
    public boolean sendSignal(Signal signal) {
        return jail.signal(signal.number());
    }

    /**
     * The jail's PID 1 in this JVM's PID namespace.
     *
     * @return its pid
     */
    @Override
    public long pid() {
        return jail.pid();
    }

    /**
     * Not supported: the jail's processes are not this JVM's to enumerate or signal by pid.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public ProcessHandle toHandle() {
        throw new UnsupportedOperationException("a jail has no ProcessHandle: use its JailProcess");
    }

    @Override
    public String toString() {
        JailResult r = result.getNow(null);
        return "JailProcess[pid=" + jail.pid() + (r == null ? ", alive" : ", " + r.cause() + ", exitValue=" + r.exitValue())
                + "]";
    }
}
