package org.jnsjail.cgroup;

import java.nio.file.Path;

import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;

/**
 * Removes a jail's cgroup after the jail was reaped. rmdir fails with EBUSY while the cgroup holds
 * a process (cgroups(7)): without a PID namespace a jail's children can outlive it, so what is
 * still inside is killed, then removal is retried for a while.
 */
final class CgroupRemoval {
    private CgroupRemoval() {}

    static final int SIGKILL = 9;
    static final int EBUSY = 16;
    static final int ATTEMPTS = 30;
    static final long PAUSE_MS = 100;

    /** True when the directory is gone (ENOENT counts: another supervisor's sweep may have taken it). */
    static boolean remove(CgroupHost h, Path dir) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                h.rmdir(dir);
                return true;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENOENT) return true;
                if (e.errno() != EBUSY) {
                    Log.warn("Could not remove cgroup: " + e.getMessage());
                    return false;
                }
            }
            if (!killRemaining(h, dir)) {
                Log.warn("Could not remove cgroup '" + dir + "': this process is in it");
                return false;
            }
            h.sleepMillis(PAUSE_MS);
        }
        Log.warn("Could not remove cgroup '" + dir + "': still busy after " + ATTEMPTS * PAUSE_MS + " ms");
        return false;
    }

    /**
     * SIGKILL to every process still in the cgroup: they belong to the jail that already ended.
     * False when the supervisor itself is inside (-Me set-up failed after moving in): never killed.
     */
    private static boolean killRemaining(CgroupHost h, Path dir) {
        String procs;
        try {
            procs = h.read(dir.resolve("cgroup.procs"));
        } catch (ErrnoException e) {
            return true;
        }
        int self = h.selfPid();
        if (procs.lines().anyMatch(l -> l.strip().equals(Integer.toString(self)))) return false;
        for (String line : procs.split("\n")) {
            if (line.isBlank()) continue;
            try {
                int pid = Integer.parseInt(line.strip());
                Log.debug("killing pid=" + pid + ", left in cgroup '" + dir + "'");
                h.kill(pid, SIGKILL);
            } catch (NumberFormatException e) {
                // not a pid line
            }
        }
        return true;
    }
}
