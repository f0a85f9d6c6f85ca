package org.jnsjail.sys;

/** clone(2) / unshare(2) namespace flags (linux/sched.h). */
public enum CloneFlag {
    CLONE_NEWNS(0x00020000L),
    CLONE_NEWCGROUP(0x02000000L),
    CLONE_NEWUTS(0x04000000L),
    CLONE_NEWIPC(0x08000000L),
    CLONE_NEWUSER(0x10000000L),
    CLONE_NEWPID(0x20000000L),
    CLONE_NEWNET(0x40000000L),
    /** Only through clone3(2) or unshare(2): the low byte of legacy clone() is the exit signal. */
    CLONE_NEWTIME(0x00000080L);

    public final long value;

    CloneFlag(long value) {
        this.value = value;
    }

    /** Not a namespace: makes the jailed process a child of the stub's parent, the JVM. */
    public static final long CLONE_PARENT = 0x00008000L;
}
