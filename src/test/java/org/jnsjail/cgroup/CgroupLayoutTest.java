package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which files get which contents (reference §1.13, §3.15), without touching any file. */
class CgroupLayoutTest {
    static CgroupLimits limits(long mem, long memsw, long swap, long pids, long netCls, long cpuMs) {
        return new CgroupLimits(mem, memsw, swap, "/cg/memory", "NSJAIL", pids, "/cg/pids", "NSJAIL", netCls,
                "/cg/net_cls", "NSJAIL", cpuMs, "/cg/cpu", "NSJAIL", "/cg/unified", false, false);
    }

    static CgroupWrite w(String file, String value) {
        return new CgroupWrite(file, value);
    }

    @Test
    void bothMemswAndSwapIsNsjailsError() {
        JailFailure e = assertThrows(JailFailure.class, () -> MemoryLimits.of(limits(100, 200, 0, 0, 0, 0)));
        assertEquals("cannot set both cgroup_mem_memsw_max and cgroup_mem_swap_max", e.getMessage());
        assertThrows(JailFailure.class, () -> V1Layout.plan(limits(0, 200, 5, 0, 0, 0), "NSJAIL.1"));
        assertThrows(JailFailure.class, () -> V2Layout.of(limits(0, 200, 5, 0, 0, 0)));
        assertThrows(JailFailure.class, () -> Cgroups.check(limits(0, 1, 0, 0, 0, 0)));
    }

    @Test
    void memswBelowMemIsRefusedWithAReason() {
        JailFailure e = assertThrows(JailFailure.class, () -> MemoryLimits.of(limits(200, 100, -1, 0, 0, 0)));
        assertTrue(e.getMessage().contains("smaller than cgroup_mem_max"), e.getMessage());
    }

    @Test
    void swapMathAsNsjail() throws JailFailure {
        MemoryLimits m = MemoryLimits.of(limits(50_000_000, 0, 10_000_000, 0, 0, 0));
        assertEquals(60_000_000, m.v1Memsw(), "v1: memsw = mem + swap");
        assertEquals(50_000_000, m.v1Mem());
        assertEquals(50_000_000, m.v2Mem());
        assertEquals(10_000_000, m.v2Swap(), "v2: swap as given");

        m = MemoryLimits.of(limits(50_000_000, 80_000_000, -1, 0, 0, 0));
        assertEquals(80_000_000, m.v1Memsw());
        assertEquals(30_000_000, m.v2Swap(), "v2: swap = memsw - mem");

        m = MemoryLimits.of(limits(50_000_000, 0, 0, 0, 0, 0));
        assertEquals(50_000_000, m.v1Memsw(), "swap 0: no swap at all");
        assertEquals(0, m.v2Swap());

        m = MemoryLimits.of(limits(0, 0, -1, 0, 0, 0));
        assertEquals(false, m.any());
        assertEquals(-1, m.v2Swap());
    }

    @Test
    void memswOnlyCapsMemoryToo() throws JailFailure {
        MemoryLimits m = MemoryLimits.of(limits(0, 80_000_000, -1, 0, 0, 0));
        assertEquals(80_000_000, m.v1Mem(), "v1 refuses memsw below an unlimited memory limit");
        assertEquals(80_000_000, m.v2Mem());
        assertEquals(0, m.v2Swap());
        // swap only: v1 gets memsw = swap (and memory capped by it), v2 only memory.swap.max
        m = MemoryLimits.of(limits(0, 0, 7, 0, 0, 0));
        assertEquals(7, m.v1Memsw());
        assertEquals(7, m.v1Mem());
        assertEquals(0, m.v2Mem());
        assertEquals(7, m.v2Swap());
    }

