package org.jnsjail.cgroup;

/** The cgroup v2 controllers a jail's limits need enabled in the parent's cgroup.subtree_control. */
public enum V2Controller {
    MEMORY("memory"),
    PIDS("pids"),
    CPU("cpu");

    /** The name in cgroup.controllers and cgroup.subtree_control. */
    public final String kernelName;

    V2Controller(String kernelName) {
        this.kernelName = kernelName;
    }
}
