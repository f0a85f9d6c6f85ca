package org.jnsjail.cgroup;

import org.jnsjail.model.SetupStep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailStatus;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.model.JailResource;

/**
 * A jail's cgroup v1 cgroups, one per controller in use: {@code <mount>/<parent>/NSJAIL.<pid>}.
 * The jail's pid names them, so they are made in {@link #attach}, after clone and before the
 * supervisor sends "go": the jail runs none of its own code outside them.
 */
final class V1JailCgroups implements JailResource {
    private final CgroupLimits limits;
    private final CgroupSession session;
    private final CgroupHost h;
    /** Directories made (or taken over), removed in reverse order by release(). */
    private final List<Path> made = new ArrayList<>(4);
    private Path memoryDir, pidsDir;
    private long oomKills = -1;
    private int pid = -1;

    V1JailCgroups(CgroupLimits limits, CgroupSession session) {
        this.limits = limits;
        this.session = session;
        this.h = session.host;
    }

    /**
     * Checks the settings, creates missing parent directories (nsjail fails and needs them made by
     * hand, its issue #242), and sweeps stale cgroups once per supervisor.
     */
    @Override
    public int prepare() throws JailFailure {
        for (V1Controller c : V1Layout.controllers(limits)) {
            Path parent = c.parentDir(limits);
            Path mount = c.mount(limits);
            if (!h.isDirectory(mount)) {
                throw new JailFailure(SetupStep.CGROUP, "The cgroup v1 '" + c.kernelName + "' hierarchy is not mounted at '" + mount
                        + "' (see " + c.mountOption() + ")");
            }
            CgroupVersion.V1.checkMount(h, mount, c.mountOption());
            makeParents(mount, parent);
        }
        // Every controller's parent, used by this jail or not: a killed supervisor may have used others.
        for (V1Controller c : V1Controller.values()) session.sweepOnce(c.parentDir(limits));
        return -1;
    }

    /** mkdir -p of the parent below the mount, 0700 as nsjail's per-jail cgroups. */
    private void makeParents(Path mount, Path parent) throws JailFailure {
        if (h.isDirectory(parent)) return;
        if (!parent.startsWith(mount)) throw new JailFailure(SetupStep.CGROUP, "The cgroup parent '" + parent + "' is outside its mount '" + mount + "'");
        Path p = mount;
        for (Path part : mount.relativize(parent)) {
            p = p.resolve(part);
            if (h.isDirectory(p)) continue;
            try {
                h.mkdir(p, 0700);
                session.createdParent(p);
                Log.info("Created the cgroup parent '" + p + "' (it is removed at exit if empty)");
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST) throw new JailFailure(SetupStep.CGROUP, "Could not create the cgroup parent: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void attach(int pid) throws JailFailure {
        this.pid = pid;
        List<V1Layout.V1Cgroup> plan = V1Layout.plan(limits, "NSJAIL." + pid);
        try {
            for (V1Layout.V1Cgroup g : plan) {
                Log.debug("Create '" + g.dir() + "' for pid=" + pid);
                try {
                    h.mkdir(g.dir(), 0700);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.ENOENT) {
                        // Another supervisor removed the parent it had created, at its exit: make it again.
                        makeParents(g.controller().mount(limits), g.parent());
                        h.mkdir(g.dir(), 0700);
                    } else if (e.errno() != Errno.EEXIST) {
                        // EEXIST: a leftover of a killed supervisor whose jail had the same pid: reuse it, remove it after.
                        throw e;
                    }
                }
                made.add(g.dir());
                if (g.controller() == V1Controller.MEMORY) memoryDir = g.dir();
                if (g.controller() == V1Controller.PIDS) pidsDir = g.dir();
                for (CgroupWrite w : g.limits()) {
                    Log.debug("Setting '" + w.file() + "' to '" + w.value() + "' in '" + g.dir() + "'");
                    h.write(g.dir().resolve(w.file()), w.value());
                }
            }
            // cgroup.procs rather than nsjail's tasks: the same for the single-threaded jail, and it
            // moves every thread when the supervisor moves itself (-Me).
            for (V1Layout.V1Cgroup g : plan) {
                Log.debug("Adding pid=" + pid + " to '" + g.dir().resolve("cgroup.procs") + "'");
                h.write(g.dir().resolve("cgroup.procs"), Integer.toString(pid));
            }
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Could not set up the jail's cgroup: " + e.getMessage(), e);
        }
    }

    @Override
    public void reaped(JailStatus status) {
        if (memoryDir == null) return;
        try {
            long kills = OomReport.oomKills(h.read(memoryDir.resolve("memory.oom_control")));
            oomKills = kills;
            var msg = kills >= 0 ? OomReport.message(pid, status, kills)
                    : OomReport.fromFailcnt(pid, status, Long.parseLong(h.read(memoryDir.resolve("memory.failcnt")).strip()));
            msg.ifPresent(Log::warn);
        } catch (ErrnoException | NumberFormatException e) {
            Log.debug("no OOM report: " + e.getMessage());
        }
    }

    /** The memory cgroup's memory.max_usage_in_bytes and the pids cgroup's pids.peak (Linux 6.1+), where used. */
    @Override
    public void measure(org.jnsjail.model.Measured m) {
        if (memoryDir != null) {
            long peak = number(memoryDir.resolve("memory.max_usage_in_bytes"));
            if (peak >= 0) m.peakMemory(peak);
            if (oomKills >= 0) m.oomKills(oomKills);
        }
        if (pidsDir != null) {
            long peak = number(pidsDir.resolve("pids.peak"));
            if (peak >= 0) m.peakPids(peak);
        }
    }

    private long number(Path file) {
        try {
            return Long.parseLong(h.read(file).strip());
        } catch (ErrnoException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void release() {
        for (int i = made.size() - 1; i >= 0; i--) {
            Log.debug("Remove '" + made.get(i) + "'");
            CgroupRemoval.remove(h, made.get(i));
        }
        made.clear();
    }
}
