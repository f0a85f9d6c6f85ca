package org.jnsjail.user;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.api.IdMap;
import org.jnsjail.api.JailException;
import org.jnsjail.sys.ErrnoException;
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

    /** nsjail's order: setgroups deny (when needed), gid_map, newgidmap, uid_map, newuidmap. */
    public static void writeFromParent(int pid, List<IdMap> uids, List<IdMap> gids, int euid) throws JailException {
        boolean direct = false;
        for (IdMap g : gids) direct |= !g.useNewIdMap();
        // An unprivileged writer may map its gid only after giving up setgroups(2).
        if (euid != 0 && direct) write(pid, "setgroups", "deny");
        String g = mapText(gids, false);
        if (!g.isEmpty()) write(pid, "gid_map", g);
        runHelper(NEWGIDMAP, pid, gids);
        String u = mapText(uids, false);
        if (!u.isEmpty()) write(pid, "uid_map", u);
        runHelper(NEWUIDMAP, pid, uids);
    }

    private static void write(int pid, String file, String text) throws JailException {
        String path = "/proc/" + pid + "/" + file;
        try (FileOutputStream out = new FileOutputStream(path)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new JailException("Couldn't write '" + text.strip().replace('\n', ',') + "' to '" + path + "': "
                    + e.getMessage());
        }
    }

    private static void runHelper(String helper, int pid, List<IdMap> maps) throws JailException {
        List<String> argv = new ArrayList<>();
        argv.add(helper);
        argv.add(Integer.toString(pid));
        for (IdMap m : maps) {
            if (!m.useNewIdMap()) continue;
            argv.add(Long.toString(m.inside()));
            argv.add(Long.toString(m.outside()));
            argv.add(Long.toString(m.count()));
        }
        if (argv.size() == 2) return;
        try {
            int child = Libc.posixSpawn(helper, argv.toArray(String[]::new), new String[0],
                    List.of(Libc.FdAction.dup2(0, 0), Libc.FdAction.dup2(1, 1), Libc.FdAction.dup2(2, 2)), 3);
            int status = Libc.waitpid(child, 0);
            if (status != 0) {
                String how = (status & 0x7f) == 0 ? "exit status " + ((status >> 8) & 0xff) : "signal " + (status & 0x7f);
                throw new JailException("'" + String.join(" ", argv) + "' failed (" + how + ")");
            }
        } catch (ErrnoException e) {
            throw new JailException("Couldn't run '" + helper + "': " + e.getMessage());
        }
    }
}
