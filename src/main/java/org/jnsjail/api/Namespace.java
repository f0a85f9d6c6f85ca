package org.jnsjail.api;

/** The Linux namespaces a jail can be given (namespaces(7)); by default all but {@link #TIME}. */
public enum Namespace {
    /** User namespace: the jail's own uids and gids, mapped to the host's. */
    USER,
    /** PID namespace: the program is PID 1 and sees only its own processes. */
    PID,
    /** Mount namespace: the jail's own file system tree. */
    MOUNT,
    /** Network namespace: only the loopback interface unless more is configured. */
    NET,
    /** IPC namespace: its own System V IPC objects and POSIX message queues. */
    IPC,
    /** UTS namespace: its own host name. */
    UTS,
    /** Cgroup namespace: its own view of the cgroup hierarchy. */
    CGROUP,
    /** Time namespace: its own monotonic and boot-time clocks. */
    TIME
}
