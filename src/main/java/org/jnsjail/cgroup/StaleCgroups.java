package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;

/**
 * Jail cgroups left behind by a supervisor that was killed before it could remove them (nsjail
 * issue #69). A cgroup counts as stale when the pid in its name (the jail's, or for v2 the
 * supervisor's) no longer runs and it holds no process and no child cgroup; the kernel refuses
 * rmdir on a populated cgroup anyway (EBUSY, cgroups(7)).
 */
final class StaleCgroups {
    private StaleCgroups() {}

    /** NSJAIL.<pid> (v1, -Me) or NSJAIL.<supervisor pid>.<n> (v2). */
    static final Pattern NAME = Pattern.compile("NSJAIL\\.(\\d{1,10})(?:\\.\\d+)?");

    static List<Path> find(CgroupHost h, Path parent) {
        List<Path> out = new ArrayList<>();
        List<String> names;
        try {
            names = h.subdirs(parent);
        } catch (ErrnoException e) {
            return out; // no parent yet: nothing left behind
        }
        for (String n : names) {
            Matcher m = NAME.matcher(n);
            if (!m.matches()) continue;
            long pid = Long.parseLong(m.group(1));
            if (pid > Integer.MAX_VALUE || pid == h.selfPid() || h.pidAlive((int) pid)) continue;
            Path dir = parent.resolve(n);
            try {
                if (!h.read(dir.resolve("cgroup.procs")).isBlank() || !h.subdirs(dir).isEmpty()) continue;
            } catch (ErrnoException e) {
                continue;
            }
            out.add(dir);
        }
        return out;
    }

    static void removeAll(CgroupHost h, Path parent) {
        for (Path dir : find(h, parent)) {
            try {
                h.rmdir(dir);
                Log.info("Removed cgroup '" + dir + "' left behind by a supervisor that did not clean up");
            } catch (ErrnoException e) {
                Log.debug("leaving stale-looking cgroup: " + e.getMessage());
            }
        }
    }
}
