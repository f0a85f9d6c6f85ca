package org.jnsjail.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * cgroup v2 for real, as on a Debian 12 / Ubuntu 22.04+ host: runs in the test VM (see {@link
 * KernelVmTest}), where /sys/fs/cgroup is a cgroup2 hierarchy with memory, pids and cpu enabled for
 * its children. The limits, the OOM report from memory.events, controller delegation in
 * cgroup.subtree_control and the supervisor's move into NSJAIL_SELF.<pid>, --detect_cgroupv2, and the
 * removal of every jail's cgroup on every path (exit, time limit, leftover processes, killed
 * supervisor or client with the next run's sweep, LISTEN, -Me). Every test checks that it left no
 * NSJAIL.* cgroup behind. The jails go through the test server unless a case needs the JVM itself.
 */
@Tag("vm-guest")
class CgroupV2VmTest {
    static final Path CG = Path.of("/sys/fs/cgroup");
    static final Pattern JAIL_CGROUP = Pattern.compile("NSJAIL\\.\\d+(\\.\\d+)?");
    /** A page-aligned limit: memory.max reads back what was written (the kernel rounds down to pages). */
    static final long MEM = 50_003_968;
    /** The jail's own cgroup directory, seen from inside a jail without a cgroup namespace. */
    static final String MY_CG = "d=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup); ";

    private Set<Path> before;
    private final List<Path> made = new ArrayList<>();

    /** Only in the VM: the cases change the cgroup2 root's controllers and move processes around. */
    static void assumeVm() {
        if (!"guest".equals(System.getProperty("jnsjail.vm"))) {
            Assumptions.abort("runs in the test VM (KernelVmTest), on a cgroup2 root it may change");
        }
        try {
            String mounts = Files.readString(Path.of("/proc/self/mounts"));
            String ctl = Files.readString(CG.resolve("cgroup.subtree_control"));
            if (mounts.contains(" " + CG + " cgroup2 ") && ctl.contains("memory") && ctl.contains("pids") && ctl.contains("cpu")) {
                return;
            }
        } catch (IOException e) {
            // fall through
        }
        Assumptions.abort(CG + " is not a cgroup2 hierarchy with memory, pids and cpu enabled");
    }

    @BeforeEach
    void snapshot() {
        assumeVm();
        RunAs.ROOT.assume();
        before = jailCgroups();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        if (before == null) return;
        Set<Path> now = jailCgroups();
        now.removeAll(before);
        for (int i = made.size() - 1; i >= 0; i--) removeTree(made.get(i));
        assertEquals(Set.of(), now, "cgroups left behind");
    }

