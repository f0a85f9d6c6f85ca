package org.jnsjail.supervisor;

/**
 * What a jail's resources measured of it once it was reaped, before they are released ({@link
 * JailResource#measure}): the cgroup's peaks and CPU time, its OOM kills, and (--init) the program's
 * own wait status. -1 is "not measured".
 */
public final class Measured {
    long peakMemory = -1, peakPids = -1, userNanos = -1, systemNanos = -1, oomKills = -1;
    int programStatus = -1, programPid = -1;

    /** The memory cgroup's peak usage in bytes (v1 memory.max_usage_in_bytes, v2 memory.peak). */
    public void peakMemory(long bytes) {
        peakMemory = bytes;
    }

    /** The pids cgroup's pids.peak. */
    public void peakPids(long n) {
        peakPids = n;
    }

    /** CPU time the cgroup's processes used (v2 cpu.stat user_usec, system_usec). */
    public void cpu(long userNanos, long systemNanos) {
        this.userNanos = userNanos;
        this.systemNanos = systemNanos;
    }

    /** The processes the OOM killer killed in the jail's memory cgroup (the "oom_kill N" line). */
    public void oomKills(long n) {
        oomKills = n;
    }

    /** --init: the program's raw wait status (wait(2)) and its pid here. */
    void program(int rawStatus, int pid) {
        programStatus = rawStatus;
        programPid = pid;
    }
}
