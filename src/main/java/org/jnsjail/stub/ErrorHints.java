package org.jnsjail.stub;

import java.util.EnumSet;
import java.util.Set;

import org.jnsjail.model.SetupStep;
import org.jnsjail.sys.Errno;

/** A failed operation as one line: its description, its errno, and nsjail's hints for it. */
public final class ErrorHints {
    private ErrorHints() {}

    /** The steps of one mount that its failure can come from (nsjail's hints are about these). */
    private static final Set<OpCode> MOUNT_STEPS = EnumSet.of(OpCode.OPEN_AT, OpCode.OPEN_TREE, OpCode.FS_MOUNT,
            OpCode.MOVE_MOUNT);
    /** The file system set-up's system calls, absent before Linux 5.12: there is no path-based fallback. */
    private static final Set<OpCode> FD_MOUNT_API = EnumSet.of(OpCode.OPEN_AT, OpCode.OPEN_TREE, OpCode.FS_MOUNT,
            OpCode.MOVE_MOUNT, OpCode.SETATTR_AT);

    /** The part of the jail's set-up operation {@code idx} of {@code plan} belongs to. */
    public static SetupStep stepOf(Plan plan, int idx) {
        Op op = idx >= 0 && idx < plan.ops().size() ? plan.ops().get(idx) : null;
        if (op == null) return SetupStep.CLONE;
        OpCode c = op.code();
        if (c == OpCode.EXECVE) return SetupStep.EXEC;
        if (c == OpCode.SECCOMP) return SetupStep.SECCOMP;
        if (c == OpCode.IF_UP || c == OpCode.SOCKET || c == OpCode.SEND_FDS) return SetupStep.NETWORK;
        if (c == OpCode.OPEN_DUP || c == OpCode.RECV_FDS || c == OpCode.FDS_CLOEXEC || c == OpCode.CLOSE_SLOTS
                || c == OpCode.SETSID) return SetupStep.STDIO;
        if (c == OpCode.SETRESGID || c == OpCode.SETRESUID || c == OpCode.SETGROUPS || c == OpCode.CAPSET
                || c == OpCode.PRCTL) return SetupStep.CREDENTIALS;
        if (c == OpCode.WRITE_FILE || c == OpCode.SETHOSTNAME || c == OpCode.PRLIMIT || c == OpCode.PERSONALITY
                || c == OpCode.SETPRIORITY || c == OpCode.SCHED_SETAFFINITY || c == OpCode.UMASK) return SetupStep.PROCESS;
        if (c == OpCode.CLONE || c == OpCode.WAIT_GO || c == OpCode.UNSHARE || c == OpCode.PID_NS_INIT
                || c == OpCode.INIT || c.retired()) return SetupStep.CLONE;
        return SetupStep.MOUNT; // the file system's operations, chroot, pivot_root, chdir
    }

    /** One line naming operation {@code idx} of {@code plan}, errno {@code err} and nsjail's hints. */
    public static String failure(Plan plan, int idx, int err) {
        Op op = idx >= 0 && idx < plan.ops().size() ? plan.ops().get(idx) : null;
        StringBuilder b = new StringBuilder();
        b.append(plan.describe(idx)).append(" failed: ").append(Errno.describe(err));
        if (op != null && op.what().startsWith("Mount: ") && MOUNT_STEPS.contains(op.code())) {
            if (err == Errno.EACCES) b.append(" (try 'chmod o+x' on the source path and its parents)");
            if (op.what().contains("type:'proc'")) b.append(" (procfs mount may fail if /proc has overmounts)");
        }
        if (op != null && err == Errno.ENOSYS && FD_MOUNT_API.contains(op.code())) {
            b.append(" (jnsjail needs Linux 5.12 or later: openat2(2), the mount API of fsopen(2), open_tree(2) and"
                    + " move_mount(2), and mount_setattr(2))");
        }
        if (op != null && op.code() == OpCode.EXECVE && err == Errno.ENOENT) {
            b.append(" (no PATH search is done; the path must exist inside the jail)");
        }
        return b.toString();
    }
}
