package org.jnsjail.user;

import org.jnsjail.model.SetupStep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailFailure;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * Writes a cloned jail's id maps from the supervisor (user_namespaces(7), "User and group ID
 * mappings"): direct lines for -u/-g, newuidmap/newgidmap for -U/-G. A map file takes one write.
 */
public final class IdMapFiles {
    private IdMapFiles() {}

    static final String NEWUIDMAP = "/usr/bin/newuidmap";
    static final String NEWGIDMAP = "/usr/bin/newgidmap";

    /** "<inside> <outside> <count>\n" lines of the direct (or, if {@code newIdMap}, the helper's) entries. */
    public static String mapText(List<IdMap> maps, boolean newIdMap) {
        StringBuilder b = new StringBuilder();
        for (IdMap m : maps) {
            if (m.useNewIdMap() != newIdMap) continue;
            b.append(m.inside()).append(' ').append(m.outside()).append(' ').append(m.count()).append('\n');
        }
        return b.toString();
    }

    /**
     * One step of writing the maps: {@code text} into {@code /proc/<pid>/<file>}, or, when {@code helper}
     * is set, that setuid helper run with {@code args}.
     */
    public record Step(String file, String text, String helper, List<String> args) {
        /** For the log: what is written where, or what is run. */
        public String describe(int pid) {
            if (helper != null) return "Running '" + helper + " " + String.join(" ", args) + "'";
            return "Writing '" + text + "' to '/proc/" + pid + "/" + file + "'";
        }
    }

    /** nsjail's order: setgroups deny (when needed), gid_map, newgidmap, uid_map, newuidmap. */
    public static List<Step> steps(int pid, List<IdMap> uids, List<IdMap> gids, int euid) {
        List<Step> out = new ArrayList<>(5);
        boolean direct = false;
        for (IdMap g : gids) direct |= !g.useNewIdMap();
        // An unprivileged writer may map its gid only after giving up setgroups(2).
        if (euid != 0 && direct) out.add(new Step("setgroups", "deny", null, null));
        String g = mapText(gids, false);
        if (!g.isEmpty()) out.add(new Step("gid_map", g, null, null));
        helper(out, NEWGIDMAP, pid, gids);
        String u = mapText(uids, false);
        if (!u.isEmpty()) out.add(new Step("uid_map", u, null, null));
        helper(out, NEWUIDMAP, pid, uids);
        return out;
    }

    public static void writeFromParent(int pid, List<IdMap> uids, List<IdMap> gids, int euid) throws JailFailure {
        for (Step s : steps(pid, uids, gids, euid)) {
            if (s.helper() == null) write(pid, s.file(), s.text());
            else runHelper(s.helper(), s.args());
        }
    }

    private static void write(int pid, String file, String text) throws JailFailure {
        String path = "/proc/" + pid + "/" + file;
        // One write(2): the kernel takes a map only whole, in a single write (user_namespaces(7)).
        // Plain syscalls, as each jail writes three of these files.
        int fd = -1;
        try (Arena a = Arena.ofConfined()) {
            fd = Libc.open(path, Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0);
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            MemorySegment seg = a.allocate(b.length);
            seg.copyFrom(MemorySegment.ofArray(b));
            Libc.writeFully(fd, seg);
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.ID_MAP, "Couldn't write '" + text.strip().replace('\n', ',') + "' to '" + path + "': "
                    + Errno.describe(e.errno()));
        } finally {
            if (fd >= 0) Libc.close(fd);
        }
    }

    /** newuidmap/newgidmap PID in out count ..., for the -U/-G entries (none: no step). */
    private static void helper(List<Step> out, String helper, int pid, List<IdMap> maps) {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(pid));
        for (IdMap m : maps) {
            if (!m.useNewIdMap()) continue;
            args.add(Long.toString(m.inside()));
            args.add(Long.toString(m.outside()));
            args.add(Long.toString(m.count()));
        }
        if (args.size() > 1) out.add(new Step(null, null, helper, List.copyOf(args)));
    }

    private static void runHelper(String helper, List<String> args) throws JailFailure {
        List<String> argv = new ArrayList<>();
        argv.add(helper);
        argv.addAll(args);
        try {
            int child = Libc.posixSpawn(helper, argv.toArray(String[]::new), new String[0],
                    List.of(Libc.FdAction.dup2(0, 0), Libc.FdAction.dup2(1, 1), Libc.FdAction.dup2(2, 2)), 3);
            int status = Libc.waitpid(child, 0);
            if (status != 0) {
                String how = (status & 0x7f) == 0 ? "exit status " + ((status >> 8) & 0xff) : "signal " + (status & 0x7f);
                throw new JailFailure(SetupStep.ID_MAP, "'" + String.join(" ", argv) + "' failed (" + how + ")");
            }
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.ID_MAP, "Couldn't run '" + helper + "': " + e.getMessage(), e);
        }
    }
}
