package org.jnsjail.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.cgroup.Cgroups;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;

/**
 * A client's cgroup2 when it is not the server's: the jail is cloned into it (CLONE_INTO_CGROUP), as
 * it would start there under a supervisor the client ran. The kernel allows that only where the
 * server could move a process there itself (cgroup-v2.rst, "Delegation Containment"): it may write
 * cgroup.procs of the destination and of the common ancestor, and the destination has no controllers
 * enabled for children ("no internal processes"). Checked here first, so a refusal runs cold.
 */
final class Cgroup2 {
    private Cgroup2() {}

    private static volatile String mount;

    /** Where the cgroup2 hierarchy is mounted (its root), or "" when it is not. */
    static String mountPoint() {
        String m = mount;
        if (m != null) return m;
        m = "";
        try {
            for (String line : HostInfo.readProc("/proc/self/mountinfo").split("\n")) {
                // id parent major:minor root mount-point options [optional...] - fstype source super-options
                String[] f = line.split(" ");
                int dash = java.util.Arrays.asList(f).indexOf("-");
                if (dash > 0 && dash + 1 < f.length && f[dash + 1].equals("cgroup2") && f[3].equals("/")) {
                    m = f[4].replace("\\040", " ");
                    break;
                }
            }
        } catch (IOException e) {
            // no procfs: no cgroup2 to join
        }
        mount = m;
        return m;
    }

    /** The result: a directory fd to clone into (caller closes it), or why not. */
    record Join(int fd, String whyNot) {}

    static Join open(String clientPath, String serverPath) {
        String root = mountPoint();
        if (root.isEmpty()) return new Join(-1, "no cgroup2 hierarchy is mounted to put the jail into the client's cgroup");
        String ancestor = commonAncestor(clientPath, serverPath);
        int dir;
        try {
            dir = Libc.open(root + clientPath, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return new Join(-1, "the client's cgroup " + clientPath + " cannot be opened: " + e.getMessage());
        }
        boolean ok = false;
        try {
            if (!FsState.writable(dir, "cgroup.procs")) return new Join(-1, "the server may not move processes into the"
                    + " client's cgroup " + clientPath);
            if (!clientPath.equals("/") && !HostInfo.readProc(root + clientPath + "/cgroup.subtree_control").isBlank()) {
                return new Join(-1, "the client's cgroup " + clientPath + " has controllers enabled for children");
            }
            try {
                int a = Libc.open(root + ancestor, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
                try {
                    if (!FsState.writable(a, "cgroup.procs")) {
                        return new Join(-1, "the server may not move processes out of its cgroup into the client's ("
                                + ancestor + " is not writable)");
                    }
                } finally {
                    Libc.close(a);
                }
            } catch (ErrnoException e) {
                return new Join(-1, "the cgroup " + ancestor + " cannot be opened: " + e.getMessage());
            }
            ok = true;
            return new Join(dir, null);
        } catch (IOException e) {
            return new Join(-1, "the client's cgroup " + clientPath + " cannot be read: " + org.jnsjail.log.Quote.message(e));
        } finally {
            if (!ok) Libc.close(dir);
        }
    }

    /**
     * Why a client that lives in the cgroup its jail's v2 cgroup goes under (--cgroupv2_mount) runs
     * cold, or null. A cold supervisor there moves itself into NSJAIL_SELF.<pid> first: a cgroup other
     * than the root cannot both hold processes and give controllers to its children (cgroup-v2.rst,
     * "no internal process" constraint). The server may move neither its client nor itself.
     */
    static String clientInMount(CgroupLimits l, String clientPath) {
        if (clientPath == null || clientPath.equals("/") || !Cgroups.usesV2(l)) return null;
        String root = mountPoint();
        if (root.isEmpty()) return null;
        try {
            if (!Files.isSameFile(Path.of(root + clientPath), Path.of(l.cgroupv2Mount()))) return null;
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return null; // not the same directory as far as can be told: the cold run would find the same
        }
        return "the client lives in the cgroup --cgroupv2_mount names, which a supervisor moves itself out of";
    }

    /** The deepest cgroup above (or equal to) both paths. */
    static String commonAncestor(String a, String b) {
        String[] x = a.split("/"), y = b.split("/");
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) out.append('/').append(x[i]);
        return out.isEmpty() ? "/" : out.toString();
    }
}
