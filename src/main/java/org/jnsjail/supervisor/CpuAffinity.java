package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jnsjail.model.JailFailure;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;

/** --max_cpus: a random subset of N CPUs of the supervisor's own affinity mask, as nsjail's cpu.cc. */
final class CpuAffinity {
    private CpuAffinity() {}

    /** The mask to set, or null when nothing changes (0, or N is at least the CPUs available: clamped, with a warning). */
    static long[] choose(int maxCpus) throws JailFailure {
        if (maxCpus <= 0) return null;
        long[] mask;
        try {
            mask = Libc.schedGetaffinity();
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.PROCESS, "--max_cpus: " + e.getMessage(), e);
        }
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < mask.length * 64; i++) if ((mask[i / 64] & (1L << (i % 64))) != 0) cpus.add(i);
        if (maxCpus > cpus.size()) {
            // As nsjail (cpu.cc): a config written for a bigger machine runs on every CPU there is.
            org.jnsjail.log.Log.warn("Number of requested CPUs is bigger than number of available CPUs (" + maxCpus
                    + " > " + cpus.size() + ")");
            return null;
        }
        if (maxCpus == cpus.size()) return null;
        long[] out = new long[mask.length];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int n = 0; n < maxCpus; n++) {
            int cpu = cpus.remove(rnd.nextInt(cpus.size()));
            out[cpu / 64] |= 1L << (cpu % 64);
        }
        return out;
    }
}
