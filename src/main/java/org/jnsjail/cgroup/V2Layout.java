package org.jnsjail.cgroup;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;

/**
 * What a jail's single cgroup v2 directory gets (nsjail's cgroup2.cc; interface files of
 * Documentation/admin-guide/cgroup-v2.rst): the controllers to enable in the parent and the
 * limit files, in order. Pure.
 *
 * @param controllers what the parent's cgroup.subtree_control must contain
 * @param limits      the writes into the jail's cgroup
 */
public record V2Layout(Set<V2Controller> controllers, List<CgroupWrite> limits) {

    /** cpu.max period: one second, so that the quota is "CPU microseconds per second". */
    static final long CPU_PERIOD_US = 1_000_000;

    public static V2Layout of(CgroupLimits l) throws JailFailure {
        Set<V2Controller> controllers = EnumSet.noneOf(V2Controller.class);
        List<CgroupWrite> w = new ArrayList<>(4);
        MemoryLimits m = MemoryLimits.of(l);
        if (m.any()) {
            controllers.add(V2Controller.MEMORY);
            if (m.v2Mem() > 0) w.add(new CgroupWrite("memory.max", Long.toString(m.v2Mem())));
            if (m.v2Swap() >= 0) w.add(new CgroupWrite("memory.swap.max", Long.toString(m.v2Swap())));
        }
        if (l.pidsMax() > 0) {
            controllers.add(V2Controller.PIDS);
            w.add(new CgroupWrite("pids.max", Long.toString(l.pidsMax())));
        }
        if (l.cpuMsPerSec() > 0) {
            controllers.add(V2Controller.CPU);
            w.add(new CgroupWrite("cpu.max", (l.cpuMsPerSec() * 1000) + " " + CPU_PERIOD_US));
        }
        return new V2Layout(controllers, List.copyOf(w));
    }
}
