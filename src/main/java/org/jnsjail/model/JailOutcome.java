package org.jnsjail.model;

import org.jnsjail.sys.Signals;

/**
 * What a jail did (a jnsjail extension; the CLI writes it with --status_file / --status_fd): how
 * it ended, why, and what it used. Built when the jail is reaped ({@link JailHandle#outcome()}).
 *
 * @param pid the jail's PID 1 in the supervisor's PID namespace (0 when it never started)
 * @param cause why it ended
 * @param status what nsjail exits with for it: the exit code, or 128+signal (255: it never started)
 * @param exitCode the program's exit code, or -1 when it was killed by a signal
 * @param signal the signal that killed it, or 0
 * @param usage time and memory used
 * @param seccomp the forbidden system call, for {@link Cause#SECCOMP_VIOLATION}; else null
 * @param remote LISTEN mode: the client's address ("addr:port"); else null
 * @param error {@link Cause#SETUP_FAILED}: the one-line reason; else null
 */
public record JailOutcome(int pid, Cause cause, int status, int exitCode, int signal, Usage usage, Seccomp seccomp,
        String remote, String error) {

    /** Why the jail ended. */
    public enum Cause {
        /** The program exited by itself. */
        EXITED,
        /** A signal killed it, none of the causes below. */
        SIGNALED,
        /** The supervisor killed it at --time_limit. */
        TIME_LIMIT,
        /** The OOM killer of its memory cgroup killed it. */
        OOM_KILLED,
        /** A seccomp policy killed it (SIGSYS). */
        SECCOMP_VIOLATION,
        /** The supervisor killed it otherwise: SIGINT/SIGTERM to the supervisor, a LISTEN client gone, ... */
        KILLED_BY_SUPERVISOR,
        /** It never ran: setting it up failed. */
        SETUP_FAILED;

        /** The JSON word: lower case ("time_limit"). */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where a figure comes from. */
    public enum Source {
        /** The jail's own cgroup: every process of the jail counted. */
        CGROUP,
        /**
         * The rusage of the jail's PID 1 at its reaping (wait4(2), getrusage(2) RUSAGE_CHILDREN): its
         * own and that of the descendants that were waited for. Processes still running when PID 1
         * exits are killed and reaped by the kernel with SIGCHLD ignored, so they are not counted;
         * ru_maxrss is the largest resident set of one process, not a sum.
         */
        RUSAGE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Time and memory. Times in nanoseconds; -1 where unknown.
     *
     * @param wallNanos from the clone to the reaping
     * @param peakMemoryBytes the cgroup's peak (v1 memory.max_usage_in_bytes, v2 memory.peak) where a memory
     *     cgroup is used, else ru_maxrss
     * @param peakPids the pids cgroup's pids.peak where one is used, else -1
     */
    public record Usage(long wallNanos, long userNanos, long systemNanos, Source cpuSource, long peakMemoryBytes,
            Source memorySource, long peakPids) {
        public static final Usage NONE = new Usage(0, 0, 0, Source.RUSAGE, 0, Source.RUSAGE, -1);
    }

    /**
     * The system call a seccomp policy killed the jail for, as the kernel's audit record names it
     * (readable from /dev/kmsg by root); fields unknown elsewhere are -1 / null.
     */
    public record Seccomp(int number, String syscall, String arch) {}

    public boolean signaled() {
        return signal != 0;
    }

    /** This outcome for a LISTEN connection from {@code remote}. */
    public JailOutcome withRemote(String remote) {
        return new JailOutcome(pid, cause, status, exitCode, signal, usage, seccomp, remote, error);
    }

    /** This outcome with another cause (the supervisor knows why it killed the jail). */
    public JailOutcome withCause(Cause c) {
        return new JailOutcome(pid, c, status, exitCode, signal, usage, seccomp, remote, error);
    }

    /** A jail that could not be started. */
    public static JailOutcome setupFailed(String error, String remote) {
        return new JailOutcome(0, Cause.SETUP_FAILED, 255, -1, 0, Usage.NONE, null, remote, error);
    }

    /**
     * One JSON object on one line, keys always present (null where they do not apply), times in
     * seconds with microsecond precision:
     * {@code {"pid":..,"cause":"exited","status":0,"exit_code":0,"signal":null,"signal_name":null,
     * "wall_time_sec":..,"user_time_sec":..,"system_time_sec":..,"cpu_time_source":"rusage",
     * "peak_memory_bytes":..,"peak_memory_source":"rusage","peak_pids":null,"seccomp":null,
     * "remote":null,"error":null}}
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(400);
        b.append("{\"pid\":").append(pid);
        b.append(",\"cause\":\"").append(cause.word()).append('"');
        b.append(",\"status\":").append(status);
        b.append(",\"exit_code\":").append(exitCode >= 0 ? Integer.toString(exitCode) : "null");
        b.append(",\"signal\":").append(signal != 0 ? Integer.toString(signal) : "null");
        b.append(",\"signal_name\":");
        string(b, signal != 0 ? Signals.name(signal) : null);
        b.append(",\"wall_time_sec\":");
        seconds(b, usage.wallNanos());
        b.append(",\"user_time_sec\":");
        seconds(b, usage.userNanos());
        b.append(",\"system_time_sec\":");
        seconds(b, usage.systemNanos());
        b.append(",\"cpu_time_source\":\"").append(usage.cpuSource().word()).append('"');
        b.append(",\"peak_memory_bytes\":").append(usage.peakMemoryBytes() >= 0 ? Long.toString(usage.peakMemoryBytes())
                : "null");
        b.append(",\"peak_memory_source\":\"").append(usage.memorySource().word()).append('"');
        b.append(",\"peak_pids\":").append(usage.peakPids() >= 0 ? Long.toString(usage.peakPids()) : "null");
        b.append(",\"seccomp\":");
        if (seccomp == null) {
            b.append("null");
        } else {
            b.append("{\"syscall\":");
            string(b, seccomp.syscall());
            b.append(",\"number\":").append(seccomp.number() >= 0 ? Integer.toString(seccomp.number()) : "null");
            b.append(",\"arch\":");
            string(b, seccomp.arch());
            b.append('}');
        }
        b.append(",\"remote\":");
        string(b, remote);
        b.append(",\"error\":");
        string(b, error);
        return b.append('}').toString();
    }

    private static void seconds(StringBuilder b, long nanos) {
        if (nanos < 0) {
            b.append("null");
            return;
        }
        long us = nanos / 1000;
        String frac = Long.toString(1_000_000 + us % 1_000_000).substring(1);
        b.append(us / 1_000_000).append('.').append(frac);
    }

    /** A JSON string (RFC 8259): quotes, backslashes and control characters escaped. */
    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
