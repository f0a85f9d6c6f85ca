package org.jnsjail.cgroup;

import java.nio.file.Path;

import org.jnsjail.model.CgroupLimits;

/** The cgroup v1 controllers nsjail uses, each a hierarchy of its own (cgroups(7), "Cgroups version 1"). */
public enum V1Controller {
    MEMORY("memory"),
    PIDS("pids"),
    CPU("cpu"),
    NET_CLS("net_cls");

    /** The kernel's name of the controller. */
    public final String kernelName;

    V1Controller(String kernelName) {
        this.kernelName = kernelName;
    }

    /** Where this controller's hierarchy is mounted (--cgroup_*_mount). */
    public Path mount(CgroupLimits l) {
        return Path.of(switch (this) {
            case MEMORY -> l.memMount();
            case PIDS -> l.pidsMount();
            case CPU -> l.cpuMount();
            case NET_CLS -> l.netClsMount();
        });
    }

    /** {@code <mount>/<parent>}: where this controller's jail cgroups go (--cgroup_*_parent). */
    public Path parentDir(CgroupLimits l) {
        String parent = switch (this) {
            case MEMORY -> l.memParent();
            case PIDS -> l.pidsParent();
            case CPU -> l.cpuParent();
            case NET_CLS -> l.netClsParent();
        };
        return Path.of(mount(l).toString(), parent).normalize();
    }

    /** The option that sets this controller's mount point, for error messages. */
    public String mountOption() {
        return "--cgroup_" + kernelName.replace("memory", "mem") + "_mount";
    }
}
