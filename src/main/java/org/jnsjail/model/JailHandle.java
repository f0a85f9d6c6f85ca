package org.jnsjail.model;

/**
 * A running jail: its PID 1 is a direct child of this JVM, held through a pidfd, so signals and
 * waits can never hit a recycled pid.
 */
public interface JailHandle extends AutoCloseable {
    /** The jail's pid in the supervisor's PID namespace. */
    int pid();

    /** Blocks until the jail ends, and reaps it. */
    JailStatus waitFor() throws JailFailure;

    /** Waits up to {@code millis} (0 = just check); null if it is still running. */
    JailStatus waitFor(long millis) throws JailFailure;

    /** Sends a signal to the jail's PID 1; false if it has already ended. */
    boolean signal(int sig);

    /** The pidfd, readable once the jail has ended (for poll(2)). */
    int pidfd();

    /**
     * For a jail killed by SIGSYS (seccomp): its /proc/PID/syscall line ("nr arg0 .. arg5 sp pc", hex),
     * read before it was reaped, or null.
     */
    default String lastSyscall() {
        return null;
    }

    /**
     * What the jail did: how and why it ended, its times and peak memory (jnsjail extension). Null
     * until it has been reaped by {@link #waitFor()}.
     */
    default JailOutcome outcome() {
        return null;
    }

    /**
     * Sends a signal for a reason ({@link JailOutcome.Cause#TIME_LIMIT}, {@link
     * JailOutcome.Cause#KILLED_BY_SUPERVISOR}): if the jail then dies of a signal, its outcome names
     * that cause. The first reason given stays. False if it has already ended.
     */
    default boolean signal(int sig, JailOutcome.Cause why) {
        return signal(sig);
    }

    /**
     * When the jail's time limit runs out ({@link System#nanoTime()}), counted from when its program was
     * let go; {@link Long#MAX_VALUE} when it has none. {@link #waitFor} enforces it; a caller that
     * polls the pidfd itself calls {@link #enforceTimeLimit()} when it is reached.
     */
    default long deadline() {
        return Long.MAX_VALUE;
    }

    /** When the jail's program was let go ({@link System#nanoTime()}). */
    default long startNanos() {
        return 0;
    }

    /** The jail's wall-clock limit in milliseconds, 0 for none. */
    default long timeLimitMillis() {
        return 0;
    }

    /**
     * The time limit, enforced in one place for every mode and the API: once the jail is past its
     * {@link #deadline()}, nsjail's line ("pid=N run time &gt;= time limit (R &gt;= L) (REMOTE). Killing
     * it") is logged and the jail gets SIGCONT and SIGKILL for {@link JailOutcome.Cause#TIME_LIMIT}.
     * Once; true when it was killed now.
     */
    default boolean enforceTimeLimit() {
        return false;
    }

    /** How nsjail's lines name the jail's client ("[STANDALONE MODE]", or a LISTEN peer's address). */
    default void remote(String remote) {}

    /** Kills the jail if it still runs, reaps it and releases the pidfd. */
    @Override
    void close();
}