    /** Every NSJAIL.* cgroup in the hierarchy (jails' cgroups may be nested in test parents). */
    static Set<Path> jailCgroups() {
        Set<Path> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(CG, 3)) {
            s.filter(Files::isDirectory).filter(p -> JAIL_CGROUP.matcher(p.getFileName().toString()).matches())
                    .forEach(out::add);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** A fresh child cgroup of the root (or of {@code parent}), removed after the test with what is under it. */
    private Path cgroup(Path parent, String name) throws IOException {
        Path d = parent.resolve(name + "-" + ProcessHandle.current().pid() + "-" + made.size());
        Files.createDirectory(d);
        made.add(d);
        return d;
    }

    /** rmdir, deepest first; what still runs there (a failed test's processes) goes back to the root first. */
    private static void removeTree(Path d) throws IOException {
        if (!Files.isDirectory(d)) return;
        try (Stream<Path> s = Files.list(d)) {
            for (Path c : s.filter(Files::isDirectory).toList()) removeTree(c);
        }
        for (String pid : read(d.resolve("cgroup.procs")).split("\n")) {
            if (pid.isBlank()) continue;
            try {
                Files.writeString(CG.resolve("cgroup.procs"), pid.strip());
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        Files.delete(d); // cgroupfs: rmdir; its interface files go with it
    }

    static Result jail(List<String> opts, String... cmd) {
        return NsjailCli.as(RunAs.ROOT).args(args(opts, cmd)).timeout(Duration.ofSeconds(60)).run();
    }

    static List<String> args(List<String> opts, String... cmd) {
        List<String> a = new ArrayList<>(List.of("-Mo", "--chroot", "/"));
        a.addAll(opts);
        a.add("--");
        a.addAll(List.of(cmd));
        return a;
    }

    static List<String> v2(String... more) {
        List<String> a = new ArrayList<>(List.of("--use_cgroupv2"));
        a.addAll(List.of(more));
        return a;
    }

    /** Waits (polling) until {@code cond} holds; fails naming {@code what} after {@code limit}. */
    static void await(BooleanSupplier cond, Duration limit, String what) {
        long deadline = System.nanoTime() + NsjailCli.scaled(limit).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    // ---- limits

    @Test
    void allocatingPastMemMaxIsOomKilledAndReportedFromMemoryEvents() {
        Result r = jail(v2("--cgroup_mem_max", Long.toString(MEM), "--rlimit_as", "inf"), "/bin/sh", "-c",
                "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}");
        assertEquals(137, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Setting 'memory.max' to '" + MEM + "'"), r::describe);
        assertTrue(Pattern.compile("pid=\\d+ was killed by the OOM killer \\(cgroup memory limit reached\\)")
                .matcher(r.stderr()).find(), r::describe);
    }

    @Test
    void anOomKilledChildIsReportedWhileTheJailGoesOn() {
        Result r = jail(v2("--cgroup_mem_max", Long.toString(MEM), "--rlimit_as", "inf"), "/bin/sh", "-c",
                "/bin/sh -c 'x=$(head -c 200000000 /dev/zero | tr \"\\0\" a)'; echo child=$?");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("child=137", r.stdout().strip(), r::describe);
        assertTrue(Pattern.compile("pid=\\d+: the OOM killer killed \\d+ process(es)? in the jail \\(cgroup memory limit reached\\)")
                .matcher(r.stderr()).find(), r::describe);
    }

    @Test
    void underMemMaxRunsWithoutAReport() {
        Result r = jail(v2("--cgroup_mem_max", Long.toString(MEM), "--rlimit_as", "inf"), "/bin/sh", "-c",
                "x=$(head -c 2000000 /dev/zero | tr '\\0' a); echo ${#x}");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("2000000", r.stdout().strip(), r::describe);
        assertFalse(r.stderr().contains("OOM"), r::describe);
    }

    @Test
    void memoryAndSwapLimitsAreWritten() {
        String show = MY_CG + "cat $d/memory.max $d/memory.swap.max";
        // swap: memory.swap.max as given
        Result swap = jail(v2("--disable_clone_newcgroup", "--cgroup_mem_max", Long.toString(MEM), "--cgroup_mem_swap_max",
                "4096"), "/bin/sh", "-c", show);
        assertEquals(0, swap.exitCode(), swap::describe);
        assertEquals(List.of(Long.toString(MEM), "4096"), swap.stdoutLines(), swap::describe);
        // memsw: swap = memsw - memory, as nsjail computes it
        Result memsw = jail(v2("--disable_clone_newcgroup", "--cgroup_mem_max", Long.toString(MEM),
                "--cgroup_mem_memsw_max", Long.toString(MEM + 8192)), "/bin/sh", "-c", show);
        assertEquals(0, memsw.exitCode(), memsw::describe);
        assertEquals(List.of(Long.toString(MEM), "8192"), memsw.stdoutLines(), memsw::describe);
        // memsw alone caps memory at memsw, and swap at nothing (nsjail's PR #342 left memory unlimited)
        Result only = jail(v2("--disable_clone_newcgroup", "--cgroup_mem_memsw_max", Long.toString(MEM)), "/bin/sh", "-c",
                show);
        assertEquals(0, only.exitCode(), only::describe);
        assertEquals(List.of(Long.toString(MEM), "0"), only.stdoutLines(), only::describe);
    }

    @Test
    void pidsMaxStopsAForkLoop() {
        Result r = jail(v2("--disable_clone_newcgroup", "--cgroup_pids_max", "10"), "/bin/sh", "-c",
                MY_CG + "cat $d/pids.max; for i in $(seq 50); do sleep 2 & done; wait; echo all-started");
        assertNotEquals(0, r.exitCode(), r::describe);
        assertEquals("10", r.stdoutLines().get(0), r::describe);
        assertFalse(r.stdout().contains("all-started"), r::describe);
        assertTrue(r.stderr().toLowerCase(java.util.Locale.ROOT).contains("fork"), r::describe);
    }

    @Test
    void cpuMaxThrottlesABusyLoop() {
        Result r = jail(v2("--disable_clone_newcgroup", "--cgroup_cpu_ms_per_sec", "100"), "/bin/sh", "-c",
                MY_CG + "cat $d/cpu.max; timeout 2 /bin/sh -c 'while :; do :; done'; cat $d/cpu.stat");
        assertEquals(0, r.exitCode(), r::describe);
        List<String> out = r.stdoutLines();
        assertEquals("100000 1000000", out.get(0), r::describe);
        long periods = stat(out, "nr_periods"), throttled = stat(out, "nr_throttled"), usage = stat(out, "usage_usec");
        assertTrue(throttled > 0, () -> "never throttled\n" + r.describe());
        // At most 100 ms of CPU in each 1 s period the cgroup ran in (one period's slack for the
        // accounting at its edges), however slowly the emulated machine runs.
        assertTrue(usage <= (periods + 1) * 100_000, () -> "used " + usage + " us of CPU in " + periods + " periods\n"
                + r.describe());
    }

    private static long stat(List<String> lines, String key) {
        for (String l : lines) {
            String[] f = l.split(" ");
            if (f.length == 2 && f[0].equals(key)) return Long.parseLong(f[1]);
        }
        throw new AssertionError("no " + key + " in " + lines);
    }

    @Test
    void configFileSetsV2Limits(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("v2.cfg");
        Files.writeString(cfg, "use_cgroupv2: true\ncgroup_pids_max: 3\ncgroup_mem_max: " + MEM + "\nmount_proc: true\n");
        Result r = NsjailCli.as(RunAs.ROOT).args("-Mo", "-C", cfg.toString(), "--chroot", "/", "--disable_clone_newcgroup",
                "--", "/bin/sh", "-c", MY_CG + "cat $d/pids.max $d/memory.max").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("3", Long.toString(MEM)), r.stdoutLines(), r::describe);
    }

    // ---- placement: clone3(CLONE_INTO_CGROUP), the cgroup namespace, --detect_cgroupv2

    @Test
    void jailIsClonedIntoItsCgroup() {
        Result r = jail(v2("-v", "--disable_clone_newcgroup", "--cgroup_pids_max", "10"), "/bin/sh", "-c",
                "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().strip().matches("0::/NSJAIL\\.\\d+\\.1"), r::describe);
        assertTrue(r.stderr().contains("cgroupv2:true"), r::describe);
        // Linux 5.7+ takes the flag: the jail never runs outside its cgroup, and is never moved.
        assertFalse(r.stderr().contains("was not cloned into its cgroup"), r::describe);
    }

    @Test
    void cgroupNamespaceIsRootedAtTheJailsCgroup() {
        Result r = jail(v2("--cgroup_pids_max", "10"), "/bin/sh", "-c", "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("0::/", r.stdout().strip(), r::describe);
    }

    @Test
    void detectFindsCgroup2AtTheDefaultMount() {
        Result r = jail(List.of("--detect_cgroupv2", "--disable_clone_newcgroup", "--cgroup_pids_max", "7"), "/bin/sh", "-c",
                MY_CG + "grep '^0::' /proc/self/cgroup; cat $d/pids.max");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Detected cgroups version: 2"), r::describe);
        assertTrue(r.stderr().contains("cgroupv2:true"), r::describe);
        assertTrue(r.stdoutLines().get(0).matches("0::/NSJAIL\\.\\d+\\.1"), r::describe);
        assertEquals("7", r.stdoutLines().get(1), r::describe);
    }

    @Test
    void detectOnAnotherFileSystemMeansV1() {
        Result r = jail(List.of("--detect_cgroupv2", "--cgroupv2_mount", "/tmp"), "/bin/true");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Detected cgroups version: 1"), r::describe);
        assertTrue(r.stderr().contains("cgroupv2:false"), r::describe);
    }

    @Test
    void v1LimitsOnAPureV2HostAreOneLineError() {
        Result r = jail(List.of("-q", "--cgroup_pids_max", "10"), "/bin/true");
        SeccompJailTest.fatalOneLine(r, "/sys/fs/cgroup/pids");
        assertFalse(Files.exists(CG.resolve("pids")), r::describe);
    }

    // ---- delegation: cgroup.subtree_control and the supervisor's own move

    @Test
    void controllersAreEnabledInAnEmptyParent() throws IOException {
        Path p = cgroup(CG, "jnsjail-vm-parent");
        assertEquals("", read(p.resolve("cgroup.subtree_control")).strip());
        Result r = jail(List.of("--use_cgroupv2", "--cgroupv2_mount", p.toString(), "--disable_clone_newcgroup",
                "--cgroup_pids_max", "10", "--cgroup_mem_max", Long.toString(MEM)), "/bin/sh", "-c",
                "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().strip().matches("0::/" + p.getFileName() + "/NSJAIL\\.\\d+\\.1"), r::describe);
        assertEquals(Set.of("memory", "pids"), Set.of(read(p.resolve("cgroup.subtree_control")).strip().split(" ")));
        assertFalse(r.stderr().contains("moving itself"), r::describe);
    }

    /** The supervisor started inside the parent it is given (as with a delegated subtree): "no internal processes". */
    private Result inParent(NsjailCli cli, Path p, List<String> opts, String... cmd) {
        return cli.wrappedBy(List.of("/bin/sh", "-c", "echo $$ > " + p + "/cgroup.procs && exec \"$@\"", "sh"))
                .args(args(opts, cmd)).timeout(Duration.ofSeconds(60)).run();
    }

    private void supervisorInTheParentMovesItself(NsjailCli cli) throws IOException {
        Path p = cgroup(CG, "jnsjail-vm-busy");
        Result r = inParent(cli, p, List.of("--use_cgroupv2", "--cgroupv2_mount", p.toString(), "--disable_clone_newcgroup",
                "--cgroup_pids_max", "10"), "/bin/sh", "-c", "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        Matcher m = Pattern.compile("nsjail is moving itself to a new child cgroup: " + Pattern.quote(p.toString())
                + "/NSJAIL_SELF\\.(\\d+)").matcher(r.stderr());
        assertTrue(m.find(), r::describe);
        assertTrue(r.stdout().strip().matches("0::/" + p.getFileName() + "/NSJAIL\\.\\d+\\.1"), r::describe);
        assertTrue(read(p.resolve("cgroup.subtree_control")).contains("pids"), r::describe);
        // As nsjail: NSJAIL_SELF.<pid> stays (empty now that the supervisor is gone).
        Path self = p.resolve("NSJAIL_SELF." + m.group(1));
        assertTrue(Files.isDirectory(self), r::describe);
        assertEquals("", read(self.resolve("cgroup.procs")).strip(), r::describe);
    }

    @Test
    void supervisorInTheParentMovesItselfToNsjailSelf() throws IOException {
        supervisorInTheParentMovesItself(NsjailCli.as(RunAs.ROOT).cold());
    }

    @Test
    void supervisorInTheParentMovesItselfToNsjailSelfWhenServed() throws IOException {
        supervisorInTheParentMovesItself(NsjailCli.as(RunAs.ROOT).served());
    }

    @Test
    void aControllerTheParentLacksIsOneLineError() throws IOException {
        Path q = cgroup(CG, "jnsjail-vm-pidsonly");
        Files.writeString(q.resolve("cgroup.subtree_control"), "+pids");
        Path p = cgroup(q, "inner");
        Result r = jail(List.of("-q", "--use_cgroupv2", "--cgroupv2_mount", p.toString(), "--cgroup_cpu_ms_per_sec", "100"),
                "/bin/true");
        SeccompJailTest.fatalOneLine(r, "Could not enable the 'cpu' controller in '" + p + "/cgroup.subtree_control': "
                + "No such file or directory (the controllers available there are: 'pids')");
    }

    @Test
    void unprivilegedCallerOnTheRootGetsOneClearError() {
        RunAs.NOBODY.assume();
        Result r = NsjailCli.as(RunAs.NOBODY).args("-q", "-Mo", "--chroot", "/", "--use_cgroupv2", "--cgroup_pids_max", "10",
                "--", "/bin/true").run();
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Could not set up the jail's cgroup: mkdir('/sys/fs/cgroup/NSJAIL."), r::describe);
        assertTrue(r.stderr().contains("Permission denied"), r::describe);
    }

    /** Rootless on a systemd host: a subtree delegated to the user (its directory and files chowned), the supervisor in it. */
    @Test
    void unprivilegedCallerInADelegatedSubtree() throws IOException {
        RunAs.NOBODY.assume();
        Path d = cgroup(CG, "jnsjail-vm-delegated");
        for (Path f : List.of(d, d.resolve("cgroup.procs"), d.resolve("cgroup.subtree_control"), d.resolve("cgroup.threads"))) {
            TestServers.chown(f, ItEnv.NOBODY_ID, ItEnv.NOBODY_ID);
        }
        Result r = inParent(NsjailCli.as(RunAs.NOBODY).cold(), d, List.of("--use_cgroupv2", "--cgroupv2_mount", d.toString(),
                "--disable_clone_newcgroup", "--cgroup_pids_max", "10", "--cgroup_mem_max", Long.toString(MEM)), "/bin/sh", "-c",
                MY_CG + "grep '^0::' /proc/self/cgroup; cat $d/pids.max $d/memory.max; id -u");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("nsjail is moving itself to a new child cgroup: " + d + "/NSJAIL_SELF."), r::describe);
        List<String> out = r.stdoutLines();
        assertTrue(out.get(0).matches("0::/" + d.getFileName() + "/NSJAIL\\.\\d+\\.1"), r::describe);
        assertEquals(List.of("10", Long.toString(MEM)), out.subList(1, 3), r::describe);
    }

    // ---- removal on every path

    @Test
    void timeLimitKillsAndRemoves() {
        Result r = jail(v2("-t", "1", "--cgroup_pids_max", "10"), "/bin/sleep", "100");
        assertEquals(137, r.exitCode(), r::describe);
    }

    @Test
    void processesLeftInTheCgroupAreKilledSoItCanBeRemoved() {
        // Without a PID namespace the jail's background child outlives it, inside its cgroup.
        // (No /proc of its own then: the jail's user namespace does not own the PID namespace.)
        Result r = jail(v2("--disable_clone_newpid", "--disable_proc", "--cgroup_pids_max", "10"), "/bin/sh", "-c",
                "sleep 1000 & echo $!");
        assertEquals(0, r.exitCode(), r::describe);
        Path proc = Path.of("/proc", r.stdout().strip());
        await(() -> !Files.exists(proc) || read(proc.resolve("stat")).contains(") Z "), Duration.ofSeconds(10),
                "the leftover sleep to be killed");
    }

    @Test
    void killedSupervisorsCgroupIsSweptByTheNextRun() {
        Path left;
        try (Running run = NsjailCli.as(RunAs.ROOT).cold().args(args(v2("--cgroup_pids_max", "10"), "/bin/sh", "-c",
                "echo up; exec sleep 1000")).start()) {
            run.awaitStdout(s -> s.contains("up"), Duration.ofSeconds(60), "the jail");
            left = CG.resolve("NSJAIL." + run.pid() + ".1");
            assertTrue(Files.isDirectory(left), run::stderrSoFar);
            run.signal(9);
            Result r = run.await(Duration.ofSeconds(30));
            assertEquals(137, r.exitCode(), r::describe);
        }
        // The jail dies with its supervisor (PR_SET_PDEATHSIG); the cgroup stays behind.
        await(() -> read(left.resolve("cgroup.procs")).isBlank(), Duration.ofSeconds(10), "the jail to die");
        assertTrue(Files.isDirectory(left));
        Result next = jail(v2(), "/bin/true");
        assertEquals(0, next.exitCode(), next::describe);
        assertTrue(next.stderr().contains("Removed cgroup '" + left + "' left behind by a supervisor that did not clean up"),
                next::describe);
        assertFalse(Files.exists(left), next::describe);
    }

    @Test
    void killedClientsJailAndCgroupAreRemovedByTheServer() {
        Path cg;
        try (Running run = NsjailCli.as(RunAs.ROOT).served().args(args(v2("--cgroup_pids_max", "10"), "/bin/sh", "-c",
                "echo up; exec sleep 1000")).start()) {
            run.awaitStdout(s -> s.contains("up"), Duration.ofSeconds(60), "the jail");
            cg = CG.resolve("NSJAIL." + run.pid() + ".1");
            assertTrue(Files.isDirectory(cg), run::stderrSoFar);
            run.signal(9);
            run.await(Duration.ofSeconds(30));
        }
        await(() -> !Files.exists(cg), Duration.ofSeconds(30), cg + " to be removed");
    }

    @Test
    void execveModeLeavesItsCgroupForTheNextSweep() {
        Result r = NsjailCli.as(RunAs.ROOT).args("-Me", "--chroot", "/", "--use_cgroupv2", "--cgroup_pids_max", "10",
                "--disable_clone_newcgroup", "--", "/bin/sh", "-c", "grep '^0::' /proc/self/cgroup; echo $$")
                .timeout(Duration.ofSeconds(60)).run();
        assertEquals(0, r.exitCode(), r::describe);
        String pid = r.stdoutLines().get(1);
        assertEquals("0::/NSJAIL." + pid, r.stdoutLines().get(0), r::describe);
        Path left = CG.resolve("NSJAIL." + pid);
        assertTrue(Files.isDirectory(left), "-Me cannot clean up after itself");
        Result next = jail(v2(), "/bin/true");
        assertEquals(0, next.exitCode(), next::describe);
        assertTrue(next.stderr().contains("Removed cgroup '" + left + "'"), next::describe);
        assertFalse(Files.exists(left), next::describe);
    }

    @Test
    void listenGivesEachConnectionItsOwnCgroup() throws IOException {
        try (Running srv = NsjailCli.as(RunAs.ROOT).args("-Ml", "--port", "0", "--chroot", "/", "--use_cgroupv2",
                "--cgroup_pids_max", "20", "--disable_clone_newcgroup", "--", "/bin/sh", "-c",
                MY_CG + "grep '^0::' /proc/self/cgroup; cat $d/pids.max; read x").timeout(Duration.ofMinutes(3)).start()) {
            await(() -> srv.stderrSoFar().contains("Listening on"), Duration.ofSeconds(60), "'Listening on'");
            Matcher m = Pattern.compile("Listening on \\[[^\\]]*\\]:(\\d+)").matcher(srv.stderrSoFar());
            assertTrue(m.find(), srv::stderrSoFar);
            int port = Integer.parseInt(m.group(1));
            try (Socket a = connect(port); Socket b = connect(port)) {
                String ca = readLine(a.getInputStream()), cb = readLine(b.getInputStream());
                assertEquals("20", readLine(a.getInputStream()));
                assertEquals("20", readLine(b.getInputStream()));
                assertTrue(ca.matches("0::/NSJAIL\\." + srv.pid() + "\\.\\d+"), ca);
                assertTrue(cb.matches("0::/NSJAIL\\." + srv.pid() + "\\.\\d+"), cb);
                assertNotEquals(ca, cb);
                Path da = CG.resolve(ca.substring(4)), db = CG.resolve(cb.substring(4));
                assertTrue(Files.isDirectory(da) && Files.isDirectory(db));
                a.getOutputStream().write("bye\n".getBytes());
                await(() -> !Files.exists(da), Duration.ofSeconds(30), da + " to be removed after its connection");
                assertTrue(Files.isDirectory(db), "the other connection's cgroup stays while it runs");
            }
            srv.signal(15);
            Result r = srv.await(Duration.ofSeconds(30));
            assertEquals(0, r.exitCode(), "LISTEN ends with 0 on SIGTERM, as nsjail\n" + r.describe());
            assertTrue(r.stderr().contains("Server stops due to fatal signal (15) caught. Exiting"), r::describe);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout((int) NsjailCli.scaled(Duration.ofSeconds(20)).toMillis());
        return s;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n';) b.append((char) c);
        return b.toString();
    }
}
