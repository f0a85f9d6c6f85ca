package org.jnsjail.sys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Starts a copy of this JVM in the background: a JVM cannot fork, so it re-executes itself, the
 * same java binary with its own argv (from /proc/self/cmdline, so every JVM flag is kept) plus a
 * system property that tells the copy what it is, through posix_spawn(3) with POSIX_SPAWN_SETSID
 * (a new session, no controlling terminal) and stdio on /dev/null. A -D property rather than an
 * environment variable, so that nothing the copy starts inherits the marker.
 */
public final class SelfExec {
    private SelfExec() {}

    /**
     * Spawns the copy; returns its pid. @param jvmOptions inserted right after argv[0] (always a JVM
     * option position, whatever the rest: -jar, -cp, @argfiles) @param keepFds stay open at the same
     * numbers @param dupFds extra fds: key = the number in the copy, value = ours
     */
    public static int spawn(List<String> jvmOptions, Map<String, String> env, Iterable<Integer> keepFds,
            Map<Integer, Integer> dupFds) throws IOException, ErrnoException {
        String java = ProcessHandle.current().info().command().orElse("/proc/self/exe");
        List<String> argv = cmdline();
        if (argv.isEmpty()) throw new IOException("/proc/self/cmdline is empty");
        argv.addAll(1, jvmOptions);
        List<String> envp = new ArrayList<>();
        for (Map.Entry<String, String> e : env.entrySet()) envp.add(e.getKey() + "=" + e.getValue());

        int devNull = Libc.open("/dev/null", Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        try {
            List<Libc.FdAction> actions = new ArrayList<>();
            for (int fd = 0; fd < 3; fd++) actions.add(Libc.FdAction.dup2(devNull, fd));
            TreeSet<Integer> keep = new TreeSet<>();
            for (int fd : keepFds) if (fd >= 3) keep.add(fd);
            keep.addAll(dupFds.keySet());
            int top = keep.isEmpty() ? 2 : keep.last();
            for (int fd = 3; fd <= top; fd++) {
                Integer from = dupFds.get(fd);
                actions.add(from != null ? Libc.FdAction.dup2(from, fd)
                        : keep.contains(fd) ? Libc.FdAction.dup2(fd, fd) : Libc.FdAction.close(fd));
            }
            return Libc.posixSpawn(java, argv.toArray(String[]::new), envp.toArray(String[]::new), actions, top + 1,
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
