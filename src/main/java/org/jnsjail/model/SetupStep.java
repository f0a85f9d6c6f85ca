package org.jnsjail.model;

/**
 * The part of making or running a jail that failed ({@link JailFailure#step()}). The public API's
 * {@code JailException.Step} has the same constants (ApiTest checks it).
 */
public enum SetupStep {
    /** The description cannot be used here: settings that exclude each other, a mode that lacks what it needs. */
    SPEC,
    /** The jail's stdio and passed fds: a redirect file that does not open, fds the jail did not take. */
    STDIO,
    /** The jail's cgroups: creating them, writing the limits, moving the jail in. */
    CGROUP,
    /** Interfaces, addresses and user-mode networking. */
    NETWORK,
    /** The exec stub, clone(2), the namespaces, the jail's init. */
    CLONE,
    /** Writing the user namespace's uid and gid maps. */
    ID_MAP,
    /** The jail's file system: a mount, its source, pivot_root, the working directory. */
    MOUNT,
    /** Ids, supplementary groups, capabilities, prctl settings such as no_new_privs. */
    CREDENTIALS,
    /** Process attributes: rlimits, nice level, CPU affinity, personality, umask, host name. */
    PROCESS,
    /** Installing the seccomp-bpf filter. */
    SECCOMP,
    /** execve(2) of the program. */
    EXEC,
    /** Waiting for the jail and reaping it. */
    WAIT
}
