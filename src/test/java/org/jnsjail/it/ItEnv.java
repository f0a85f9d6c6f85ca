package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;

/**
 * Facts about the machine the integration tests run on, and the clean skips that follow from them.
 * Every skip names its reason, so a skipped test tells what the machine lacks.
 */
final class ItEnv {
    private ItEnv() {}

    static final String SETPRIV = "/usr/bin/setpriv";
    static final String BUSYBOX = "/bin/busybox";
    /** The unprivileged caller: nobody/nogroup. */
    static final int NOBODY_ID = 65534;

    private static final int EUID = readEuid();

    static boolean isRoot() {
        return EUID == 0;
    }

    static int euid() {
        return EUID;
    }

    /** Root-only cases: aborted (skipped) with the reason "needs root". */
    static void assumeRoot() {
        if (!isRoot()) Assumptions.abort("needs root");
    }

    static boolean userNamespacesEnabled() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).trim()) > 0;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    static void assumeUserNamespaces() {
        if (!userNamespacesEnabled()) {
            Assumptions.abort("user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0 or unreadable)");
        }
    }

    static boolean hasBusybox() {
        return Files.isExecutable(Path.of(BUSYBOX));
    }

    /**
     * Whether uid 65534 can read and traverse every classpath directory the CLI needs. The CLI path
     * needs only the compiled classes (plus the exec stub inside them); jars under /root/.m2 may be
     * unreadable for 65534, which is harmless because they are not loaded.
     */
    static String unreadableForOthers() {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (!Files.isDirectory(p) || !Files.exists(p.resolve("org/jnsjail/cli/Main.class"))) continue;
            for (Path q = p.resolve("org/jnsjail/cli/Main.class"); q != null; q = q.getParent()) {
                try {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(q);
                    PosixFilePermission need = Files.isDirectory(q) ? PosixFilePermission.OTHERS_EXECUTE
                            : PosixFilePermission.OTHERS_READ;
                    if (!perms.contains(need)) return q.toString();
                } catch (IOException ex) {
                    return q + " (" + ex.getMessage() + ")";
                }
            }
            Path stub = p.resolve("org/jnsjail/stub/exec-stub");
            if (Files.exists(stub)) {
                try {
                    if (!Files.getPosixFilePermissions(stub).contains(PosixFilePermission.OTHERS_READ)) return stub.toString();
                } catch (IOException ex) {
                    return stub + " (" + ex.getMessage() + ")";
                }
            }
            return null;
        }
        return "no classpath directory holds org/jnsjail/cli/Main.class";
    }

    /** Who runs the CLI. */
    enum RunAs {
        /** The test JVM's own identity (root on the reference machine). */
        ROOT,
        /** uid/gid 65534 through setpriv(1), or the caller itself when that is already unprivileged. */
        NOBODY;

        /** Aborts the test with the reason when this machine cannot run the CLI as this identity. */
        void assume() {
            assumeUserNamespaces();
            if (this == ROOT) {
                assumeRoot();
                return;
            }
            if (!isRoot()) return; // already unprivileged: run as ourselves
            if (!Files.isExecutable(Path.of(SETPRIV))) Assumptions.abort(SETPRIV + " is missing (util-linux)");
            String bad = unreadableForOthers();
            if (bad != null) Assumptions.abort("uid 65534 cannot read the compiled classes: " + bad);
        }

        /** The command prefix that switches identity (empty when none is needed). */
        List<String> prefix() {
            if (this == NOBODY && isRoot()) {
                return List.of(SETPRIV, "--reuid=" + NOBODY_ID, "--regid=" + NOBODY_ID, "--clear-groups");
            }
            return List.of();
        }

        /** The uid the CLI runs with. */
        int uid() {
            return this == NOBODY && isRoot() ? NOBODY_ID : euid();
        }

        /** The gid the CLI runs with. */
        int gid() {
            return this == NOBODY && isRoot() ? NOBODY_ID : readEgid();
        }
    }

    private static int readEuid() {
        return readStatusId("Uid:");
    }

    private static int readEgid() {
        return readStatusId("Gid:");
    }

    /** Second field (effective id) of the Uid:/Gid: line of /proc/self/status. */
    private static int readStatusId(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(key)) return Integer.parseInt(l.substring(key.length()).trim().split("\\s+")[1]);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    /** Pids (in this PID namespace) of processes whose command line contains {@code marker}, except this JVM. */
    static List<Long> processesWith(String marker) {
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                long pid = Long.parseLong(n);
                if (pid == self) continue;
                try {
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains(marker)) out.add(pid);
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
