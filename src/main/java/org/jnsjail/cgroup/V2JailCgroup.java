package org.jnsjail.cgroup;

import org.jnsjail.model.SetupStep;

import java.nio.file.Path;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailStatus;
import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.model.JailResource;

/**
 * A jail's single cgroup v2 cgroup under cgroupv2_mount. It is made, limited and opened in
 * {@link #prepare}, and the jail is cloned straight into it (clone3 CLONE_INTO_CGROUP, Linux
 * 5.7): it is never outside its limits, not even while the stub sets it up. Where the kernel
 * refused that flag the stub cloned without it, and {@link #attach} moves the jail by writing
 * cgroup.procs before "go".
 */
final class V2JailCgroup implements JailResource {
    private final CgroupLimits limits;
    private final CgroupSession session;
    private final CgroupHost h;
    /** -Me: the supervisor puts itself in NSJAIL.<own pid>, as nsjail (no cleanup is possible after exec). */
    private final boolean self;
    private Path dir;
    private boolean memory;
    private int pid = -1;
    private long oomKills = -1;

    V2JailCgroup(CgroupLimits limits, CgroupSession session, boolean self) {
        this.limits = limits;
        this.session = session;
        this.h = session.host;
        this.self = self;
    }

    @Override
    public int prepare() throws JailFailure {
        V2Layout layout = V2Layout.of(limits);
        Path mount = Path.of(limits.cgroupv2Mount());
        if (limits.netClsClassid() > 0) {
            Log.warn("cgroup_net_cls_classid is ignored with cgroup v2, which has no net_cls controller");
        }
        CgroupVersion.V2.checkMount(h, mount, "--cgroupv2_mount");
        session.sweepOnce(mount);
        V2Delegation.enable(h, mount, layout.controllers(), session.supervisorIsSelf());
        Path d = mount.resolve(self ? "NSJAIL." + h.selfPid() : session.nextV2Name());
        Log.debug("Create '" + d + "'");
        try {
            h.mkdir(d, 0700);
            dir = d;
            memory = layout.controllers().contains(V2Controller.MEMORY);
            for (CgroupWrite w : layout.limits()) {
                Log.info("Setting '" + w.file() + "' to '" + w.value() + "'");
                h.write(d.resolve(w.file()), w.value());
            }
            return self ? -1 : h.openDir(d);
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Could not set up the jail's cgroup: " + e.getMessage(), e);
        }
    }

    @Override
    public void attach(int pid) throws JailFailure {
        this.pid = pid;
        if (dir == null) return;
        try {
            Path procs = dir.resolve("cgroup.procs");
            if (h.read(procs).lines().anyMatch(l -> l.strip().equals(Integer.toString(pid)))) return;
            if (!self) Log.debug("pid=" + pid + " was not cloned into its cgroup (clone3 CLONE_INTO_CGROUP refused); moving it");
            h.write(procs, Integer.toString(pid));
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Could not move the jail into its cgroup: " + e.getMessage(), e);
        }
    }

    @Override
    public void reaped(JailStatus status) {
        if (dir == null || !memory) return;
        try {
            oomKills = OomReport.oomKills(h.read(dir.resolve("memory.events")));
            OomReport.message(pid, status, oomKills).ifPresent(Log::warn);
        } catch (ErrnoException e) {
            Log.debug("no OOM report: " + e.getMessage());
        }
    }

    /**
     * memory.peak (Linux 5.19+) and pids.peak (6.1+) where those controllers are enabled for the
     * cgroup, and cpu.stat's user_usec and system_usec, which every v2 cgroup has (cgroup-v2.rst).
     */
    @Override
    public void measure(org.jnsjail.model.Measured m) {
        if (dir == null) return;
        long mem = number("memory.peak"), pids = number("pids.peak");
        if (mem >= 0) m.peakMemory(mem);
        if (pids >= 0) m.peakPids(pids);
        if (oomKills >= 0) m.oomKills(oomKills);
        try {
            long user = -1, sys = -1;
            for (String line : h.read(dir.resolve("cpu.stat")).split("\n")) {
                String[] f = line.strip().split(" ");
                if (f.length != 2) continue;
                if (f[0].equals("user_usec")) user = Long.parseLong(f[1]);
                if (f[0].equals("system_usec")) sys = Long.parseLong(f[1]);
            }
            if (user >= 0 && sys >= 0) m.cpu(user * 1000, sys * 1000);
        } catch (ErrnoException | NumberFormatException e) {
            // no CPU figures from the cgroup: the rusage's stand
        }
    }

    private long number(String file) {
        try {
            return Long.parseLong(h.read(dir.resolve(file)).strip());
        } catch (ErrnoException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void release() {
        if (dir != null) {
            Log.debug("Remove '" + dir + "'");
            CgroupRemoval.remove(h, dir);
        }
        dir = null;
    }

    /** The cgroup's directory once made (tests). */
    Path dir() {
        return dir;
    }
}
