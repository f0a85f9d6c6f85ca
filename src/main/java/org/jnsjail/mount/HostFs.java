package org.jnsjail.mount;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Read-only questions about the host's file system, injectable for tests. */
public interface HostFs {
    enum Kind { MISSING, DIRECTORY, FILE }

    /** What is at this host path (following symlinks, as mount(2) does). */
    Kind kind(String path);

    /** What is at this host path without following a final symlink. */
    default boolean existsNoFollow(String path) {
        return kind(path) != Kind.MISSING;
    }

    /**
     * Mount points of procfs instances in the supervisor's mount namespace (proc(5),
     * /proc/self/mountinfo): a recursive bind of an ancestor would bring the host's processes along.
     */
    default java.util.List<String> procMounts() {
        return java.util.List.of();
    }

    HostFs REAL = new HostFs() {
        @Override
        public java.util.List<String> procMounts() {
            String table;
            try {
                table = org.jnsjail.sys.MountTable.text();
            } catch (org.jnsjail.sys.ErrnoException e) {
                return java.util.List.of(); // unknown: nothing to cover
            }
            ProcMounts last = lastProcMounts;
            // The same instance: MountTable saw no mount or unmount since that parse.
            if (last != null && last.table() == table) return last.points();
            java.util.List<String> out = new java.util.ArrayList<>();
            for (String line : table.split("\n")) {
                // "id parent maj:min root mountpoint options [optional...] - fstype source superopts"
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] after = line.substring(dash + 3).split(" ");
                if (after.length == 0 || !after[0].equals("proc")) continue;
                String[] f = line.split(" ");
                if (f.length > 4) out.add(unescape(f[4]));
            }
            java.util.List<String> points = java.util.List.copyOf(out);
            lastProcMounts = new ProcMounts(table, points);
            return points;
        }

        /** The last table parsed, and its procfs mount points: the same text needs no second parse. */
        private volatile ProcMounts lastProcMounts;

        @Override
        public Kind kind(String path) {
            Path p = Path.of(path);
            if (Files.isDirectory(p)) return Kind.DIRECTORY;
            return Files.exists(p) ? Kind.FILE : Kind.MISSING;
        }

        /** mountinfo escapes space, tab, newline and backslash as octal (\040 ...). */
        private static String unescape(String s) {
            if (s.indexOf('\\') < 0) return s;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length()) {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        @Override
        public boolean existsNoFollow(String path) {
            return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
        }
    };

    /** A mount table's text and the procfs mount points in it. */
    record ProcMounts(String table, java.util.List<String> points) {}
}
