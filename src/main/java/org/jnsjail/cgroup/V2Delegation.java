package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.jnsjail.api.JailException;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;

/**
 * Makes the controllers a jail's limits need available to the cgroups under cgroupv2_mount, as
 * nsjail's cgroup2::setup: "+memory" etc. into the mount's cgroup.subtree_control. A non-root
 * cgroup that holds processes may not enable controllers for its children (the "no internal
 * process" rule of cgroup-v2.rst), which the kernel reports as EBUSY; then the supervisor moves
 * itself into a child cgroup {@code NSJAIL_SELF.<pid>} and tries again. That cgroup holds the
 * supervisor for the rest of its life and is not removed (as in nsjail).
 */
final class V2Delegation {
    private V2Delegation() {}

    static void enable(CgroupHost h, Path mount, Set<V2Controller> needed) throws JailException {
        if (needed.isEmpty()) return;
        Set<String> enabled = tokens(h, mount.resolve("cgroup.subtree_control"));
        boolean moved = false;
        for (V2Controller c : needed) {
            if (enabled.contains(c.kernelName)) continue;
            for (;;) {
                try {
                    h.write(mount.resolve("cgroup.subtree_control"), "+" + c.kernelName);
                    break;
                } catch (ErrnoException e) {
                    if (e.errno() == CgroupRemoval.EBUSY && !moved) {
                        moveSelf(h, mount);
                        moved = true;
                        continue;
                    }
                    throw failure(h, mount, c, e, moved);
                }
            }
        }
    }

    private static JailException failure(CgroupHost h, Path mount, V2Controller c, ErrnoException e, boolean moved) {
        String what = "Could not enable the '" + c.kernelName + "' controller in '" + mount.resolve("cgroup.subtree_control")
                + "': " + Errno.describe(e.errno());
        if (e.errno() == CgroupRemoval.EBUSY) {
            return new JailException(what + (moved ? " (other processes live in '" + mount + "'; move them out or pass a "
                    + "delegated subtree as --cgroupv2_mount)" : ""));
        }
        if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL) {
            String available;
            try {
                available = h.read(mount.resolve("cgroup.controllers")).strip();
            } catch (ErrnoException ex) {
                available = "?";
            }
            return new JailException(what + " (the controllers available there are: '" + available + "')");
        }
        return new JailException(what);
    }

    /** nsjail's moveSelfIntoChildCgroup: the whole process (every thread) moves with one cgroup.procs write. */
    private static void moveSelf(CgroupHost h, Path mount) throws JailException {
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
            throw new JailException("Could not move the supervisor into '" + child + "': " + e.getMessage());
        }
    }

    private static Set<String> tokens(CgroupHost h, Path file) throws JailException {
        try {
            return new HashSet<>(Arrays.asList(h.read(file).strip().split("\\s+")));
        } catch (ErrnoException e) {
            throw new JailException("Could not read the enabled cgroup controllers: " + e.getMessage());
        }
    }
}
