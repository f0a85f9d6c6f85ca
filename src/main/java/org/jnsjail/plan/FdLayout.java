package org.jnsjail.plan;

import org.jnsjail.model.JailSpec;

/**
 * The fd numbers a supervised jail's plan uses (its first ones fixed by the resident stub's request):
 * every --pass_fd keeps its own number; the control socket lies above them all, then the --execute_fd
 * binary and the cgroup directory for CLONE_INTO_CGROUP when there are any, and from {@code scratch}
 * on the fds the plan itself opens for the supervisor (user_net's, the seccomp listener, --init's
 * pidfd). -1: not used.
 */
public record FdLayout(int control, int exec, int cgroup, int scratch) {
    /** The layout for {@code spec}, with or without an exec fd and a cgroup fd. */
    public static FdLayout of(JailSpec spec, boolean execFd, boolean cgroupFd) {
        int control = 3;
        for (int p : spec.passFds()) control = Math.max(control, p + 1);
        int next = control + 1;
        int exec = execFd ? next++ : -1;
        int cgroup = cgroupFd ? next++ : -1;
        return new FdLayout(control, exec, cgroup, next);
    }
}
