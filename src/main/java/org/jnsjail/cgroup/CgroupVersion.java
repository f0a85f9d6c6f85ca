package org.jnsjail.cgroup;

import org.jnsjail.model.SetupStep;

import java.nio.file.Path;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;

/** The cgroup hierarchy a jail's limits go to. */
public enum CgroupVersion {
    V1(1),
    V2(2);

    /** statfs(2) f_type of a cgroup2 and of a cgroup v1 file system (include/uapi/linux/magic.h). */
    static final long CGROUP2_SUPER_MAGIC = 0x63677270L, CGROUP_SUPER_MAGIC = 0x27e0ebL;

    /** The number nsjail logs in "Detected cgroups version: N". */
    public final int number;

    CgroupVersion(int number) {
        this.number = number;
    }

    /**
     * --use_cgroupv2 means v2; --detect_cgroupv2 asks statfs whether cgroupv2_mount is a cgroup2
     * file system (v1 if it is not, or cannot be looked at, as nsjail); otherwise v1.
     */
    /**
     * Refuses to create anything under a directory that is not a cgroup file system of this
     * version: mkdir there would make plain directories on the host instead of cgroups.
     */
    void checkMount(CgroupHost h, Path dir, String option) throws JailFailure {
        long want = this == V2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC;
        try {
            if (h.fsType(dir) == want) return;
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Cannot use '" + dir + "' for cgroups (see " + option + "): " + e.getMessage(), e);
        }
        throw new JailFailure(SetupStep.CGROUP, "'" + dir + "' is not a " + (this == V2 ? "cgroup2" : "cgroup v1") + " file system (see "
                + option + ")");
    }

    public static CgroupVersion choose(CgroupLimits l, CgroupHost h) {
        if (l.useCgroupv2()) return V2;
        if (!l.detectCgroupv2()) return V1;
        try {
            return h.fsType(Path.of(l.cgroupv2Mount())) == CGROUP2_SUPER_MAGIC ? V2 : V1;
        } catch (ErrnoException e) {
            Log.debug(e.getMessage() + "; using cgroup v1");
            return V1;
        }
    }
}
