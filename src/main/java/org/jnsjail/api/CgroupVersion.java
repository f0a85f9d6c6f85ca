package org.jnsjail.api;

/**
 * Which cgroup hierarchy a jail's memory, pids and CPU limits are set in. nsjail's default is
 * {@link #V1}: the controllers' v1 hierarchies under /sys/fs/cgroup.
 */
public enum CgroupVersion {
    /** The v1 hierarchies (/sys/fs/cgroup/memory, /pids, /cpu), as nsjail by default. */
    V1,
    /** The unified v2 hierarchy at /sys/fs/cgroup (nsjail's use_cgroupv2). */
    V2,
    /** v2 when /sys/fs/cgroup is a cgroup2 file system, else v1 (nsjail's detect_cgroupv2). */
    DETECT
}
