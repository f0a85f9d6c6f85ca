package org.jnsjail.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jnsjail.args.CommandLine;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailSpec;
import org.jnsjail.mount.HostFs;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.PlanText;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.RLimit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's examples (its "Examples" section, which holds nsjail's project page and --help
 * examples, and the extensions' example) as plans, compared with the checked-in text dumps in
 * src/test/resources/org/jnsjail/plan/golden/: what each command line makes a jail do, reviewed and
 * tested without root. The host is fixed (a root supervisor with every capability of Linux 6.1, a
 * small file tree, the host's procfs at /proc, a fixed environment and limits), so the dumps do not
 * depend on the machine. {@code mvn test -Dtest=PlanGoldenTest -Djnsjail.golden.update=true} rewrites
 * them after a deliberate change; {@code git diff} then shows what changed in every example's plan.
 */
class PlanGoldenTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path GOLDEN = ROOT.resolve("src/test/resources/org/jnsjail/plan/golden");
    /** Where {@code <chroot>} of the README points. */
    static final String CHROOT = "/srv/chroot";

    /** A root supervisor with CAP_CHECKPOINT_RESTORE (40) the last capability. */
    static final HostInfo ROOT_HOST = new HostInfo(0, 0, 0, 0, 40, (1L << 41) - 1, (1L << 41) - 1, 1048576);
    /** An unprivileged one (uid and gid 1000, no capabilities). */
    static final HostInfo USER_HOST = new HostInfo(1000, 1000, 1000, 1000, 40, 0, 0, 1048576);

    static final Caller CALLER = new Caller(Map.of("PATH", "/usr/bin:/bin", "HOME", "/root", "TERM", "xterm"), "/root",
            limits(), -1, -1, null);

    private static Map<RLimit, Caller.Limit> limits() {
        Map<RLimit, Caller.Limit> m = new EnumMap<>(RLimit.class);
        for (RLimit r : RLimit.values()) m.put(r, new Caller.Limit(RLimit.RLIM_INFINITY, RLimit.RLIM_INFINITY));
        m.put(RLimit.RLIMIT_NOFILE, new Caller.Limit(1024, 1048576));
        m.put(RLimit.RLIMIT_NPROC, new Caller.Limit(63304, 63304));
        m.put(RLimit.RLIMIT_STACK, new Caller.Limit(8L << 20, RLimit.RLIM_INFINITY));
        m.put(RLimit.RLIMIT_MEMLOCK, new Caller.Limit(8L << 20, 8L << 20));
        m.put(RLimit.RLIMIT_RTPRIO, new Caller.Limit(0, 0));
        m.put(RLimit.RLIMIT_MSGQUEUE, new Caller.Limit(819200, 819200));
        m.put(RLimit.RLIMIT_CORE, new Caller.Limit(0, RLimit.RLIM_INFINITY));
        return m;
    }

    /** A small host file tree: a usual root, and a busybox-like chroot at {@link #CHROOT}. */
    static final HostFs FS = new HostFs() {
        final Set<String> dirs = new TreeSet<>(List.of("/", "/bin", "/dev", "/etc", "/home", "/lib", "/lib64", "/mnt",
                "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/tmp", CHROOT,
                CHROOT + "/bin", CHROOT + "/dev", CHROOT + "/etc", CHROOT + "/proc", CHROOT + "/tmp"));
        final Set<String> files = new TreeSet<>(List.of("/dev/null", "/dev/urandom", "/dev/zero", "/bin/sh", "/bin/bash",
                "/bin/echo", "/bin/ls", "/bin/sleep", CHROOT + "/bin/sh", CHROOT + "/bin/busybox"));

        @Override
        public Kind kind(String path) {
            String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return dirs.contains(p) ? Kind.DIRECTORY : files.contains(p) ? Kind.FILE : Kind.MISSING;
        }

        @Override
        public List<String> procMounts() {
            return List.of("/proc");
        }
    };

    /** One example: its command line as the README has it, and the host it is planned for. */
    record Example(String name, String line, List<String> argv, HostInfo host) {}

    /** The README's examples: every ./nsjail line of "Examples", and the extensions' jnsjail line. */
    static List<Example> examples() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<Example> out = new ArrayList<>();
        int n = 0;
        for (String line : commandLines(section(readme, "## Examples"), "./nsjail ")) {
            n++;
            out.add(new Example(String.format("readme-%02d", n), line, words(line), ROOT_HOST));
        }
        for (String line : commandLines(section(readme, "## jnsjail's extensions"), "jnsjail ")) {
            n++;
            out.add(new Example(String.format("readme-%02d", n), line, words(line), ROOT_HOST));
        }
        // The plainest example as an unprivileged user would run it.
        String plain = "./nsjail -Mo --chroot / -- /bin/echo \"ABC\"";
        out.add(new Example("readme-unprivileged", plain, words(plain), USER_HOST));
        return out;
    }

    /** The text from {@code heading} to the next "## " heading. */
    static String section(String md, String heading) {
        int i = md.indexOf("\n" + heading + "\n");
        assertTrue(i >= 0, "README has " + heading);
        int j = md.indexOf("\n## ", i + heading.length() + 2);
        return md.substring(i, j < 0 ? md.length() : j);
    }

    /** Lines of the section's sh code blocks that start with {@code prefix}, continuation lines joined. */
    static List<String> commandLines(String section, String prefix) {
        List<String> out = new ArrayList<>();
        boolean inCode = false;
        StringBuilder cur = null;
        for (String l : section.split("\n")) {
            if (l.startsWith("```")) {
                inCode = !inCode && l.startsWith("```sh");
                continue;
            }
            if (!inCode) continue;
            if (cur != null) {
                cur.append(' ').append(l.strip());
            } else if (l.startsWith(prefix)) {
                cur = new StringBuilder(l);
            } else {
                continue;
            }
            if (cur.toString().endsWith("\\")) {
                cur.setLength(cur.length() - 1);
                while (cur.toString().endsWith(" ")) cur.setLength(cur.length() - 1);
                continue;
            }
            out.add(cur.toString().strip());
            cur = null;
        }
        return out;
    }

    /**
     * A command line as sh would split it (quotes, no expansion), without the program name, a trailing
     * comment or redirections; {@code <chroot>} becomes {@link #CHROOT}.
     */
    static List<String> words(String line) {
        List<String> w = new ArrayList<>();
        StringBuilder cur = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (cur == null && c == '#') break;
            if (Character.isWhitespace(c)) {
                if (cur != null) w.add(cur.toString());
                cur = null;
                continue;
            }
            if (cur == null) cur = new StringBuilder();
            if (c == '\'' || c == '"') {
                int end = line.indexOf(c, i + 1);
                cur.append(line, i + 1, end);
                i = end;
            } else {
                cur.append(c);
            }
        }
        if (cur != null) w.add(cur.toString());
        w.removeIf(x -> x.matches("\\d*[<>].*") && !x.startsWith("<chroot>"));
        w.replaceAll(x -> x.equals("<chroot>") ? CHROOT : x);
        return w.subList(1, w.size());
    }

    /** The plan a supervisor would make for this command line on the fixed host. */
    static String dump(Example e) throws Exception {
        CommandLine.Run run;
        try {
            run = CommandLine.parse(e.argv().toArray(String[]::new), CALLER, e.host());
        } finally {
            org.jnsjail.log.Log.setLevel(org.jnsjail.log.Log.Level.INFO); // -q changes the log level
        }
        JailSpec spec = run.spec();
        Object mode = run.mode();
        boolean inPlace = mode.toString().equals("EXECVE");
        PlanBuilder.Context ctx;
        if (inPlace) {
            ctx = new PlanBuilder.Context(PlanBuilder.Mode.IN_PLACE, e.host(), CALLER.env(), FS, -1, null, -1, -1);
        } else {
            FdLayout fds = FdLayout.of(spec, spec.execFd(), false);
            ctx = new PlanBuilder.Context(PlanBuilder.Mode.CLONE, e.host(), CALLER.env(), FS, fds.exec(), null,
                    fds.cgroup(), fds.scratch());
        }
        Plan plan = PlanBuilder.build(spec, ctx);
        return "# " + e.line() + "\n# mode " + mode + ", as uid " + e.host().uid() + "\n" + PlanText.format(plan);
    }

    @TestFactory
    Stream<DynamicTest> examplesMatchTheirGoldenPlans() throws IOException {
        if (!Files.isRegularFile(ROOT.resolve("README.md"))) Assumptions.abort("not run from the project directory");
        boolean update = Boolean.getBoolean("jnsjail.golden.update");
        List<Example> all = examples();
        assertTrue(all.size() >= 12, "the README's examples: " + all);
        return all.stream().map(e -> DynamicTest.dynamicTest(e.name() + ": " + e.line(), () -> {
            String have = dump(e);
            Path file = GOLDEN.resolve(e.name() + ".plan");
            if (update) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, have);
                return;
            }
            if (!Files.isRegularFile(file)) fail(file + " is missing; write it with -Djnsjail.golden.update=true:\n" + have);
            String want = Files.readString(file);
            if (!want.equals(have)) fail(firstDifference(want, have, file));
        }));
    }

    /** Every golden file belongs to an example (a removed example takes its file along). */
    @Test
    void noStaleGoldenFiles() throws IOException {
        if (!Files.isDirectory(GOLDEN)) Assumptions.abort("no golden directory");
        Set<String> names = new TreeSet<>();
        for (Example e : examples()) names.add(e.name() + ".plan");
        try (Stream<Path> s = Files.list(GOLDEN)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(f -> !names.contains(f)).sorted().toList());
        }
    }

    @Test
    void wordsSplitAsShDoes() {
        assertEquals(List.of("-Mo", "--chroot", "/", "--", "/bin/bash", "-c", "ip a; exec 3<>/dev/tcp/<some-ip>/80"),
                words("./nsjail -Mo --chroot / -- /bin/bash -c 'ip a; exec 3<>/dev/tcp/<some-ip>/80'"));
        assertEquals(List.of("-Mo", "--status_fd", "3", "--", "/bin/sleep", "5"),
                words("jnsjail -Mo --status_fd 3 -- /bin/sleep 5 3>status.json   # exit 137"));
        assertEquals(List.of("--chroot", CHROOT, "--", "/bin/echo", "ABC"), words("./nsjail --chroot <chroot> -- /bin/echo \"ABC\""));
    }

    private static String firstDifference(String want, String have, Path file) {
        String[] a = want.split("\n", -1), b = have.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end>", y = i < b.length ? b[i] : "<end>";
            if (!x.equals(y)) {
                return file.getFileName() + " line " + (i + 1) + " differs (rewrite with -Djnsjail.golden.update=true"
                        + " if the change is meant):\n  golden: " + x + "\n  now:    " + y;
            }
        }
        return file + " differs";
    }
}
