package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** How -C and the other options combine (nsjail-behaviour.md §2.3), checked on the assembled JailSpec. */
class ConfigMergeTest {
    private static final String BASIC = res("basic.cfg");
    private static final String PROC = res("proc.cfg");
    private static final String EXEC = res("exec.cfg");

    @AfterEach
    void restoreLog() {
        // Configs may change the global log level.
        Log.setLevel(Log.Level.INFO);
    }

    static String res(String name) {
        URL url = ConfigMergeTest.class.getResource(name);
        if (url == null) throw new IllegalStateException("missing test resource " + name);
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JailSpec spec(String... argv) throws Exception {
        return CommandLine.parse(argv).spec();
    }

    static CliException failure(String... argv) {
        return assertThrows(CliException.class, () -> CommandLine.parse(argv));
    }

    // --- rule 1: -C wipes earlier options, later ones override or append ---

    @Test
    void hostnameBeforeConfigIsLost() throws Exception {
        assertEquals("NSJAIL", spec("-H", "x", "-C", PROC, "--", "/bin/true").hostname());
        assertEquals("CFGHOST", spec("-H", "x", "-C", BASIC, "--", "/bin/true").hostname());
    }

    @Test
    void hostnameAfterConfigWins() throws Exception {
        assertEquals("y", spec("-C", BASIC, "-H", "y", "--", "/bin/true").hostname());
    }

    @Test
    void timeLimitBeforeConfigIsLost() throws Exception {
        assertEquals(600_000, spec("-t", "1", "-C", PROC, "--", "/bin/true").timeLimitMillis());
        assertEquals(30_000, spec("-t", "1", "-C", BASIC, "--", "/bin/true").timeLimitMillis());
        assertEquals(1_000, spec("-C", BASIC, "-t", "1", "--", "/bin/true").timeLimitMillis());
    }

    @Test
    void envBeforeConfigIsLostAfterIsAppended() throws Exception {
        List<String> env = spec("-E", "B=2", "-C", BASIC, "-E", "C=3", "--", "/bin/true").env();
        assertFalse(env.contains("B=2"), env.toString());
        assertTrue(env.contains("A=1"), env.toString());
        assertTrue(env.contains("C=3"), env.toString());
        // A bare name takes the supervisor's value; an unset one is dropped with a warning.
        assertTrue(env.contains("PATH=" + System.getenv("PATH")), env.toString());
        assertTrue(env.stream().noneMatch(e -> e.startsWith("CFG_BARE_UNSET_XYZ")), env.toString());
    }

    @Test
    void mountBeforeConfigIsLostAfterIsAppended() throws Exception {
        List<MountPt> m = spec("-R", "/x", "-C", PROC, "-B", "/y", "--", "/bin/true").mounts();
        assertTrue(m.stream().noneMatch(p -> p.dst().equals("/x")), m.toString());
        assertEquals(List.of("/tmp", "/y", "/proc"), m.stream().map(MountPt::dst).toList());
    }

    @Test
    void capsAppendAfterConfig() throws Exception {
        JailSpec s = spec("--cap", "CAP_CHOWN", "-C", BASIC, "--cap", "CAP_KILL", "--", "/bin/true");
        assertEquals(List.of(Capability.byName("CAP_NET_RAW"), Capability.byName("CAP_KILL")), s.caps());
    }

    // --- rule 2: state outside the config message survives ---

    @Test
    void uidGidBeforeConfigSurviveAndConfigMapsAreAppended() throws Exception {
        JailSpec s = spec("-u", "123", "-g", "456", "-C", BASIC, "--", "/bin/true");
        long uid = HostInfo.get().uid(), gid = HostInfo.get().gid();
        assertEquals(List.of(new IdMap(123, uid, 1, false), new IdMap(1000, 0, 2, false)), s.uidMaps());
        assertEquals(List.of(new IdMap(456, gid, 1, false), new IdMap(1000, 0, 1, false)), s.gidMaps());
    }

    @Test
    void configWithoutMapsKeepsDefaultMap() throws Exception {
        JailSpec s = spec("-C", PROC, "--", "/bin/true");
        long uid = HostInfo.get().uid();
        assertEquals(List.of(new IdMap(uid, uid, 1, false)), s.uidMaps());
    }

    @Test
    void chrootSurvivesAsMountZero() throws Exception {
        JailSpec s = spec("--chroot", "/tmp", "--rw", "-C", BASIC, "--", "/bin/true");
        MountPt root = s.mounts().getFirst();
        assertEquals("/tmp", root.src());
        assertEquals("/", root.dst());
        assertTrue(root.isBind() && root.rw());
        assertTrue(s.rootRw());
    }

    @Test
    void passFdsAccumulate() throws Exception {
        assertEquals(List.of(5, 7, 9), spec("--pass_fd", "5", "-C", BASIC, "--pass_fd", "9", "--", "/bin/true").passFds());
    }

    // --- rule 3: /proc ---

    @Test
    void configWithoutMountProcHasNoProc() throws Exception {
        List<MountPt> m = spec("-C", BASIC, "--", "/bin/true").mounts();
        assertTrue(m.stream().noneMatch(p -> p.fstype().equals("proc")), m.toString());
        // ... while the plain command line mounts it.
        assertEquals("/proc", spec("--", "/bin/true").mounts().getLast().dst());
    }

    @Test
    void mountProcTrueAddsProcLast() throws Exception {
        MountPt last = spec("-C", PROC, "-R", "/usr", "--", "/bin/true").mounts().getLast();
        assertEquals("/proc", last.dst());
        assertEquals("proc", last.fstype());
        assertFalse(last.rw());
    }

    @Test
    void procPathAfterConfigRestoresProc() throws Exception {
        assertEquals("/p", spec("-C", BASIC, "--proc_path", "/p", "--", "/bin/true").mounts().getLast().dst());
    }

    @Test
    void laterConfigWithoutMountProcClearsProc() throws Exception {
        List<MountPt> m = spec("-C", PROC, "-C", BASIC, "--", "/bin/true").mounts();
        assertTrue(m.stream().noneMatch(p -> p.fstype().equals("proc")), m.toString());
    }

    // --- rules 5-7: the command ---

    @Test
    void execBinWithoutCommand() throws Exception {
        JailSpec s = spec("-C", EXEC);
        assertEquals(List.of("/bin/echo", "x"), s.argv());
        assertEquals("/bin/echo", s.execPath());
    }

    @Test
    void positionalCommandReplacesArgvButNotPath() throws Exception {
        JailSpec s = spec("-C", EXEC, "--", "/bin/sh", "-c", "hostname");
        assertEquals(List.of("/bin/sh", "-c", "hostname"), s.argv());
        assertEquals("/bin/echo", s.execPath());
    }

    @Test
    void arg0OnlyForConfigArgv() throws Exception {
        JailSpec s = spec("-C", res("exec-arg0.cfg"));
        assertEquals(List.of("ECHO", "y"), s.argv());
        assertEquals("/bin/echo", s.execPath());
        assertTrue(s.execFd());
        JailSpec t = spec("-C", res("exec-arg0.cfg"), "--", "/bin/id");
        assertEquals(List.of("/bin/id"), t.argv());
        assertEquals("/bin/echo", t.execPath());
    }

    @Test
    void emptyExecPathMeansArgv0() throws Exception {
        JailSpec s = spec("-C", res("exec-empty-path.cfg"), "--", "/usr/bin/convert", "a", "b");
        assertNull(s.execPath());
        assertEquals("/usr/bin/convert", s.program());
        assertEquals("/usr/bin/convert", spec("-C", res("exec-empty-path.cfg")).program());
    }

    @Test
    void execFileBeforeConfigIsLostAfterWins() throws Exception {
        assertNull(spec("-x", "/bin/ls", "-C", PROC, "--", "/bin/true").execPath());
        assertEquals("/bin/echo", spec("-x", "/bin/ls", "-C", EXEC).execPath());
        assertEquals("/bin/ls", spec("-C", EXEC, "-x", "/bin/ls").execPath());
        assertEquals(List.of("/bin/echo", "x"), spec("-C", EXEC, "-x", "/bin/ls").argv());
    }

    @Test
    void noCommandAnywhere() {
        CliException e = failure("-C", PROC);
        assertEquals("No command-line provided", e.getMessage());
        assertTrue(e.showUsage());
    }

    /**
     * -x alone: nsjail runs the file with an empty argv (observed with the reference build: `-C cfg -x C`
     * printed argv=[''], the kernel's argv[0] for an empty argv since Linux 5.18).
     */
    @Test
    void execFileAloneRunsWithAnEmptyArgv0() throws Exception {
        JailSpec s = spec("-x", "/bin/ls");
        assertEquals(List.of(""), s.argv());
        assertEquals("/bin/ls", s.program());
    }

    @Test
    void severalConfigsAccumulateArgvButReplaceSettings() throws Exception {
        // nsjail's argv lives outside the config message; exec_bin.path does not.
        JailSpec s = spec("-C", EXEC, "-C", BASIC);
        assertEquals(List.of("/bin/echo", "x"), s.argv());
        assertNull(s.execPath());
        assertEquals("CFGHOST", s.hostname());
        assertEquals("NSJAIL", spec("-C", BASIC, "-C", EXEC).hostname());
    }

    // --- field mapping ---

    @Test
    void basicFieldsMapped() throws Exception {
        JailSpec s = spec("-C", BASIC, "--", "/bin/true");
        assertFalse(s.has(Namespace.NET));
        assertTrue(s.has(Namespace.TIME) && s.has(Namespace.USER) && s.has(Namespace.PID));
        assertEquals(0x0040000, s.personality());
        assertEquals(100, s.oomScoreAdj());
        assertEquals(128L << 20, s.rlimits().get(RLimit.RLIMIT_AS));
        assertEquals(RLimit.RLIM_INFINITY, s.rlimits().get(RLimit.RLIMIT_NOFILE));
        assertEquals(Libc.getrlimit(RLimit.RLIMIT_CPU.resource)[1], s.rlimits().get(RLimit.RLIMIT_CPU));
        assertNull(spec("-C", PROC, "--", "/bin/true").oomScoreAdj());

        List<MountPt> m = s.mounts();
        assertEquals(4, m.size(), m.toString());
        MountPt usr = m.get(0);
        assertEquals("/usr", usr.src());
        assertTrue(usr.isBind() && usr.nosuid() && !usr.mandatory() && !usr.rw() && !usr.nodev());
        assertNull(usr.isDir());
        assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), m.get(1).srcContent());
        MountPt tmp = m.get(2);
        assertEquals("tmpfs", tmp.fstype());
        assertEquals("size=1000", tmp.options());
        assertTrue(tmp.rw() && Boolean.TRUE.equals(tmp.isDir()) && tmp.mandatory());
        assertNull(tmp.srcContent());
        assertTrue(m.get(3).isSymlink());
        assertEquals("/proc/self/fd", m.get(3).src());
    }

    @Test
    void configPortDoesNotSwitchMode() throws Exception {
        assertEquals(Mode.ONCE, CommandLine.parse(new String[] {"-C", BASIC, "--", "/bin/true"}).mode());
    }

    @Test
    void configListenModeIsMapped() throws Exception {
        CommandLine.Run run = CommandLine.parse(new String[] {"-C", res("listen.cfg"), "--", "/bin/true"});
        assertEquals(Mode.LISTEN, run.mode());
        assertEquals(31337, run.listen().port());
        assertEquals("::", run.listen().bindhost());
    }

    @Test
    void jsonConfig() throws Exception {
        JailSpec s = spec("-C", res("json.json"));
        assertEquals("JSONHOST", s.hostname());
        assertEquals(7_000, s.timeLimitMillis());
        assertEquals(List.of("/bin/true"), s.argv());
        assertEquals("/proc", s.mounts().getLast().dst());
    }

    @Test
    void logLevelErrorFromConfig() throws Exception {
        spec("-C", res("logging.cfg"), "--", "/bin/true");
        assertEquals(Log.Level.ERROR, Log.level());
    }

    @Test
    void unknownCapInConfigIsOnlyWarnedAbout() throws Exception {
        String log = captureStderr(() -> assertEquals(1, spec("-C", BASIC, "--", "/bin/true").caps().size()));
        assertTrue(log.contains("CAP_NOT_A_REAL_ONE"), log);
        // ... whereas on the command line it is fatal.
        assertEquals("Unknown capability: 'CAP_NOT_A_REAL_ONE'",
                failure("--cap", "CAP_NOT_A_REAL_ONE", "--", "/bin/true").getMessage());
    }

    // --- issue 17 item 2: an empty value that nsjail reads as "not given" ---

    @Test
    void emptyChrootIsNoChrootAsInNsjail() throws Exception {
        for (String[] argv : List.of(new String[] {"--chroot", ""}, new String[] {"-c", ""}, new String[] {"-c", "/", "-c", ""})) {
            List<String> a = new ArrayList<>(List.of(argv));
            a.addAll(List.of("--", "/bin/true"));
            CommandLine.Run r = CommandLine.parse(a.toArray(String[]::new));
            assertTrue(r.spec().mounts().stream().noneMatch(m -> m.dst().equals("/")), a + ": " + r.spec().mounts());
            assertEquals("", r.chroot());
            assertEquals(List.of("/proc"), r.spec().mounts().stream().map(MountPt::dst).toList(), "the tmpfs root and /proc");
        }
        // --disable_clone_newns: no chroot(2) either
        assertTrue(spec("--disable_clone_newns", "--chroot", "", "--", "/bin/true").mounts().isEmpty());
    }

    @Test
    void otherEmptyValuesThatNsjailReadsAsNotGiven() throws Exception {
        // --proc_path '': nsjail mounts no procfs (as --disable_proc)
        assertTrue(spec("--chroot", "/", "--proc_path", "", "--", "/bin/true").mounts().stream()
                .noneMatch(m -> m.fstype().equals("proc")));
        assertNull(spec("--seccomp_policy", "", "--", "/bin/true").seccompFilter());
        assertNull(spec("-P", "", "--", "/bin/true").seccompFilter());
        assertNull(spec("--macvlan_iface", "", "--", "/bin/true").net().macvlanIface());
        assertNull(spec("-I", "", "--", "/bin/true").net().macvlanIface());
        assertNull(CommandLine.parse(new String[] {"--seccomp_unotify_report", "", "--", "/bin/true"}).unotifyReport());
        String log = captureStderr(() -> spec("--log", "", "--", "/bin/true"));
        assertFalse(log.contains("logfile"), log);
        // -U '' / -G '': the caller's id mapped to itself (through newuidmap), as nsjail's parseId
        long uid = HostInfo.get().uid(), gid = HostInfo.get().gid();
        JailSpec s = spec("-U", "", "-G", "", "--", "/bin/true");
        assertEquals(List.of(new IdMap(uid, uid, 1, true)), s.uidMaps());
        assertEquals(List.of(new IdMap(gid, gid, 1, true)), s.gidMaps());
        assertEquals(List.of(new IdMap(5, uid, 1, true)), spec("-U", "5", "--", "/bin/true").uidMaps());
        assertEquals(List.of(new IdMap(5, 7, 1, true)), spec("-U", "5:7", "--", "/bin/true").uidMaps());
    }

    @Test
    void emptyStringsInAConfigAreNotGivenEither() throws Exception {
        String log = captureStderr(() -> {
            CommandLine.Run r = CommandLine.parse(new String[] {"-C", res("empty-strings.cfg"), "--", "/bin/true"});
            assertNull(r.spec().seccompFilter());
            assertNull(r.spec().net().macvlanIface());
            assertNull(r.unotifyReport());
        });
        assertFalse(log.contains("logfile"), log);
    }

    // --- seccomp_unotify ---

    @Test
    void unotifyFieldsAreConfigBacked() throws Exception {
        // The config's seccomp_unotify and report file reach the run; a later -C wipes them.
        CommandLine.Run r = CommandLine.parse(new String[] {"-C", res("unotify.cfg"), "--", "/bin/true"});
        assertTrue(r.spec().seccompUnotify());
        assertEquals("/tmp/jnsjail-unotify-report.txt", r.unotifyReport());
        assertFalse(spec("-C", res("unotify.cfg"), "-C", PROC, "--", "/bin/true").seccompUnotify());
        assertEquals("--seccomp_unotify_report needs --seccomp_unotify",
                failure("--seccomp_unotify_report", "/tmp/x", "--", "/bin/true").getMessage());
        assertTrue(failure("-Me", "--seccomp_unotify", "--", "/bin/true").getMessage().contains("-Me"));
        assertTrue(failure("--seccomp_unotify", "--seccomp_arch", "x86", "--", "/bin/true").getMessage()
                .contains("cannot be combined with --seccomp_arch"));
    }

    @Test
    void restatedDefaultsAreFine() throws Exception {
        spec("-C", res("defaults-restated.cfg"), "--", "/bin/true");
    }

    // --- bad files ---

    @Test
    void syntaxErrorHasPosition() {
        String f = res("syntax-error.cfg");
        String msg = failure("-C", f, "--", "/bin/true").getMessage();
        assertTrue(msg.contains(f + ":2:"), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    @Test
    void unknownFieldHasPosition() {
        String f = res("unknown-field.cfg");
        String msg = failure("-C", f, "--", "/bin/true").getMessage();
        // nsjail, observed: "2:12: Message type "nsjail.NsJailConfig" has no field named "bogus_field"."
        assertTrue(msg.contains(f + ":2:12:"), msg);
        assertTrue(msg.contains("has no field named \"bogus_field\""), msg);
    }

    @Test
    void emptyFile() {
        String msg = failure("-C", res("empty.cfg"), "--", "/bin/true").getMessage();
        assertTrue(msg.contains("is empty"), msg);
    }

    @Test
    void missingFile() {
        CliException e = failure("-C", "/nonexistent/jnsjail.cfg", "--", "/bin/true");
        assertTrue(e.getMessage().contains("/nonexistent/jnsjail.cfg") && e.getMessage().contains("No such file"),
                e.getMessage());
        assertFalse(e.showUsage());
    }

    // --- nsjail's own configs ---

    @Test
    void everyReferenceConfigLoads() throws Exception {
        Path dir = referenceConfigs();
        List<Path> files;
        try (Stream<Path> st = Files.list(dir)) {
            files = st.filter(Files::isRegularFile).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no configs in " + dir);
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            try {
                CommandLine.parse(new String[] {"-C", f.toString(), "--", "/bin/true"});
                System.out.println("config ok: " + f.getFileName());
            } catch (CliException e) {
                if (e.getMessage().matches("(?i).*No such (user|group): '[^']*'")
                        || e.getMessage().matches("Couldn't open '[^']*' file for exec_bin.exec_fd: No such file or directory")) {
                    // e.g. tomcat8.cfg maps to user 'tomcat8', hexchat-with-net.cfg opens /usr/bin/hexchat for
                    // execveat; nsjail fails the same way on such a host ("Couldn't open '/usr/bin/hexchat' file").
                    System.out.println("config " + f.getFileName() + ": skipped, host lacks it: " + e.getMessage());
                } else {
                    bad.add(f.getFileName() + ": " + e.getMessage());
                }
            } finally {
                Log.setLevel(Log.Level.INFO);
                Log.toStderr(); // e.g. znc-with-net.cfg says log_fd: 2
            }
        }
        if (!bad.isEmpty()) fail(String.join("\n", bad));
    }

    static Path referenceConfigs() {
        Path relative = Path.of(System.getProperty("user.dir")).resolve("../shared/reference/nsjail-configs");
        if (Files.isDirectory(relative)) return relative.normalize();
        Path absolute = Path.of("/work/shared/reference/nsjail-configs");
        if (Files.isDirectory(absolute)) return absolute;
        return Assumptions.abort("nsjail reference configs not found at " + relative.normalize() + " or " + absolute);
    }

    interface Body {
        void run() throws Exception;
    }

    /** The log goes to System.err (as the CLI sets it; no other sink is set in tests); capture what one call writes there. */
    static String captureStderr(Body body) throws Exception {
        Log.toStderr();
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