    @Test
    void v1EveryController() throws JailFailure {
        List<V1Layout.V1Cgroup> plan = V1Layout.plan(limits(50_000_000, 0, 10_000_000, 10, 0x100001, 100), "NSJAIL.42");
        assertEquals(4, plan.size());
        V1Layout.V1Cgroup mem = plan.get(0);
        assertEquals(V1Controller.MEMORY, mem.controller());
        assertEquals(Path.of("/cg/memory/NSJAIL"), mem.parent());
        assertEquals(Path.of("/cg/memory/NSJAIL/NSJAIL.42"), mem.dir());
        assertEquals(List.of(w("memory.oom_control", "0"), w("memory.limit_in_bytes", "50000000"),
                w("memory.memsw.limit_in_bytes", "60000000")), mem.limits());
        assertEquals(V1Controller.PIDS, plan.get(1).controller());
        assertEquals(List.of(w("pids.max", "10")), plan.get(1).limits());
        assertEquals(Path.of("/cg/pids/NSJAIL/NSJAIL.42"), plan.get(1).dir());
        assertEquals(V1Controller.NET_CLS, plan.get(2).controller());
        assertEquals(List.of(w("net_cls.classid", "0x100001")), plan.get(2).limits());
        assertEquals(V1Controller.CPU, plan.get(3).controller());
        assertEquals(List.of(w("cpu.cfs_period_us", "1000000"), w("cpu.cfs_quota_us", "100000")), plan.get(3).limits());
    }

    @Test
    void v1OnlyWhatIsSetAndNestedParents() throws JailFailure {
        assertEquals(List.of(), V1Layout.plan(limits(0, 0, -1, 0, 0, 0), "NSJAIL.1"));
        var l = new CgroupLimits(1 << 20, 0, -1, "/m", "a/b", 0, "/p", "NSJAIL", 0, "/n", "NSJAIL", 0, "/c", "NSJAIL",
                "/u", false, false);
        List<V1Layout.V1Cgroup> plan = V1Layout.plan(l, "NSJAIL.7");
        assertEquals(1, plan.size());
        assertEquals(Path.of("/m/a/b/NSJAIL.7"), plan.getFirst().dir());
        assertEquals(List.of(w("memory.oom_control", "0"), w("memory.limit_in_bytes", "1048576")),
                plan.getFirst().limits());
    }

    @Test
    void v2Files() throws JailFailure {
        V2Layout v2 = V2Layout.of(limits(50_000_000, 0, 0, 10, 0x10, 250));
        assertEquals(EnumSet.of(V2Controller.MEMORY, V2Controller.PIDS, V2Controller.CPU), v2.controllers());
        assertEquals(List.of(w("memory.max", "50000000"), w("memory.swap.max", "0"), w("pids.max", "10"),
                w("cpu.max", "250000 1000000")), v2.limits());

        v2 = V2Layout.of(limits(0, 0, -1, 3, 0, 0));
        assertEquals(EnumSet.of(V2Controller.PIDS), v2.controllers());
        assertEquals(List.of(w("pids.max", "3")), v2.limits());

        v2 = V2Layout.of(limits(0, 0, -1, 0, 0, 0));
        assertEquals(EnumSet.noneOf(V2Controller.class), v2.controllers());
        assertEquals(List.of(), v2.limits());
    }

    @Test
    void oomCounters() {
        assertEquals(2, OomReport.oomKills("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"));
        assertEquals(1, OomReport.oomKills("low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n"));
        assertEquals(-1, OomReport.oomKills("oom_kill_disable 0\nunder_oom 0\n"));
        assertEquals("pid=9 was killed by the OOM killer (cgroup memory limit reached)",
                OomReport.message(9, JailStatus.killed(9), 1).orElseThrow());
        assertTrue(OomReport.message(9, JailStatus.exited(2), 3).orElseThrow().contains("killed 3 processes"));
        assertTrue(OomReport.message(9, JailStatus.killed(9), 0).isEmpty());
        assertTrue(OomReport.fromFailcnt(9, JailStatus.killed(9), 4).isPresent());
        assertTrue(OomReport.fromFailcnt(9, JailStatus.exited(0), 4).isEmpty());
    }
}
