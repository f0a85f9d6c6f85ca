package org.jnsjail.model;

/**
 * What a jail's resources measured of it once it was reaped, before they are released ({@link
 * JailResource#measure}): the cgroup's peaks and CPU time, its OOM kills, and (--init) the program's
 * own wait status. -1 is "not measured".
 */
public final class Measured {
    private long peakMemory = -1, peakPids = -1, userNanos = -1, systemNanos = -1, oomKills = -1;
    private int programStatus = -1, programPid = -1;

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
    public void program(int rawStatus, int pid) {
        programStatus = rawStatus;
        programPid = pid;
    }

    public long peakMemory() {
        return peakMemory;
    }

    public long peakPids() {
        return peakPids;
    }

    public long userNanos() {
        return userNanos;
    }

    public long systemNanos() {
        return systemNanos;
    }

    public long oomKills() {
        return oomKills;
    }

    /** --init: the program's raw wait status, or -1. */
    public int programStatus() {
        return programStatus;
    }

    public int programPid() {
        return programPid;
    }
}
