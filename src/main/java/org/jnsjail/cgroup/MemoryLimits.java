package org.jnsjail.cgroup;

import org.jnsjail.model.SetupStep;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;

/**
 * nsjail's three memory settings, checked, and what each hierarchy is told. v1 limits memory and
 * memory+swap (memory.limit_in_bytes, memory.memsw.limit_in_bytes); v2 limits memory and swap
 * separately (memory.max, memory.swap.max). 0 means "no limit" and swap -1 "not set", as in nsjail.
 *
 * @param mem      cgroup_mem_max in bytes
 * @param memswMax cgroup_mem_memsw_max in bytes
 * @param swapMax  cgroup_mem_swap_max in bytes, -1 = not set
 */
public record MemoryLimits(long mem, long memswMax, long swapMax) {

    /** The memory settings of {@code l}, or a one-line error for the combinations nsjail refuses. */
    public static MemoryLimits of(CgroupLimits l) throws JailFailure {
        long mem = l.memMax(), memswMax = l.memMemswMax(), swapMax = Math.max(-1, l.memSwapMax());
        if (memswMax > 0 && swapMax >= 0) {
            throw new JailFailure(SetupStep.CGROUP, "cannot set both cgroup_mem_memsw_max and cgroup_mem_swap_max");
        }
        if (memswMax > 0 && mem > 0 && memswMax < mem) {
            // v1 refuses it with EINVAL (memsw may not be below the memory limit); say why instead.
            throw new JailFailure(SetupStep.CGROUP, "cgroup_mem_memsw_max (" + memswMax + ") is smaller than cgroup_mem_max (" + mem
                    + "), but it limits memory plus swap");
        }
        return new MemoryLimits(mem, memswMax, swapMax);
    }

    /** Whether any memory setting asks for a memory cgroup. */
    public boolean any() {
        return mem > 0 || memswMax > 0 || swapMax >= 0;
    }

    /** v1 memory.memsw.limit_in_bytes, 0 = not written: nsjail's mem + swap when the swap limit is set. */
    public long v1Memsw() {
        if (swapMax >= 0) return mem > Long.MAX_VALUE - swapMax ? Long.MAX_VALUE : mem + swapMax;
        return memswMax;
    }

    /**
     * v1 memory.limit_in_bytes, 0 = not written. Without cgroup_mem_max it is memsw: memory can
     * never exceed memory+swap anyway, and the kernel refuses a memsw limit below the (unlimited)
     * memory limit with EINVAL, which is how nsjail fails on a swap-only or memsw-only setting.
     */
    public long v1Mem() {
        return mem > 0 ? mem : v1Memsw();
    }

    /**
     * v2 memory.max, 0 = not written. A memsw-only setting caps memory at memsw (nsjail leaves
     * memory unlimited there, its PR #342), so memory.max + memory.swap.max = memsw.
     */
    public long v2Mem() {
        return mem > 0 ? mem : memswMax;
    }

    /** v2 memory.swap.max, -1 = not written: cgroup_mem_swap_max, or memsw - memory as nsjail computes it. */
    public long v2Swap() {
        if (swapMax >= 0) return swapMax;
        return memswMax > 0 ? memswMax - v2Mem() : -1;
    }
}
