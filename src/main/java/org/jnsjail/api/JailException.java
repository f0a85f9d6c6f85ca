package org.jnsjail.api;

import java.io.IOException;

/**
 * A jail could not be started (or, rarely, waited for). Like {@link ProcessBuilder#start()}'s
 * failures it is an {@link IOException}; it says which part of the start failed ({@link #step()})
 * and the kernel's error number ({@link #errno()}, 0 when there was none), and its message is one
 * line, as the command line prints it. It is thrown on the caller's thread with the caller's stack;
 * a failure that happened on another thread (the exec stub's, a pool thread's) is its cause.
 */
public class JailException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The part of a jail's start that failed. */
    public enum Step {
        /** The description cannot be used here: settings that exclude each other, a file or policy that does not load. */
        SPEC,
        /** The jail's stdio: a redirect's file or file descriptor that cannot be used. */
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
        /** execve(2) of the program: a missing program, one that is not executable. */
        EXEC,
        /** Waiting for the jail and reaping it. */
        WAIT
    }

    /** The part of the start that failed. */
    private final Step step;
    /** The failed system call's errno, or 0. */
    private final int errno;

    /**
     * A failure.
     *
     * @param step the part of the start that failed
     * @param errno the kernel's error number, or 0
     * @param message one line saying what failed
     * @param cause where it failed (on another thread, say), or null
     */
    public JailException(Step step, int errno, String message, Throwable cause) {
        super(message, cause);
        this.step = java.util.Objects.requireNonNull(step, "step");
        this.errno = errno;
    }

    /**
     * The part of the start that failed.
     *
     * @return the step
     */
    public Step step() {
        return step;
    }

    /**
     * The error number of the system call that failed (errno(3): 2 is ENOENT, 13 EACCES, ...).
     *
     * @return the errno, or 0 when no system call failed
     */
    public int errno() {
        return errno;
    }
}
