package org.jnsjail.stub;

/**
 * Operation codes of the exec stub; the ordinal + 1 is the wire code (see exec_stub.c). New codes go
 * at the end. The RETIRED ones were the path-based mount(2), mkdir(2), open(O_CREAT), symlink(2) and
 * mount_setattr(2) operations, which a jail could redirect with a planted symlink: the stub refuses
 * them, and their codes stay taken so that every other code keeps its number.
 */
public enum OpCode {
    CLONE, WAIT_GO, WRITE_FILE, OPEN_DUP, PRCTL, SETRESGID, SETRESUID, SETGROUPS, RETIRED_MOUNT, UMOUNT2,
    RETIRED_MKDIR, RETIRED_CREATE_FILE, RETIRED_SYMLINK, CHDIR, CHROOT, PIVOT_ROOT, SETHOSTNAME, IF_UP, PRLIMIT,
    PERSONALITY, SETPRIORITY, SETSID, CAPSET, SCHED_SETAFFINITY, FDS_CLOEXEC, SECCOMP, EXECVE,
    RETIRED_MOUNT_SETATTR, UNSHARE, PID_NS_INIT, FS_CHILD, SOCKET, SEND_FDS, UMASK,
    /** Fills fd slot int 0 with openat2(slot int 1 or -1 for the cwd, path, flags int 2, resolve int 3). */
    OPEN_AT,
    /** mkdirat(slot int 0, name, mode int 1); the name is one component. */
    MKDIR_AT,
    /** openat(slot int 0, name, flags int 1 | O_NOFOLLOW, mode int 2), then writes the content string. */
    WRITE_AT,
    /** symlinkat(target, slot int 0, name). */
    SYMLINK_AT,
    /** Fills slot int 0 with open_tree(slot int 1, "", flags int 2). */
    OPEN_TREE,
    /** Fills slot int 0 with fsmount(attrs int 1) of fsopen(type) configured with (key, value) pairs, commands ints 2... */
    FS_MOUNT,
    /** move_mount(slot int 0, "", slot int 1, "", flags int 2). */
    MOVE_MOUNT,
    /** mount_setattr(slot int 0, "", flags int 1, {set int 2, clr int 3, propagation int 4}). */
    SETATTR_AT,
    /** fchdir(slot int 0). */
    FCHDIR,
    /** Closes every fd slot. */
    CLOSE_SLOTS,
    /** Takes the jail's stdio and --pass_fd fds from the supervisor (SCM_RIGHTS) to the fd numbers in the ints. */
    RECV_FDS,
    /** --init: fork; PID 1 stays as the jail's init, the child goes on (new codes go at the end). */
    INIT;

    public int wire() {
        return ordinal() + 1;
    }
}
