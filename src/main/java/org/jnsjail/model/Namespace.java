package org.jnsjail.model;

import org.jnsjail.sys.CloneFlag;

/** The namespaces a jail can be given, with their clone(2) flags. */
public enum Namespace {
    USER(CloneFlag.CLONE_NEWUSER), PID(CloneFlag.CLONE_NEWPID), MOUNT(CloneFlag.CLONE_NEWNS),
    NET(CloneFlag.CLONE_NEWNET), IPC(CloneFlag.CLONE_NEWIPC), UTS(CloneFlag.CLONE_NEWUTS),
    CGROUP(CloneFlag.CLONE_NEWCGROUP), TIME(CloneFlag.CLONE_NEWTIME);

    public final CloneFlag flag;

    Namespace(CloneFlag flag) {
        this.flag = flag;
    }
}
