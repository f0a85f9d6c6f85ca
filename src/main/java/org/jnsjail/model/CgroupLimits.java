package org.jnsjail.model;

/**
 * nsjail's 17 cgroup settings (§1.13). Zero limits mean "not set" (memSwapMax: -1). v1 cgroups are
 * {@code <mount>/<parent>/NSJAIL.<pid>} per controller; v2 is {@code <cgroupv2Mount>/NSJAIL.<pid>}.
 */
public record CgroupLimits(long memMax, long memMemswMax, long memSwapMax, String memMount, String memParent,
        long pidsMax, String pidsMount, String pidsParent, long netClsClassid, String netClsMount, String netClsParent,
        long cpuMsPerSec, String cpuMount, String cpuParent, String cgroupv2Mount, boolean useCgroupv2,
        boolean detectCgroupv2) {

    /** nsjail's defaults: no limits. */
    public static final CgroupLimits NONE = new CgroupLimits(0, 0, Defaults.CGROUP_MEM_SWAP_MAX,
            Defaults.CGROUP_MEM_MOUNT, Defaults.CGROUP_PARENT, 0, Defaults.CGROUP_PIDS_MOUNT, Defaults.CGROUP_PARENT, 0,
            Defaults.CGROUP_NET_CLS_MOUNT, Defaults.CGROUP_PARENT, 0, Defaults.CGROUP_CPU_MOUNT, Defaults.CGROUP_PARENT,
            Defaults.CGROUPV2_MOUNT, false, false);

    /** True when any limit asks for a cgroup. */
    public boolean any() {
        return memMax > 0 || memMemswMax > 0 || memSwapMax >= 0 || pidsMax > 0 || netClsClassid > 0 || cpuMsPerSec > 0;
    }
}
