package org.jnsjail.api;

/**
 * The Linux signals a jail's program can be sent or be killed by (signal(7), x86_64 numbers).
 * Real-time signals have no constant here.
 */
public enum Signal {
    /** Hangup. */
    SIGHUP(1),
    /** Interrupt from the keyboard. */
    SIGINT(2),
    /** Quit from the keyboard. */
    SIGQUIT(3),
    /** Illegal instruction. */
    SIGILL(4),
    /** Trace or breakpoint trap. */
    SIGTRAP(5),
    /** Abort, as abort(3) sends it. */
    SIGABRT(6),
    /** Bus error (bad memory access). */
    SIGBUS(7),
    /** Floating-point exception. */
    SIGFPE(8),
    /** Kill: cannot be caught or ignored. */
    SIGKILL(9),
    /** User-defined signal 1. */
    SIGUSR1(10),
    /** Invalid memory reference. */
    SIGSEGV(11),
    /** User-defined signal 2. */
    SIGUSR2(12),
    /** Write to a pipe with no readers. */
    SIGPIPE(13),
    /** Timer signal from alarm(2). */
    SIGALRM(14),
    /** Termination request. */
    SIGTERM(15),
    /** Stack fault on a coprocessor (unused). */
    SIGSTKFLT(16),
    /** A child stopped or ended. */
    SIGCHLD(17),
    /** Continue if stopped. */
    SIGCONT(18),
    /** Stop: cannot be caught or ignored. */
    SIGSTOP(19),
    /** Stop typed at the terminal. */
    SIGTSTP(20),
    /** Terminal input for a background process. */
    SIGTTIN(21),
    /** Terminal output for a background process. */
    SIGTTOU(22),
    /** Urgent condition on a socket. */
    SIGURG(23),
    /** CPU time limit (RLIMIT_CPU) exceeded. */
    SIGXCPU(24),
    /** File size limit (RLIMIT_FSIZE) exceeded. */
    SIGXFSZ(25),
    /** Virtual alarm clock. */
    SIGVTALRM(26),
    /** Profiling timer expired. */
    SIGPROF(27),
    /** Window resize. */
    SIGWINCH(28),
    /** I/O now possible. */
    SIGIO(29),
    /** Power failure. */
    SIGPWR(30),
    /** Bad system call: what a seccomp policy's KILL sends. */
    SIGSYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /**
     * The signal's number.
     *
     * @return its number, 1 to 31
     */
    public int number() {
        return number;
    }

    /**
     * The signal with this number.
     *
     * @param number a signal number
     * @return the signal, or null for 0 and numbers without a constant here (real-time signals)
     */
    public static Signal of(int number) {
        Signal[] all = values();
        return number >= 1 && number <= all.length ? all[number - 1] : null;
    }
}
