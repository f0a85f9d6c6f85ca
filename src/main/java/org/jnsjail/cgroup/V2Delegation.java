package org.jnsjail.cgroup;

import org.jnsjail.model.SetupStep;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.jnsjail.model.JailFailure;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;

/**
 * Makes the controllers a jail's limits need available to the cgroups under cgroupv2_mount, as
 * nsjail's cgroup2::setup: "+memory" etc. into the mount's cgroup.subtree_control. A cgroup other
 * than the hierarchy's root may not both hold processes and give controllers to its children
 * (cgroup-v2.rst, "no internal process" constraint): for a domain controller (memory) the kernel
 * refuses the write with EBUSY; a threaded one (pids, cpu) it enables, but the cgroup then is a
 * thread root, whose domain children can take no process (clone3 CLONE_INTO_CGROUP and cgroup.procs
 * fail with EOPNOTSUPP, "Threads"). So a supervisor that lives in the mount's cgroup first moves
 * itself into a child cgroup {@code NSJAIL_SELF.<pid>}, with nsjail's log line; that cgroup holds it
 * for the rest of its life and is not removed (as in nsjail). nsjail moves only on EBUSY, and fails
 * later when only pids or cpu are limited (docs/compatibility.md). Other processes in the mount's
 * cgroup are a one-line error. A resident server never moves itself: its client is the supervisor.
 */
final class V2Delegation {
    private V2Delegation() {}

    /**
     * @param mayMoveSelf whether this process is the supervisor (not a resident server working
     *                    for a client), which may move itself out of the mount's cgroup
     */
    static void enable(CgroupHost h, Path mount, Set<V2Controller> needed, boolean mayMoveSelf) throws JailFailure {
        if (needed.isEmpty()) return;
        Set<String> enabled = tokens(h, mount.resolve("cgroup.subtree_control"));
        boolean root = isHierarchyRoot(h, mount);
        boolean moved = false;
        if (!root && mayMoveSelf && holds(h, mount, h.selfPid())) {
            moveSelf(h, mount);
            moved = true;
        }
        for (V2Controller c : needed) {
            if (enabled.contains(c.kernelName)) continue;
            for (;;) {
                try {
                    h.write(mount.resolve("cgroup.subtree_control"), "+" + c.kernelName);
                    break;
                } catch (ErrnoException e) {
                    if (e.errno() == CgroupRemoval.EBUSY && !moved && mayMoveSelf && holds(h, mount, h.selfPid())) {
                        moveSelf(h, mount); // moved in meanwhile
                        moved = true;
                        continue;
                    }
                    throw failure(h, mount, c, e);
                }
            }
        }
        if (!root && hasProcesses(h, mount)) {
            throw new JailFailure(SetupStep.CGROUP, "Cannot make the jails' cgroups in '" + mount + "': " + OTHERS.formatted(mount));
        }
    }

    private static final String OTHERS = "other processes live in '%s' (a cgroup that holds processes cannot give "
            + "controllers to its children); move them out or pass a delegated subtree as --cgroupv2_mount";

    /** The root of a cgroup2 hierarchy is the only cgroup without a cgroup.type file (cgroup-v2.rst). */
    static boolean isHierarchyRoot(CgroupHost h, Path dir) {
        try {
            h.read(dir.resolve("cgroup.type"));
            return false;
        } catch (ErrnoException e) {
            return e.errno() == Errno.ENOENT;
        }
    }

    private static boolean holds(CgroupHost h, Path dir, int pid) {
        try {
            return h.read(dir.resolve("cgroup.procs")).lines().anyMatch(l -> l.strip().equals(Integer.toString(pid)));
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static boolean hasProcesses(CgroupHost h, Path dir) {
        try {
            return !h.read(dir.resolve("cgroup.procs")).isBlank();
        } catch (ErrnoException e) {
            return false; // the jail's own set-up reports what is wrong with the directory
        }
    }

    private static JailFailure failure(CgroupHost h, Path mount, V2Controller c, ErrnoException e) {
        String what = "Could not enable the '" + c.kernelName + "' controller in '" + mount.resolve("cgroup.subtree_control")
                + "': " + Errno.describe(e.errno());
        if (e.errno() == CgroupRemoval.EBUSY) return new JailFailure(SetupStep.CGROUP, what + " (" + OTHERS.formatted(mount) + ")");
        if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL) {
            String available;
            try {
                available = h.read(mount.resolve("cgroup.controllers")).strip();
            } catch (ErrnoException ex) {
                available = "?";
            }
            return new JailFailure(SetupStep.CGROUP, what + " (the controllers available there are: '" + available + "')");
        }
        return new JailFailure(SetupStep.CGROUP, what);
    }

    /** nsjail's moveSelfIntoChildCgroup: the whole process (every thread) moves with one cgroup.procs write. */
    private static void moveSelf(CgroupHost h, Path mount) throws JailFailure {
        int self = h.selfPid();
        Path child = mount.resolve("NSJAIL_SELF." + self);
        Log.info("nsjail is moving itself to a new child cgroup: " + child);
        try {
            try {
                h.mkdir(child, 0700);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST) throw e;
            }
            h.write(child.resolve("cgroup.procs"), Integer.toString(self));
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Could not move the supervisor into '" + child + "': " + e.getMessage(), e);
        }
    }

    private static Set<String> tokens(CgroupHost h, Path file) throws JailFailure {
        try {
            return new HashSet<>(Arrays.asList(h.read(file).strip().split("\\s+")));
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Could not read the enabled cgroup controllers: " + e.getMessage(), e);
        }
    }
}
