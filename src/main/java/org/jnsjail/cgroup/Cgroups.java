package org.jnsjail.cgroup;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailResource;

/** Entry points: the per-jail cgroup resource, the -Me variant, and the checks the command line needs early. */
public final class Cgroups {
    private Cgroups() {}

    /** The jail's cgroups, or null when it needs none (v1 without limits, as nsjail). */
    public static JailResource forJail(CgroupLimits l) {
        return forJail(l, CgroupSession.current(), false);
    }

    /**
     * Runs {@code op} as the cgroup work of a supervisor of its own, as a resident server does for
     * each request: its own stale-cgroup sweep and detection log line, and v2 cgroups named
     * NSJAIL.<pid>.<n> after its client, as a cold run of that client names them; the parents it
     * created are removed at its end.
     */
    public static <R, X extends Throwable> R callAsSupervisor(int pid, ScopedValue.CallableOp<R, X> op) throws X {
        CgroupSession s = new CgroupSession(KernelCgroupHost.INSTANCE, pid);
        try {
            return CgroupSession.callAs(s, op);
        } finally {
            // Idempotent: for a request whose client went away before its end (see removeCreatedParents).
            s.removeCreatedParents();
        }
    }

    /**
     * Whether a jail with these limits is cloned straight into a cgroup of its own
     * (clone3(CLONE_INTO_CGROUP), cgroup v2); nothing is created to find out.
     */
    public static boolean clonesInto(CgroupLimits l) {
        return (l.any() || l.useCgroupv2() || l.detectCgroupv2()) && CgroupSession.current().version(l) == CgroupVersion.V2;
    }

    static JailResource forJail(CgroupLimits l, CgroupSession s, boolean self) {
        if (!l.any() && !l.useCgroupv2() && !l.detectCgroupv2()) return null;
        // nsjail gives every jail a v2 cgroup, with or without limits.
        if (s.version(l) == CgroupVersion.V2) return new V2JailCgroup(l, s, self);
        return l.any() ? new V1JailCgroups(l, s) : null;
    }

    /**
     * -Me: nsjail sets up the cgroups for itself and then execs, so the supervisor creates them,
     * writes the limits and moves itself in (cgroup.procs moves every thread of the JVM); the
     * program exec'd in place keeps them. Nothing remains to remove them afterwards: they are
     * left for the next supervisor's stale-cgroup sweep once the program has exited.
     */
    public static void enterSelf(CgroupLimits l) throws JailFailure {
        enterSelf(l, CgroupSession.JVM);
    }

    static void enterSelf(CgroupLimits l, CgroupSession s) throws JailFailure {
        JailResource r = forJail(l, s, true);
        if (r == null) return;
        try {
            r.prepare();
            r.attach(s.host.selfPid());
        } catch (JailFailure e) {
            r.release();
            throw e;
        }
    }

    /**
     * At the supervisor's exit (a served request's end, for a resident server): the v1 parent
     * directories it created because they were missing are removed where empty (logged); those
     * still holding cgroups stay. The supervisor is this JVM, or in {@link #callAsSupervisor} the
     * request's client, whose log must show it before the client exits.
     */
    public static void removeCreatedParents() {
        CgroupSession.current().removeCreatedParents();
    }

    /** nsjail's start-up check of the memory settings ("cannot set both ..."). */
    public static void check(CgroupLimits l) throws JailFailure {
        MemoryLimits.of(l);
    }

    /** The summary's "cgroupv2:" value: --use_cgroupv2, or what --detect_cgroupv2 finds. */
    public static boolean usesV2(CgroupLimits l) {
        return CgroupVersion.choose(l, CgroupSession.JVM.host) == CgroupVersion.V2;
    }
}
