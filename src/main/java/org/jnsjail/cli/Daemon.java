package org.jnsjail.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * -d/--daemon. nsjail calls daemon(3) (nochdir=1, noclose=0): fork, setsid, stdio on /dev/null.
 * A JVM cannot fork, so the CLI re-executes itself instead: the same java binary with this JVM's
 * own argv (from /proc/self/cmdline, so every JVM flag is kept), plus a system property that marks
 * the copy as already detached, started by posix_spawn(3) with POSIX_SPAWN_SETSID and stdio on
 * /dev/null. The caller exits 0 at once, as daemon(3)'s parent does; the copy parses the same
 * command line and runs the mode. The marker is a -D property rather than an environment variable
 * so that jails started with --keep_env do not inherit it.
 */
final class Daemon {
    private Daemon() {}

    static final String MARKER = "jnsjail.daemonized";
    /** Where nsjail logs when daemonised and no -l/-L was given (nsjail's _LOG_DEFAULT_FILE). */
    static final String DEFAULT_LOG = "/var/log/nsjail.log";

    /** Whether this JVM is the detached copy. */
    static boolean isDetachedCopy() {
        return "1".equals(System.getProperty(MARKER));
    }

    /**
     * Starts the detached copy; returns its pid. {@code keepFds} (the -L fd and --pass_fd fds) stay
     * open in it, as daemon(3) only replaces fds 0, 1 and 2.
     */
    static int detach(Iterable<Integer> keepFds) throws IOException, ErrnoException {
        String java = ProcessHandle.current().info().command().orElse("/proc/self/exe");
        List<String> argv = cmdline();
        if (argv.isEmpty()) throw new IOException("/proc/self/cmdline is empty");
        // Right after argv[0] is always a JVM-option position, whatever the rest (-jar, -cp, @argfiles).
        argv.add(1, "-D" + MARKER + "=1");
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());

        int devNull = Libc.open("/dev/null", Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        try {
            List<Libc.FdAction> actions = new ArrayList<>();
            for (int fd = 0; fd < 3; fd++) actions.add(Libc.FdAction.dup2(devNull, fd));
            TreeSet<Integer> keep = new TreeSet<>();
            for (int fd : keepFds) if (fd >= 3) keep.add(fd);
            int top = keep.isEmpty() ? 2 : keep.last();
            for (int fd = 3; fd <= top; fd++) {
                actions.add(keep.contains(fd) ? Libc.FdAction.dup2(fd, fd) : Libc.FdAction.close(fd));
            }
            return Libc.posixSpawn(java, argv.toArray(String[]::new), env.toArray(String[]::new), actions, top + 1,
                    Libc.POSIX_SPAWN_SETSID);
        } finally {
            Libc.close(devNull);
        }
    }

    /** This process's argv: NUL-separated in /proc/self/cmdline (proc(5)). */
    private static List<String> cmdline() throws IOException {
        byte[] raw;
        // A stream read: Files.readAllBytes trusts procfs's st_size, which is not the file's length.
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/cmdline")) {
            raw = in.readAllBytes();
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != 0) continue;
            out.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
            start = i + 1;
        }
        if (start < raw.length) out.add(new String(raw, start, raw.length - start, java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }
}
