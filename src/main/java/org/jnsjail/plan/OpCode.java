package org.jnsjail.plan;

/** Operation codes of the exec stub; the ordinal + 1 is the wire code (see exec_stub.c). */
public enum OpCode {
    CLONE, WAIT_GO, WRITE_FILE, OPEN_DUP, PRCTL, SETRESGID, SETRESUID, SETGROUPS, MOUNT, UMOUNT2, MKDIR,
    CREATE_FILE, SYMLINK, CHDIR, CHROOT, PIVOT_ROOT, SETHOSTNAME, IF_UP, PRLIMIT, PERSONALITY, SETPRIORITY,
    SETSID, CAPSET, SCHED_SETAFFINITY, FDS_CLOEXEC, SECCOMP, EXECVE, MOUNT_SETATTR, UNSHARE, PID_NS_INIT,
    FS_CHILD, SOCKET, SEND_FDS, UMASK, RECV_FDS;

    public int wire() {
        return ordinal() + 1;
    }
}
