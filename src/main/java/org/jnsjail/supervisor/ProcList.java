package org.jnsjail.supervisor;

import java.util.List;

import org.jnsjail.log.Log;

/** nsjail's displayProc, logged on SIGUSR1 (and SIGQUIT where the JVM lets it be handled). */
final class ProcList {
    private ProcList() {}

    /** One running jail: its pid, nsjail's remote text, when it started (System.nanoTime) and its time limit (ms). */
    record Entry(int pid, String remote, long startNanos, long timeLimitMillis) {}

    /** The entry of a running jail. */
    static Entry of(org.jnsjail.model.JailHandle j, String remote) {
        return new Entry(j.pid(), remote, j.startNanos(), j.timeLimitMillis());
    }

    static void log(List<Entry> jails) {
        Log.info("Total number of spawned namespaces: " + jails.size());
        long now = System.nanoTime();
        for (Entry e : jails) {
            long ran = (now - e.startNanos()) / 1_000_000_000L;
            long left = e.timeLimitMillis() > 0 ? e.timeLimitMillis() / 1000 - ran : 0;
            Log.info("pid=" + e.pid() + ", Remote host: " + e.remote() + ", Run time: " + ran + " sec. (time left: "
                    + (left > 0 ? Long.toString(left) : "unlimited") + " s.)");
        }
    }
}
