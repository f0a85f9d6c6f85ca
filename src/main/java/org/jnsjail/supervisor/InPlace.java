package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import org.jnsjail.log.Log;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.stub.ExecStub;
import org.jnsjail.stub.Plan;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;

/** -Me (nsjail's EXECVE mode): no supervisor stays; this process becomes the exec stub, which becomes the program. */
final class InPlace {
    private InPlace() {}

    /** -Me: replace this process by the stub with a plan in a memfd. */
    static void exec(JailSpec spec) throws JailFailure {
        // nsjail's EXECVE mode has no net initParent: no supervisor stays to make vs or move interfaces.
        if (spec.net().any()) throw new JailFailure(SetupStep.NETWORK, "MACVLAN, iface_own and traffic rules need a supervisor (not -Me)");
        HostInfo host = HostInfo.get();
        try {
            int execFd = spec.execFd() ? JailLaunch.openExecFd(spec.program()) : -1;
            if (execFd >= 0) Libc.fcntl(execFd, Fcntl.F_SETFD, 0);
            // The plan first: it refuses what needs a supervisor (user_net, --seccomp_unotify) before
            // anything changes on the host.
            Plan plan = JailPlans.inPlace(spec, Caller.self(), execFd);
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.inPlace(spec, plan);
            // nsjail sets up the cgroups for itself, then execs: the program keeps them, and with no
            // supervisor left nobody removes them (the next supervisor's stale sweep does).
            org.jnsjail.cgroup.Cgroups.enterSelf(spec.cgroups());
            ExecStub.execInPlace(plan);
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CLONE, "Launching new process failed: " + e.getMessage(), e);
        }
    }
}
