package org.jnsjail.stub;

import java.util.EnumSet;
import java.util.Set;

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
