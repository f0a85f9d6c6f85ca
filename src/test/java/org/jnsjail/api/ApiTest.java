package org.jnsjail.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jnsjail.log.Log;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.SetupStep;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.BpfInsn;
import org.jnsjail.seccomp.BpfInterpreter;
import org.jnsjail.seccomp.BpfProgram;
import org.jnsjail.seccomp.JailPolicy;
import org.jnsjail.seccomp.SeccompData;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API with real jails, in this JVM (as root in the project's runs; the README's example
 * also runs as an unprivileged user, ReadmeExampleTest): every field of the result measured for
 * real, the time limit enforced by the library, errors with their step and errno on the caller's
 * stack, misuse caught before anything starts, and the CLI's defaults and seccomp guard.
 */
class ApiTest {
    @BeforeAll
    static void machineCanJail() throws IOException {
        String max = Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).trim();
        if (Long.parseLong(max) == 0) Assumptions.abort("user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0)");
    }

    static boolean root() {
        return org.jnsjail.sys.Libc.geteuid() == 0;
    }

    private static JailBuilder jail(String... command) {
        return new JailBuilder(command).readOnlyRoot();
    }

    private static String text(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void echoWithReadOnlyRootTimeAndMemoryLimitsCapturesStdout() throws Exception {
        JailBuilder b = jail("/bin/echo", "hello").timeLimit(Duration.ofSeconds(2));
        if (root() && Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) b.memoryLimit(64L << 20);
        JailProcess p = b.start();
        assertEquals("hello\n", text(p.getInputStream()));
        assertEquals(0, p.waitFor());
        JailResult r = p.result();
        assertEquals(JailResult.Cause.EXITED, r.cause());
        assertTrue(r.succeeded());
        assertEquals(0, r.exitCode());
        assertEquals(0, r.exitValue());
        assertNull(r.signal());
        assertEquals(p.pid(), r.pid());
        assertFalse(r.timedOut() || r.oomKilled() || r.seccompViolation());
        assertTrue(r.wallTime().toNanos() > 0 && r.wallTime().compareTo(Duration.ofSeconds(2)) < 0, r::toString);
        assertNotNull(r.cpuTime());
        assertTrue(r.peakMemoryBytes() > 0, r::toString);
        assertFalse(p.isAlive());
        assertEquals("", text(p.getErrorStream()));
    }

    @Test
    void timeLimitIsEnforcedByTheLibrary() throws Exception {
        long t0 = System.nanoTime();
        JailProcess p = jail("/bin/sleep", "5").timeLimit(Duration.ofSeconds(1)).redirectOutput(Redirect.DISCARD).start();
        // Nobody waits here: the library's own thread enforces the limit.
        JailResult r = p.onResult().get(4, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(r.timedOut(), r::toString);
        assertEquals(JailResult.Cause.TIME_LIMIT, r.cause());
        assertEquals(Signal.SIGKILL, r.signal());
        assertEquals(137, r.exitValue());
        assertEquals(-1, r.exitCode());
        assertTrue(ms >= 1000 && ms < 3000, "ran " + ms + " ms");
        assertTrue(r.wallTime().toMillis() >= 1000, r::toString);
    }

    @Test
    void subSecondTimeLimit() throws Exception {
        JailResult r = jail("/bin/sleep", "5").timeLimit(Duration.ofMillis(300)).start().result();
        assertTrue(r.timedOut(), r::toString);
        assertTrue(r.wallTime().toMillis() >= 300 && r.wallTime().toMillis() < 2000, r::toString);
    }

    @Test
    void exitCodeAndSignals() throws Exception {
        JailResult exited = jail("/bin/sh", "-c", "exit 42").start().result();
        assertEquals(JailResult.Cause.EXITED, exited.cause());
        assertEquals(42, exited.exitCode());
        assertEquals(42, exited.exitValue());
        assertFalse(exited.succeeded());

        // The program is not PID 1 under init(), so it can die of its own SIGTERM.
        JailResult termed = jail("/bin/sh", "-c", "kill -TERM $$").init().start().result();
        assertEquals(JailResult.Cause.SIGNALED, termed.cause(), termed::toString);
        assertEquals(Signal.SIGTERM, termed.signal());
        assertEquals(-1, termed.exitCode());

        JailProcess p = jail("/bin/sleep", "30").start();
        assertFalse(p.waitFor(200, TimeUnit.MILLISECONDS));
        assertTrue(p.isAlive());
        assertThrows(IllegalThreadStateException.class, p::exitValue);
        assertTrue(p.sendSignal(Signal.SIGKILL));
        assertEquals(137, p.waitFor());
        JailResult killed = p.result();
        assertEquals(JailResult.Cause.SIGNALED, killed.cause());
        assertEquals(Signal.SIGKILL, killed.signal());
        assertFalse(p.sendSignal(Signal.SIGKILL), "a reaped jail takes no signal");
    }

    @Test
    void destroyKillsAndOnExitCompletes() throws Exception {
        JailProcess p = jail("/bin/sleep", "30").start();
        var exit = p.onExit();
        assertFalse(exit.isDone());
        assertFalse(p.supportsNormalTermination());
        p.destroy();
        assertSame(p, exit.get(5, TimeUnit.SECONDS));
        assertEquals(JailResult.Cause.DESTROYED, p.result().cause());
        assertEquals(137, p.exitValue());
        assertFalse(p.isAlive());
        assertThrows(UnsupportedOperationException.class, p::toHandle);
    }

    @Test
    void oomKillUnderAMemoryCgroup() throws Exception {
        if (!root()) Assumptions.abort("needs root (the v1 memory cgroup hierarchy is root's)");
        if (!Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) {
            Assumptions.abort("no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/perl"))) Assumptions.abort("/usr/bin/perl is missing");
        long limit = 32L << 20;
        JailResult r = jail("/usr/bin/perl", "-e", "$x = 'a' x (256 << 20); print length $x").memoryLimit(limit)
                .pidsLimit(16).rlimit(Rlimit.RLIMIT_AS, Rlimit.INFINITY).start().result();
        assertTrue(r.oomKilled(), r::toString);
        assertEquals(Signal.SIGKILL, r.signal());
        assertTrue(r.peakMemoryBytes() > limit / 2 && r.peakMemoryBytes() <= limit, r::toString);
        assertTrue(r.peakPids() >= 1, r::toString);
    }

    @Test
    void seccompViolationNamesTheSyscall(@TempDir Path tmp) throws Exception {
        JailResult r = jail("/bin/uname").seccompPolicy("KILL { newuname } DEFAULT ALLOW").start().result();
        assertTrue(r.seccompViolation(), r::toString);
        assertEquals(Signal.SIGSYS, r.signal());
        assertEquals(128 + 31, r.exitValue());
        assertNotNull(r.seccomp());
        if (root()) {
            // root reads the kernel's audit record of the kill
            assertEquals("newuname", r.seccompSyscall(), r::toString);
            assertEquals(63, r.seccomp().number());
            assertEquals("x86_64", r.seccomp().arch());
        }
        Path policy = tmp.resolve("p.kafel");
        Files.writeString(policy, "KILL { newuname } DEFAULT ALLOW\n");
        assertTrue(jail("/bin/uname").seccompPolicy(policy).start().result().seccompViolation());
        assertEquals(0, jail("/bin/true").seccompPolicy(policy).start().waitFor());
    }

    /** The API compiles a policy as the command line does: the same filter, x32 calls killed. */
    @Test
    void seccompPolicyHasTheCliX32Guard() throws Exception {
        String policy = "ERRNO(1) { ptrace } DEFAULT ALLOW";
        byte[] api = new JailBuilder("/bin/true").seccompPolicy(policy).build().spec().seccompFilter();
        byte[] cli = NsjailArgs.parse("--seccomp_string", policy, "--", "/bin/true").build().spec().seccompFilter();
        assertArrayEquals(cli, api);
        assertArrayEquals(JailPolicy.compile(policy, List.of()), api);
        BpfProgram prog = decode(api);
        assertEquals(0, BpfInterpreter.run(prog, new SeccompData(0x40000001, Arch.X86_64.audit, 0, new long[6])),
                "an x32 write is killed");
        assertEquals(0x7fff0000, BpfInterpreter.run(prog, new SeccompData(1, Arch.X86_64.audit, 0, new long[6])),
                "write is allowed");
    }

    private static BpfProgram decode(byte[] b) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
        List<BpfInsn> out = new ArrayList<>();
        while (bb.remaining() >= 8) out.add(new BpfInsn(bb.getShort() & 0xffff, bb.get() & 0xff, bb.get() & 0xff, bb.getInt()));
        return new BpfProgram(out);
    }

    @Test
    void streamsAndRedirects(@TempDir Path tmp) throws Exception {
        JailProcess cat = jail("/bin/cat").start();
        try (OutputStream in = cat.getOutputStream()) {
            in.write("through the jail".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("through the jail", text(cat.getInputStream()));
        assertEquals(0, cat.waitFor());

        JailProcess merged = jail("/bin/sh", "-c", "echo out; echo err >&2").redirectErrorStream(true).start();
        assertEquals("out\nerr\n", text(merged.getInputStream()));
        assertEquals(-1, merged.getErrorStream().read());
        assertEquals(0, merged.waitFor());

        Path input = tmp.resolve("in.txt"), output = tmp.resolve("out.txt");
        Files.writeString(input, "from a file\n");
        JailProcess files = jail("/bin/cat").redirectInput(Redirect.from(input)).redirectOutput(output.toFile()).start();
        assertEquals(0, files.waitFor());
        assertEquals("from a file\n", Files.readString(output));
        assertThrows(IOException.class, () -> files.getOutputStream().write(1), "no pipe: writes fail");
        JailProcess appended = jail("/bin/echo", "more").redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        assertEquals(0, appended.waitFor());
        assertEquals("from a file\nmore\n", Files.readString(output));

        int[] pipe = org.jnsjail.sys.Libc.pipe2(org.jnsjail.sys.Fcntl.O_CLOEXEC);
        try {
            JailProcess viaFd = jail("/bin/echo", "to an fd").redirectOutput(Redirect.fd(pipe[1])).start();
            assertEquals(0, viaFd.waitFor());
            org.jnsjail.sys.Libc.close(pipe[1]);
            pipe[1] = -1;
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                var buf = a.allocate(64);
                long n = org.jnsjail.sys.Libc.read(pipe[0], buf, 64);
                assertEquals("to an fd\n", new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
        } finally {
            if (pipe[1] >= 0) org.jnsjail.sys.Libc.close(pipe[1]);
            org.jnsjail.sys.Libc.close(pipe[0]);
        }
        assertEquals(0, jail("/bin/sh", "-c", "cat; echo gone >&2").redirectInput(Redirect.DISCARD)
                .redirectError(Redirect.DISCARD).start().waitFor());
    }

    /** Output nobody read is kept once the jail ended, and its pipe closed: nothing leaks. */
    @Test
    void unreadOutputIsDrainedAndNothingLeaks() throws Exception {
        jail("/bin/true").start().waitFor(); // warm-up: the exec stub and the cleaner thread stay
        List<String> fds = openFds();
        long threads = Thread.getAllStackTraces().size();
        List<JailProcess> ps = new ArrayList<>();
        for (int i = 0; i < 20; i++) ps.add(jail("/bin/echo", "n" + i).start());
        for (JailProcess p : ps) assertEquals(0, p.waitFor());
        for (int i = 0; i < ps.size(); i++) assertEquals("n" + i + "\n", text(ps.get(i).getInputStream()));
        for (int i = 0; i < 50 && (!openFds().equals(fds) || Thread.getAllStackTraces().size() > threads); i++) {
            Thread.sleep(20);
        }
        assertEquals(fds, openFds(), "the JVM's open fds changed");
        assertTrue(Thread.getAllStackTraces().size() <= threads, "reaper threads remain");
    }

    @Test
    void outputReadToItsEndIsClosedOnceTheJailEnded() throws Exception {
        jail("/bin/true").start().waitFor(); // warm-up: the exec stub and the cleaner thread stay
        List<String> fds = openFds();
        List<JailProcess> ps = new ArrayList<>(); // held: a collected stream would close its fd anyway
        for (int i = 0; i < 10; i++) {
            JailProcess p = jail("/bin/echo", "n" + i).start();
            assertEquals("n" + i + "\n", text(p.getInputStream())); // to EOF, maybe before the reaper ran
            assertEquals("", text(p.getErrorStream()));
            assertEquals(0, p.waitFor());
            ps.add(p);
        }
        for (int i = 0; i < 50 && !openFds().equals(fds); i++) Thread.sleep(20);
        assertEquals(fds, openFds(), "a stream read to its end kept its fd after the jail ended");
        assertEquals(-1, ps.get(0).getInputStream().read());
    }

    static List<String> openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failuresCarryStepAndErrnoOnTheCallersStack(@TempDir Path tmp) throws Exception {
        jail("/bin/true").start().waitFor(); // warm-up: the exec stub stays
        List<String> fds = openFds();
        JailException e = assertThrows(JailException.class, () -> jail("/nonexistent/program").start());
        assertEquals(JailException.Step.EXEC, e.step(), e::getMessage);
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/nonexistent/program"), e.getMessage());
        assertTrue(e.getCause() instanceof JailFailure, "the internal failure is the cause");
        assertTrue(Stream.of(e.getStackTrace()).anyMatch(f -> f.getMethodName().contains("failuresCarryStepAndErrno")),
                "thrown with the caller's stack");
        assertTrue(e instanceof IOException, "as ProcessBuilder.start's failures");

        JailException io = assertThrows(JailException.class,
                () -> jail("/bin/true").redirectInput(Redirect.from(tmp.resolve("missing"))).start());
        assertEquals(JailException.Step.STDIO, io.step());
        assertEquals(Errno.ENOENT, io.errno());

        JailException mount = assertThrows(JailException.class,
                () -> jail("/bin/true").bind(tmp.resolve("missing"), "/x", JailBuilder.Access.READ_ONLY).start());
        assertEquals(JailException.Step.MOUNT, mount.step(), mount::getMessage);

        JailException policy = assertThrows(JailException.class,
                () -> new JailBuilder("/bin/true").seccompPolicy("KILL { no_such_call } DEFAULT ALLOW").build());
        assertEquals(JailException.Step.SPEC, policy.step());

        JailException badFd = assertThrows(JailException.class, () -> jail("/bin/true").redirectOutput(Redirect.fd(9999)).start());
        assertEquals(JailException.Step.STDIO, badFd.step());
        assertEquals(Errno.EBADF, badFd.errno());
        assertEquals(fds, openFds(), "a failed start left an fd open");
    }

    @Test
    void misuseFailsBeforeAnythingStarts() throws Exception {
        List<String> fds = openFds();
        assertThrows(IllegalStateException.class, () -> new JailBuilder().build(), "empty command");
        assertThrows(IllegalStateException.class, () -> new JailBuilder(List.of()).start(), "empty command");
        assertThrows(IllegalStateException.class, () -> new JailBuilder("").build(), "empty argv[0]");
        assertThrows(NullPointerException.class, () -> new JailBuilder("/bin/true").cwd(null));
        assertThrows(NullPointerException.class, () -> new JailBuilder("/bin/true").timeLimit(null));
        assertThrows(NullPointerException.class, () -> new JailBuilder((String) null));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").memoryLimit(-1));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").pidsLimit(-5));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").cpuLimit(-1));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").timeLimit(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").rlimit(Rlimit.RLIMIT_NOFILE, -3));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").tmpfs("relative/path"));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").capabilities("CAP_NOPE"));
        assertThrows(IllegalArgumentException.class, () -> new JailBuilder("/bin/true").niceLevel(20));
        assertThrows(IllegalArgumentException.class, () -> Redirect.fd(-1));
        assertThrows(IllegalStateException.class, () -> new JailBuilder("/bin/true").userNetwork().hostNetwork().build());
        assertThrows(IllegalStateException.class,
                () -> new JailBuilder("/bin/true").tmpfs("/t").namespaces(Set.of(Namespace.USER, Namespace.PID)).build());
        assertEquals(fds, openFds(), "nothing was opened");
    }

    /** Every public step has an internal one of the same name, and back. */
    @Test
    void stepsMatchTheInternalOnes() {
        assertEquals(Stream.of(SetupStep.values()).map(Enum::name).toList(),
                Stream.of(JailException.Step.values()).map(Enum::name).toList());
        for (Rlimit r : Rlimit.values()) assertEquals(r.name(), org.jnsjail.sys.RLimit.valueOf(r.name()).name());
        for (Namespace n : Namespace.values()) org.jnsjail.model.Namespace.valueOf(n.name());
        assertEquals(Signals.SIGKILL, Signal.SIGKILL.number());
        assertEquals(Signals.SIGSYS, Signal.SIGSYS.number());
        assertEquals(Signal.SIGTERM, Signal.of(15));
        assertNull(Signal.of(0));
        assertNull(Signal.of(40));
    }

    /** A builder left alone is the command line's jail: the same spec, field by field. */
    @Test
    void defaultsEqualTheCommandLines() throws Exception {
        assertSpecEquals(cliSpec("--", "/bin/true"), new JailBuilder("/bin/true").build().spec());
        assertSpecEquals(cliSpec("--chroot", "/", "-t", "2", "--", "/bin/echo", "hi"),
                new JailBuilder("/bin/echo", "hi").readOnlyRoot().timeLimit(Duration.ofSeconds(2)).build().spec());
        assertSpecEquals(cliSpec("--chroot", "/", "--cgroup_mem_max", "67108864", "-R", "/usr", "-T", "/tmp",
                "--disable_proc", "-E", "A=b", "-D", "/tmp", "-u", "0", "--", "/bin/true"),
                new JailBuilder("/bin/true").readOnlyRoot().memoryLimit(64 << 20).bindReadOnly(Path.of("/usr"))
                        .tmpfs("/tmp").proc(null).env("A", "b").cwd("/tmp").user(0).build().spec());
        // NsjailArgs gives the command line's spec back, untouched
        assertSpecEquals(cliSpec("--chroot", "/", "-t", "3", "--rlimit_nofile", "64", "--", "/bin/true"),
                NsjailArgs.parse("--chroot", "/", "-t", "3", "--rlimit_nofile", "64", "--", "/bin/true").build().spec());
    }

    /** Each builder setting is the command-line option it stands for: the same spec. */
    @Test
    void everySettingIsTheCommandLines() throws Exception {
        Path usr = Path.of("/usr");
        assertSpecEquals(cliSpec("--chroot", "/", "--rw", "-B", "/usr:/u", "-R", "/usr", "-T", "/t", "-s", "/bin:/b",
                "-m", "none:/m:tmpfs:size=1m", "--proc_rw", "--", "/bin/true"),
                new JailBuilder("/bin/true").readOnlyRoot().writableRoot().bind(usr, "/u", JailBuilder.Access.READ_WRITE)
                        .bindReadOnly(usr).tmpfs("/t").symlink("/bin", "/b")
                        .mount("none", "/m", "tmpfs", "size=1m", JailBuilder.Access.READ_WRITE).writableProc().build().spec());
        assertSpecEquals(cliSpec("--proc_path", "/p", "-T", "/t", "--", "/bin/true"),
                new JailBuilder("/bin/true").tmpfs("/t").proc("/p").build().spec());
        assertSpecEquals(cliSpec("-H", "box", "-D", "/tmp", "-E", "A=1", "-E", "B=2", "-u", "7", "-g", "8", "-x", "/bin/sh",
                "--", "name", "-c", "true"),
                new JailBuilder("name", "-c", "true").hostname("box").cwd("/tmp").env("A", "1").env("B", "2").user(7)
                        .group(8).executable("/bin/sh").build().spec());
        assertSpecEquals(cliSpec("-u", "0:1000:1", "-u", "1:100000:10", "-g", "0:1000:1", "--", "/bin/true"),
                new JailBuilder("/bin/true").uidMap(0, 1000, 1).uidMap(1, 100000, 10).gidMap(0, 1000, 1).build().spec());
        assertSpecEquals(cliSpec("--rlimit_nofile", "64", "--rlimit_as", "inf", "--rlimit_fsize", "2", "--", "/bin/true"),
                new JailBuilder("/bin/true").rlimit(Rlimit.RLIMIT_NOFILE, 64).rlimit(Rlimit.RLIMIT_AS, Rlimit.INFINITY)
                        .rlimit(Rlimit.RLIMIT_FSIZE, 2 << 20).build().spec());
        assertSpecEquals(cliSpec("--disable_rlimits", "--", "/bin/true"), new JailBuilder("/bin/true").inheritRlimits()
                .build().spec());
        assertSpecEquals(cliSpec("--cgroup_mem_max", "1000000", "--cgroup_pids_max", "9", "--cgroup_cpu_ms_per_sec", "100",
                "--use_cgroupv2", "--", "/bin/true"), new JailBuilder("/bin/true").memoryLimit(1_000_000).pidsLimit(9)
                        .cpuLimit(100).cgroupVersion(CgroupVersion.V2).build().spec());
        assertSpecEquals(cliSpec("--detect_cgroupv2", "--", "/bin/true"),
                new JailBuilder("/bin/true").cgroupVersion(CgroupVersion.DETECT).build().spec());
        assertSpecEquals(cliSpec("--nice_level", "-3", "--max_cpus", "1", "--init", "--cap", "CAP_NET_RAW", "-t", "0",
                "--seccomp_log", "--seccomp_string", "ALLOW { read } DEFAULT KILL", "--", "/bin/true"),
                new JailBuilder("/bin/true").niceLevel(-3).maxCpus(1).init().capabilities("CAP_NET_RAW")
                        .timeLimit(Duration.ZERO).seccompLog(true).seccompPolicy("ALLOW { read } DEFAULT KILL").build().spec());
        assertSpecEquals(cliSpec("--disable_clone_newnet", "--", "/bin/true"), new JailBuilder("/bin/true").hostNetwork()
                .build().spec());
        assertSpecEquals(cliSpec("--disable_clone_newipc", "--disable_clone_newuts", "--enable_clone_newtime", "--",
                "/bin/true"), new JailBuilder("/bin/true").namespaces(Set.of(Namespace.USER, Namespace.PID, Namespace.MOUNT,
                Namespace.NET, Namespace.CGROUP, Namespace.TIME)).build().spec());
        assertSpecEquals(cliSpec("--user_net", "--iface_no_lo", "--", "/bin/true"),
                new JailBuilder("/bin/true").userNetwork().noLoopback().build().spec());
        assertSpecEquals(cliSpec("--iface_own", "dummy0", "-I", "eth0", "--macvlan_vs_ip", "192.168.0.44", "--macvlan_vs_nm",
                "255.255.255.0", "--macvlan_vs_gw", "192.168.0.1", "--", "/bin/true"),
                new JailBuilder("/bin/true").moveInterface("dummy0").macvlan("eth0", "192.168.0.44", "255.255.255.0",
                        "192.168.0.1").build().spec());
        JailBuilder inherit = new JailBuilder("/bin/true").inheritEnvironment();
        assertEquals(System.getenv(), inherit.environment());
    }

    /** The settings as the jail's program sees them. */
    @Test
    void settingsReachTheJail() throws Exception {
        JailProcess p = new JailBuilder("name", "-c", "echo $0; id -u; id -g; hostname; pwd; echo $A; ulimit -n;"
                + " echo $$; grep CapAmb /proc/self/status; touch /tmp/w && echo tmpfs-writable; readlink /tmp/b;"
                + " touch /x 2>/dev/null || echo root-read-only; cut -d' ' -f19 /proc/self/stat")
                .executable("/bin/sh").readOnlyRoot().hostname("box").cwd("/tmp").env("A", "1").user(7).group(8)
                .rlimit(Rlimit.RLIMIT_NOFILE, 64).init().capabilities("CAP_NET_RAW").tmpfs("/tmp").symlink("/bin", "/tmp/b")
                .niceLevel(5).start();
        String out = text(p.getInputStream());
        assertEquals(0, p.waitFor(), text(p.getErrorStream()));
        assertEquals(List.of("name", "7", "8", "box", "/tmp", "1", "64", "2", "CapAmb:\t0000000000002000",
                "tmpfs-writable", "/bin", "root-read-only", "5"), out.lines().toList());
    }

    /** CPU time is measured, and a CPU limit holds a busy jail back. */
    @Test
    void cpuTimeAndCpuLimit() throws Exception {
        JailResult busy = jail("/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").start().result();
        assertEquals(0, busy.exitCode());
        assertTrue(busy.cpuTime().toMillis() >= 20, busy::toString);
        if (!root()) Assumptions.abort("needs root (the v1 cpu cgroup hierarchy is root's)");
        if (!Files.isDirectory(Path.of("/sys/fs/cgroup/cpu"))) Assumptions.abort("no cgroup v1 cpu hierarchy at /sys/fs/cgroup/cpu");
        JailResult held = jail("/bin/sh", "-c", "while :; do :; done").cpuLimit(100).timeLimit(Duration.ofSeconds(1))
                .start().result();
        assertTrue(held.timedOut(), held::toString);
        assertTrue(held.cpuTime().toMillis() < 500, "100 ms of CPU per second: " + held);
    }

    private static JailSpec cliSpec(String... args) throws Exception {
        return org.jnsjail.args.CommandLine.parse(args, org.jnsjail.model.Caller.self(), org.jnsjail.sys.HostInfo.get(),
                org.jnsjail.args.ParseEffects.collected()).spec();
    }

    private static void assertSpecEquals(JailSpec want, JailSpec got) {
        // a record's equals compares arrays by reference: the policies are compared apart
        assertArrayEquals(want.seccompFilter(), got.seccompFilter());
        assertEquals(want.toString().replaceAll("\\[B@\\w+", "[B"), got.toString().replaceAll("\\[B@\\w+", "[B"));
    }

    @Test
    void nsjailArgsHasNoSideEffects(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("log");
        Log.Level before = Log.level();
        String err = captureStderr(() -> {
            JailBuilder b = NsjailArgs.parse("-v", "-l", log.toString(), "-E", "JNSJAIL_SURELY_UNSET_VAR", "--chroot", "/",
                    "--", "/bin/echo", "parsed");
            JailProcess p = b.start();
            assertEquals("parsed\n", text(p.getInputStream()));
            assertEquals(0, p.waitFor());
        });
        assertEquals("", err, "nothing printed");
        assertFalse(Files.exists(log), "-l opened no file");
        assertEquals(before, Log.level(), "-v changed no level");
        for (String[] refused : List.of(new String[] {"-Ml", "--", "/bin/true"}, new String[] {"-Mr", "--", "/bin/true"},
                new String[] {"--daemon", "--", "/bin/true"}, new String[] {"--status_fd", "1", "--", "/bin/true"},
                new String[] {"--help"}, new String[] {"--bad_option"})) {
            JailException e = assertThrows(JailException.class, () -> NsjailArgs.parse(refused), String.join(" ", refused));
            assertEquals(JailException.Step.SPEC, e.step());
        }
        // no command yet: given later
        JailBuilder later = NsjailArgs.parse("--chroot", "/");
        assertEquals(List.of(), later.command());
        assertThrows(IllegalStateException.class, later::build);
        assertEquals(0, later.command("/bin/true").start().waitFor());
    }

    @Test
    void configFileAsABuilder(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("j.cfg");
        Files.writeString(cfg, """
                mode: ONCE
                time_limit: 1
                mount { src: "/" dst: "/" is_bind: true }
                exec_bin { path: "/bin/sleep" arg: "5" }
                log_level: FATAL
                """);
        Log.Level before = Log.level();
        JailBuilder b = NsjailArgs.parseConfig(cfg);
        assertEquals(before, Log.level());
        assertEquals(List.of("/bin/sleep", "5"), b.command());
        JailResult r = b.start().result();
        assertTrue(r.timedOut(), "the config's time limit: " + r);
        Path json = tmp.resolve("j.json");
        Files.writeString(json, """
                {"mode": "ONCE", "hostname": "from-json", "mount": [{"src": "/", "dst": "/", "is_bind": true}],
                 "exec_bin": {"path": "/bin/hostname"}}
                """);
        JailProcess fromJson = NsjailArgs.parseConfig(json).start();
        assertEquals("from-json\n", text(fromJson.getInputStream()));
        assertEquals(0, fromJson.waitFor());
        JailException e = assertThrows(JailException.class, () -> NsjailArgs.parseConfig(tmp.resolve("none.cfg")));
        assertEquals(JailException.Step.SPEC, e.step());
    }

    /** Silent unless a logger is given; then nsjail's lines go to it. */
    @Test
    void logsOnlyToTheGivenLogger() throws Exception {
        List<String> lines = new ArrayList<>();
        System.Logger logger = new System.Logger() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return level.getSeverity() >= Level.INFO.getSeverity();
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
                synchronized (lines) {
                    lines.add(level + " " + msg);
                }
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                log(level, bundle, format, (Throwable) null);
            }
        };
        Log.toLogger(null); // a library user's start: silent (the CLI's tests may have set stderr)
        String err = captureStderr(() -> jail("/bin/sleep", "5").timeLimit(Duration.ofMillis(200)).start().waitFor());
        assertEquals("", err);
        try {
            Jails.setLogger(logger);
            JailProcess p = jail("/bin/sleep", "5").timeLimit(Duration.ofMillis(200)).start();
            p.waitFor();
            synchronized (lines) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("INFO pid=" + p.pid() + " run time >= time limit")),
                        lines::toString);
            }
        } finally {
            Jails.setLogger(null);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    static String captureStderr(Body body) throws Exception {
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
