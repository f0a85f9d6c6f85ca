package org.jnsjail.stub;

/**
 * Operation codes of the exec stub and how many arguments each takes: the Java side of exec_stub.c's
 * op enum and shape table (StubProtocolTest parses the C file and checks both). The ordinal + 1 is
 * the wire code. New codes go at the end. The RETIRED ones were the path-based mount(2), mkdir(2),
 * open(O_CREAT), symlink(2) and mount_setattr(2) operations, which a jail could redirect with a
 * planted symlink: the stub refuses them, and their codes stay taken so that every other code keeps
 * its number. The string counts include the description (string 0).
 */
public enum OpCode {
    CLONE(2, 2, 1, 1), WAIT_GO(0, 0, 1, 1), WRITE_FILE(2, 2, 3, 3), OPEN_DUP(3, 3, 2, 2), PRCTL(5, 5, 1, 1),
    SETRESGID(3, 3, 1, 1), SETRESUID(3, 3, 1, 1), SETGROUPS(0, Limits.MAX_INTS, 1, 1), RETIRED_MOUNT,
    UMOUNT2(1, 1, 2, 2), RETIRED_MKDIR, RETIRED_CREATE_FILE, RETIRED_SYMLINK, CHDIR(0, 0, 2, 2), CHROOT(0, 0, 2, 2),
    PIVOT_ROOT(0, 0, 3, 3), SETHOSTNAME(0, 0, 2, 2), IF_UP(1, 1, 2, 2), PRLIMIT(3, 3, 1, 1), PERSONALITY(1, 1, 1, 1),
    SETPRIORITY(3, 3, 1, 1), SETSID(0, 0, 1, 1), CAPSET(3, 3, 1, 1), SCHED_SETAFFINITY(0, 0, 2, 2),
    FDS_CLOEXEC(0, Limits.MAX_INTS, 1, 1), SECCOMP(1, 2, 2, 2), EXECVE(3, 3, 2, Limits.MAX_STRS),
    RETIRED_MOUNT_SETATTR, UNSHARE(1, 1, 1, 1), PID_NS_INIT(0, 0, 1, 1), FS_CHILD(1, 1, 1, 1), SOCKET(4, 4, 1, 1),
    SEND_FDS(2, 9, 1, 1), UMASK(1, 1, 1, 1), OPEN_AT(4, 4, 2, 2), MKDIR_AT(2, 2, 2, 2), WRITE_AT(3, 3, 3, 3),
    SYMLINK_AT(1, 1, 3, 3), OPEN_TREE(3, 3, 1, 1), FS_MOUNT(2, Limits.MAX_INTS, 2, Limits.MAX_STRS),
    MOVE_MOUNT(3, 3, 1, 1), SETATTR_AT(5, 5, 1, 1), FCHDIR(1, 1, 1, 1), CLOSE_SLOTS(0, 0, 1, 1),
    RECV_FDS(0, Limits.MAX_INTS, 1, 1), INIT(1, 1, 2, 2);

    /** exec_stub.c's OP_MAX_INTS and OP_MAX_STRS. */
    public static final class Limits {
        private Limits() {}

        public static final int MAX_INTS = 4096, MAX_STRS = 65536;
    }

    /** Integers and strings (the description included) an operation of this code may have; 0 for a retired one. */
    public final int minInts, maxInts, minStrs, maxStrs;

    OpCode(int minInts, int maxInts, int minStrs, int maxStrs) {
        this.minInts = minInts;
        this.maxInts = maxInts;
        this.minStrs = minStrs;
        this.maxStrs = maxStrs;
    }

    /** A retired code: the stub refuses it. */
    OpCode() {
        this(0, 0, 0, 0);
    }

    public int wire() {
        return ordinal() + 1;
    }

    public boolean retired() {
        return maxStrs == 0;
    }

    /** Whether an operation with these counts (strings without the description) passes the stub's check. */
    public boolean fits(int ints, int strs) {
        return !retired() && ints >= minInts && ints <= maxInts && strs + 1 >= minStrs && strs + 1 <= maxStrs;
    }
}
