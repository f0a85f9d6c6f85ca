package org.jnsjail.supervisor;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.mount.HostFs;
import org.jnsjail.plan.FdLayout;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.PlanText;
import org.jnsjail.sys.HostInfo;

/**
 * The plan a supervisor makes for a jail, from this host's facts: the same for a start
 * ({@link Spawner}, -Me) and for {@code --dump_plan}, which shows it and starts nothing.
 */
public final class JailPlans {
    private JailPlans() {}

    /** A supervised jail's plan: cloned by the resident stub, the fds numbered by {@code fds}. */
    static Plan clone(JailSpec spec, Caller caller, FdLayout fds) throws JailFailure {
        return PlanBuilder.build(spec, new PlanBuilder.Context(PlanBuilder.Mode.CLONE, HostInfo.get(), caller.env(),
                HostFs.REAL, fds.exec(), CpuAffinity.choose(spec.maxCpus()), fds.cgroup(), fds.scratch(),
                Inheritance.startLimits(caller), caller.umask()));
    }

    /** -Me's plan: the stub unshares and becomes the program; {@code execFd} is this process's --execute_fd, or -1. */
    static Plan inPlace(JailSpec spec, Caller caller, int execFd) throws JailFailure {
        return PlanBuilder.build(spec, new PlanBuilder.Context(PlanBuilder.Mode.IN_PLACE, HostInfo.get(), caller.env(),
                HostFs.REAL, execFd, CpuAffinity.choose(spec.maxCpus()), -1, -1, Inheritance.startLimits(caller), -1));
    }

    /**
     * {@code --dump_plan}: the plan a start would run now, as text ({@link PlanText}), with the
     * planner's warnings; nothing is opened, created or started. For -Me ({@code inPlace}) the
     * --execute_fd binary's fd is shown as 3. {@code --max_cpus} picks its CPUs at random each time.
     */
    public static String dump(JailSpec spec, boolean inPlace, Caller caller) throws JailFailure {
        Plan p = inPlace ? inPlace(spec, caller, spec.execFd() ? 3 : -1)
                : clone(spec, caller, FdLayout.of(spec, spec.execFd(), clonesIntoCgroup(spec, caller)));
        return PlanText.format(p);
    }

    /** Whether the jail is cloned into a cgroup of its own (cgroup v2) or its caller's. */
    private static boolean clonesIntoCgroup(JailSpec spec, Caller caller) {
        return caller.cgroupFd() >= 0 || org.jnsjail.cgroup.Cgroups.clonesInto(spec.cgroups());
    }
}
