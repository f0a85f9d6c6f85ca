package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;

/**
 * Which cgroup v1 directories a jail gets and what is written into them, in nsjail's order
 * (cgroup.cc): per controller in use, {@code <mount>/<parent>/<name>} with its limits. Pure.
 */
public final class V1Layout {
    private V1Layout() {}

    /** cpu.cfs_period_us: one second, so that cpu.cfs_quota_us is "CPU microseconds per second". */
    static final long CFS_PERIOD_US = 1_000_000;

    /** One controller's cgroup for a jail. */
    public record V1Cgroup(V1Controller controller, Path parent, Path dir, List<CgroupWrite> limits) {}

    /** The controllers {@code l} uses, in set-up order (memory, pids, net_cls, cpu, as nsjail). */
    public static List<V1Controller> controllers(CgroupLimits l) throws JailFailure {
        List<V1Controller> out = new ArrayList<>(4);
        if (MemoryLimits.of(l).any()) out.add(V1Controller.MEMORY);
        if (l.pidsMax() > 0) out.add(V1Controller.PIDS);
        if (l.netClsClassid() > 0) out.add(V1Controller.NET_CLS);
        if (l.cpuMsPerSec() > 0) out.add(V1Controller.CPU);
        return out;
    }

    /** The cgroups named {@code name} (nsjail: NSJAIL.<pid>) and their contents. */
    public static List<V1Cgroup> plan(CgroupLimits l, String name) throws JailFailure {
        List<V1Cgroup> out = new ArrayList<>(4);
        for (V1Controller c : controllers(l)) {
            Path parent = c.parentDir(l);
            out.add(new V1Cgroup(c, parent, parent.resolve(name), limits(c, l)));
        }
        return out;
    }

    static List<CgroupWrite> limits(V1Controller c, CgroupLimits l) throws JailFailure {
        return switch (c) {
            case MEMORY -> {
                MemoryLimits m = MemoryLimits.of(l);
                List<CgroupWrite> w = new ArrayList<>(3);
                // 0: the OOM killer acts at the limit; 1 would leave the jail hanging in the charge path.
                w.add(new CgroupWrite("memory.oom_control", "0"));
                // The memory limit first: memsw may never be below it (memory.memsw.limit_in_bytes, EINVAL).
                if (m.v1Mem() > 0) w.add(new CgroupWrite("memory.limit_in_bytes", Long.toString(m.v1Mem())));
                if (m.v1Memsw() > 0) w.add(new CgroupWrite("memory.memsw.limit_in_bytes", Long.toString(m.v1Memsw())));
                yield w;
            }
            case PIDS -> List.of(new CgroupWrite("pids.max", Long.toString(l.pidsMax())));
            case NET_CLS -> List.of(new CgroupWrite("net_cls.classid", "0x" + Long.toHexString(l.netClsClassid())));
            // The period first: the quota is checked against it (CFS bandwidth, sched-bwc.rst).
            case CPU -> List.of(new CgroupWrite("cpu.cfs_period_us", Long.toString(CFS_PERIOD_US)),
                    new CgroupWrite("cpu.cfs_quota_us", Long.toString(l.cpuMsPerSec() * 1000)));
        };
    }
}
