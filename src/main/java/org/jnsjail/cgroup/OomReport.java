package org.jnsjail.cgroup;

import java.util.Optional;

import org.jnsjail.model.JailStatus;

/**
 * Tells an OOM kill apart from any other SIGKILL. v1 memory.oom_control and v2 memory.events
 * carry an "oom_kill N" line: the number of processes the OOM killer killed in the cgroup
 * (Linux 4.13+; cgroup-v1/memory.rst, cgroup-v2.rst "memory.events").
 */
final class OomReport {
    private OomReport() {}

    /** The N of the "oom_kill N" line, or -1 when the kernel does not report it. */
    static long oomKills(String text) {
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2 && f[0].equals("oom_kill")) {
                try {
                    return Long.parseLong(f[1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The log line for a jail whose cgroup saw {@code kills} OOM kills, if any. */
    static Optional<String> message(int pid, JailStatus status, long kills) {
        if (kills <= 0) return Optional.empty();
        if (status.signal() == CgroupRemoval.SIGKILL) {
            return Optional.of("pid=" + pid + " was killed by the OOM killer (cgroup memory limit reached)");
        }
        return Optional.of("pid=" + pid + ": the OOM killer killed " + kills + " process" + (kills == 1 ? "" : "es")
                + " in the jail (cgroup memory limit reached)");
    }

    /** v1 kernels before 4.13 have no oom_kill line: a SIGKILL with a non-zero memory.failcnt is the next best sign. */
    static Optional<String> fromFailcnt(int pid, JailStatus status, long failcnt) {
        if (failcnt <= 0 || status.signal() != CgroupRemoval.SIGKILL) return Optional.empty();
        return Optional.of("pid=" + pid + " was killed by SIGKILL after reaching its cgroup memory limit "
                + "(memory.failcnt " + failcnt + "): probably the OOM killer");
    }
}
