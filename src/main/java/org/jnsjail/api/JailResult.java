package org.jnsjail.api;

import java.time.Duration;

/**
 * How a jail ended and what it used: what {@code --status_file} writes for the command line, as a
 * value. Figures that could not be measured are -1 (or null where they are objects).
 *
 * @param pid the jail's PID 1 in this JVM's PID namespace
 * @param cause why it ended
 * @param exitValue what {@link Process#exitValue()} says: the exit code, or 128 + the signal's number
 * @param exitCode the program's exit code, or -1 when a signal killed it
 * @param signal the signal that killed the program, or null when it exited (or was killed by a
 *     real-time signal, which has no {@link Signal} constant)
 * @param seccomp the system call a seccomp policy killed the program for, or null
 * @param wallTime from the program's start to its end
 * @param userTime CPU time in user mode (the jail's cgroup's where it has a v2 cgroup, else the
 *     rusage of its PID 1 and the children it waited for)
 * @param systemTime CPU time in the kernel, likewise
 * @param peakMemoryBytes the memory cgroup's peak usage where the jail has one (a memory limit), else
 *     the largest resident set of one of its processes (ru_maxrss)
 * @param peakPids the pids cgroup's peak where the jail has one (a pids limit), else -1
 */
public record JailResult(long pid, Cause cause, int exitValue, int exitCode, Signal signal, Seccomp seccomp,
        Duration wallTime, Duration userTime, Duration systemTime, long peakMemoryBytes, long peakPids) {

    /** Why a jail ended. */
    public enum Cause {
        /** The program exited by itself. */
        EXITED,
        /** A signal killed it, for none of the reasons below. */
        SIGNALED,
        /** It ran past its {@link JailBuilder#timeLimit time limit} and was killed (SIGKILL). */
        TIME_LIMIT,
        /** The OOM killer of its memory cgroup killed it (its {@link JailBuilder#memoryLimit memory limit}). */
        OOM_KILLED,
        /** Its seccomp policy killed it for a forbidden system call (SIGSYS). */
        SECCOMP_VIOLATION,
        /** {@link JailProcess#destroy()} (or the end of this JVM's supervision) killed it. */
        DESTROYED
    }

    /**
     * The system call a seccomp policy killed a jail for, as the kernel's audit record of the kill
     * names it. That record is read from /dev/kmsg, which root can read; elsewhere only what
     * /proc/PID/syscall showed is known, or nothing.
     *
     * @param syscall the call's name ("ptrace"), or null when it is not known
     * @param number the call's number, or -1
     * @param arch its ABI in Kafel's words ("x86_64", "x86"), or null
     */
    public record Seccomp(String syscall, int number, String arch) {}

    /**
     * Whether the jail was killed at its time limit.
     *
     * @return cause is {@link Cause#TIME_LIMIT}
     */
    public boolean timedOut() {
        return cause == Cause.TIME_LIMIT;
    }

    /**
     * Whether its memory cgroup's OOM killer killed it.
     *
     * @return cause is {@link Cause#OOM_KILLED}
     */
    public boolean oomKilled() {
        return cause == Cause.OOM_KILLED;
    }

    /**
     * Whether its seccomp policy killed it.
     *
     * @return cause is {@link Cause#SECCOMP_VIOLATION}
     */
    public boolean seccompViolation() {
        return cause == Cause.SECCOMP_VIOLATION;
    }

    /**
     * The forbidden system call's name.
     *
     * @return the name, or null when there was no seccomp violation or the name is not known
     */
    public String seccompSyscall() {
        return seccomp == null ? null : seccomp.syscall();
    }

    /**
     * Whether the program exited by itself with status 0.
     *
     * @return cause is {@link Cause#EXITED} and the exit code 0
     */
    public boolean succeeded() {
        return cause == Cause.EXITED && exitCode == 0;
    }

    /**
     * CPU time in user mode and in the kernel together.
     *
     * @return {@code userTime + systemTime}, or null when either is unknown
     */
    public Duration cpuTime() {
        return userTime == null || systemTime == null ? null : userTime.plus(systemTime);
    }
}
