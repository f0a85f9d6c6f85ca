package org.jnsjail.unotify;

import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;

/**
 * --seccomp_unotify: the policy to install, a tracer per jail, and the report at supervisor exit.
 * The statistics are shared by every tracer of the process.
 */
public final class Unotify {
    private Unotify() {}

    private static final Stats STATS = new Stats(Stats.DEFAULT_MAX_BYTES);

    /**
     * nsjail's Kafel policy: {@code POLICY unotify { USER_NOTIF { open, newstat, ... socket } } USE
     * unotify DEFAULT ALLOW}. Compiled by the caller and installed with SECCOMP_FILTER_FLAG_NEW_LISTENER.
     */
    public static String policy() {
        return TracedSyscall.policy();
    }

    /**
     * Starts a tracer thread on the listener fd, which it owns from now on (closed when the tracer
     * ends). {@code jailPid} is the jail's pid as the supervisor sees it (for log lines; each
     * notification names its own caller); {@code label} names the jail in log lines and the thread name.
     */
    public static Tracer trace(int listenerFd, int jailPid, String label) {
        return Tracer.start(listenerFd, jailPid, label, STATS::add);
    }

    /**
     * At supervisor exit: if anything was recorded, logs "unotify report:" and the report at INFO and
     * writes it to {@code reportFile} (null or "" = no file; a failure is a warning). Clears the
     * statistics afterwards.
     */
    public static void report(String reportFile) {
        report(STATS, reportFile);
    }

    static void report(Stats stats, String reportFile) {
        Snapshot s = stats.drain();
        if (s.dropped() > 0) {
            Log.warn("unotify: " + s.dropped() + " accesses were not recorded: the report reached its size limit ("
                    + (Stats.DEFAULT_MAX_BYTES >> 20) + " MiB)");
        }
        boolean toFile = reportFile != null && !reportFile.isEmpty();
        // Nobody would read it (-q and no file): protobuf is not even loaded.
        if (s.isEmpty() || !(toFile || Log.enabled(Log.Level.INFO))) return;
        String text = ReportText.render(s);
        // Log escapes newlines inside a message; the report is multi-line text (whose strings are
        // escaped by the text format, so it cannot forge log lines) and is written after its header.
        if (Log.enabled(Log.Level.INFO)) {
            Log.info("unotify report:");
            Log.plain(text);
        }
        if (toFile) {
            try {
                ReportText.write(reportFile, text);
            } catch (ErrnoException e) {
                Log.warn("Failed to write unotify report to " + reportFile + ": " + Errno.describe(e.errno()));
            }
        }
    }
}
