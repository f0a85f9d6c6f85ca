package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cgroups in real jails (reference §1.13, §3.15): v1 memory, pids and cpu as mounted on this
 * machine, and what cgroup v2 allows here (the cgroup2 mount has no memory/pids/cpu controller).
 * Every test checks that it left no NSJAIL.* cgroup behind.
 */
class CgroupTest {
    static final Path CG = Path.of("/sys/fs/cgroup");
    static final List<Path> V1_PARENTS = List.of(CG.resolve("memory/NSJAIL"), CG.resolve("pids/NSJAIL"),
            CG.resolve("cpu/NSJAIL"), CG.resolve("net_cls/NSJAIL"));
    static final Path V2 = CG.resolve("unified");
    static final Pattern JAIL_CGROUP = Pattern.compile("NSJAIL\\.\\d+(\\.\\d+)?");

    private Set<Path> before;

    @BeforeEach
    void snapshot() {
        RunAs.ROOT.assume();
        before = jailCgroups();
    }

    /** Only what this test made counts: other runs on the machine may have live jails. */
    @AfterEach
    void nothingLeftBehind() {
        if (before == null) return;
        Set<Path> now = jailCgroups();
        now.removeAll(before);
        assertEquals(Set.of(), now, "cgroups left behind");
    }

    static Set<Path> jailCgroups() {
        Set<Path> out = new TreeSet<>();
        List<Path> dirs = new ArrayList<>(V1_PARENTS);
        dirs.add(V2);
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> JAIL_CGROUP.matcher(p.getFileName().toString()).matches()).forEach(out::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    static void assumeV1(String controller) {
        Path m = CG.resolve(controller);
        try {
            if (Files.isDirectory(m) && Files.readString(Path.of("/proc/self/mounts")).contains(" " + m + " cgroup ")) return;
        } catch (IOException e) {
            // fall through
        }
        Assumptions.abort("the cgroup v1 '" + controller + "' controller is not mounted at " + m + " on this machine");
    }

    static Result jail(List<String> opts, String... cmd) {
        List<String> a = new ArrayList<>(List.of("-Mo", "--chroot", "/"));
        a.addAll(opts);
        a.add("--");
        a.addAll(List.of(cmd));
        return NsjailCli.as(RunAs.ROOT).args(a).timeout(Duration.ofSeconds(40)).run();
    }

    /**
     * Issue #18 item 4: a missing parent is created (jnsjail's improvement over nsjail, which fails:
     * observed with the reference build, `--cgroup_mem_parent NSJAIL_missing` gave "mkdir('/sys/fs/cgroup/
     * memory/NSJAIL_missing/NSJAIL.<pid>', 0700) failed: No such file or directory" and "Launching child
     * process failed"), and what was created is removed again at exit, as the log says.
     */
    @Test
    void createdParentIsRemovedAtExit() {
        assumeV1("pids");
        String top = "JNSJAIL_IT_CREATED_" + ProcessHandle.current().pid();
        Path topDir = CG.resolve("pids").resolve(top);
        try {
            Result r = jail(List.of("--cgroup_pids_max", "10", "--cgroup_pids_parent", top + "/inner"), "/bin/true");
            assertEquals(0, r.exitCode(), r::describe);
            assertTrue(r.stderr().contains("Created the cgroup parent '" + topDir + "'"), r::describe);
            assertTrue(r.stderr().contains("Created the cgroup parent '" + topDir.resolve("inner") + "'"), r::describe);
            int inner = r.stderr().indexOf("Removed the cgroup parent '" + topDir.resolve("inner") + "'");
            int outer = r.stderr().indexOf("Removed the cgroup parent '" + topDir + "'");
            assertTrue(inner >= 0 && outer > inner, r::describe);
            assertFalse(Files.exists(topDir), r::describe);
        } finally {
            for (Path p : List.of(topDir.resolve("inner"), topDir)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // reported by the assertion above
                }
            }
        }
    }

    /**
     * Issue #18 item 8: -v shows the cgroup paths. nsjail d6454b4 `-v --cgroup_pids_max 10` (pids/NSJAIL
     * present) logged "Create '/sys/fs/cgroup/pids/NSJAIL/NSJAIL.N' for pid=N", "Setting
     * '/sys/fs/cgroup/pids/NSJAIL/NSJAIL.N/pids.max' to '10'", "Adding pid='N' to '.../NSJAIL.N/tasks'" after
     * the clone flags and before the id maps, and "Remove '/sys/fs/cgroup/pids/NSJAIL/NSJAIL.N'" after the jail
     * ended. jnsjail: the same facts, in the same places (its own wording).
     */
    @Test
    void verboseShowsTheCgroupPaths() {
        assumeV1("pids");
        Result r = jail(List.of("-v", "--cgroup_pids_max", "10"), "/bin/true");
        assertEquals(0, r.exitCode(), r::describe);
        List<String> d = r.stderrLines().stream().filter(l -> l.startsWith("[D]")).toList();
        Matcher m = Pattern.compile("Create '(/sys/fs/cgroup/pids/NSJAIL/NSJAIL\\.(\\d+))' for pid=(\\d+)").matcher(r.stderr());
        assertTrue(m.find(), r::describe);
        String cg = m.group(1);
        assertEquals(m.group(2), m.group(3), r::describe);
        List<String> order = List.of("Created pid=", "Create '" + cg + "'", "Setting 'pids.max' to '10' in '" + cg + "'",
                "Adding pid=" + m.group(3) + " to '" + cg + "/cgroup.procs'", "Writing '", "Exec: ", "Remove '" + cg + "'");
        int at = 0;
        for (String want : order) {
            int found = -1;
            for (int i = at; i < d.size() && found < 0; i++) if (d.get(i).contains(want)) found = i;
            assertTrue(found >= 0, () -> "missing, or out of nsjail's order: " + want + "\n" + r.describe());
            at = found + 1;
        }
    }

    @Test
    void allocatingPastMemMaxIsOomKilledAndReported() {
        assumeV1("memory");
        Result r = jail(List.of("--cgroup_mem_max", "50000000", "--rlimit_as", "inf"), "/bin/sh", "-c",
                "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}");
        assertEquals(137, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("was killed by the OOM killer (cgroup memory limit reached)"), r::describe);
    }

    @Test
    void underMemMaxRuns() {
        assumeV1("memory");
        Result r = jail(List.of("--cgroup_mem_max", "50000000", "--rlimit_as", "inf"), "/bin/sh", "-c",
                "x=$(head -c 2000000 /dev/zero | tr '\\0' a); echo ${#x}");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("2000000", r.stdout().strip(), r::describe);
        assertFalse(r.stderr().contains("OOM"), r::describe);
    }

    @Test
    void memswFromSwapIsWritten() {
        assumeV1("memory");
        Assumptions.assumeTrue(Files.exists(CG.resolve("memory/memory.memsw.limit_in_bytes")),
                "swap accounting is off (no memory.memsw.limit_in_bytes)");
        Result r = jail(List.of("--cgroup_mem_max", "50003968", "--cgroup_mem_swap_max", "4096", "--disable_clone_newcgroup"),
                "/bin/sh", "-c", "d=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup); "
                        + "cat $d/memory.limit_in_bytes $d/memory.memsw.limit_in_bytes $d/memory.oom_control");
        assertEquals(0, r.exitCode(), r::describe);
        List<String> lines = r.stdoutLines();
        assertEquals("50003968", lines.get(0), r::describe);
        assertEquals("50008064", lines.get(1), "memsw = mem + swap\n" + r.describe());
        assertEquals("oom_kill_disable 0", lines.get(2), r::describe);
    }

    @Test
    void pidsMaxStopsAForkLoop() {
        assumeV1("pids");
        Result r = jail(List.of("--cgroup_pids_max", "10"), "/bin/sh", "-c",
                "for i in $(seq 50); do sleep 2 & done; wait; echo all-started");
        assertNotEquals(0, r.exitCode(), r::describe);
        assertFalse(r.stdout().contains("all-started"), r::describe);
        assertTrue(r.stderr().contains("fork"), r::describe);
        assertTrue(r.millis() < 20_000, r::describe);
    }

    @Test
    void cpuMsPerSecHoldsABusyLoopNearTenPercent() {
        assumeV1("cpu");
        // dash's `times`: the second line is the CPU time of the reaped children (the busy loop).
        Result r = jail(List.of("--cgroup_cpu_ms_per_sec", "100"), "/bin/sh", "-c",
                "timeout 3 /bin/sh -c 'while :; do :; done'; times");
        assertEquals(0, r.exitCode(), r::describe);
        Matcher m = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s").matcher(r.stdoutLines().get(1));
        assertTrue(m.matches(), r::describe);
        double cpu = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
        // 3 s at 100 ms per second is ~0.3 s; unthrottled it would be ~3 s.
        assertTrue(cpu < 0.9, "busy loop used " + cpu + " s of CPU in 3 s\n" + r.describe());
        assertTrue(cpu > 0.05, "busy loop used " + cpu + " s of CPU in 3 s\n" + r.describe());
    }

    @Test
    void netClsClassid() {
        assumeV1("net_cls");
        Result r = jail(List.of("--cgroup_net_cls_classid", "0x100001", "--disable_clone_newcgroup"), "/bin/sh", "-c",
                "cat /sys/fs/cgroup/net_cls$(sed -n 's/^[0-9]*:net_cls[^:]*://p' /proc/self/cgroup)/net_cls.classid");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(Integer.toString(0x100001), r.stdout().strip(), r::describe);
    }

    @Test
    void jailIsInItsCgroupsBeforeItRuns() {
        assumeV1("pids");
        assumeV1("memory");
        Result r = jail(List.of("--cgroup_pids_max", "10", "--cgroup_mem_max", "100000000", "--disable_clone_newcgroup"),
                "/bin/sh", "-c", "grep -e pids -e memory /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(Pattern.compile("(?m)^\\d+:pids:/NSJAIL/NSJAIL\\.\\d+$").matcher(r.stdout()).find(), r::describe);
        assertTrue(Pattern.compile("(?m)^\\d+:memory:/NSJAIL/NSJAIL\\.\\d+$").matcher(r.stdout()).find(), r::describe);
    }

    @Test
    void bothMemswAndSwapIsOneLineError() {
        Result r = jail(List.of("--cgroup_mem_memsw_max", "100000000", "--cgroup_mem_swap_max", "0"), "/bin/true");
        SeccompJailTest.fatalOneLine(r, "cannot set both cgroup_mem_memsw_max and cgroup_mem_swap_max");
    }

    @Test
    void staleCgroupOfAKilledSupervisorIsRemoved() throws Exception {
        assumeV1("pids");
        Process p = new ProcessBuilder("/bin/true").start();
        p.waitFor();
        Path stale = CG.resolve("pids/NSJAIL/NSJAIL." + p.pid()); // that pid is gone now
        Files.createDirectories(stale);
        try {
            Result r = jail(List.of("--cgroup_pids_max", "10"), "/bin/true");
            assertEquals(0, r.exitCode(), r::describe);
            assertFalse(Files.exists(stale), r::describe);
            assertTrue(r.stderr().contains("Removed cgroup '" + stale + "'"), r::describe);
        } finally {
            if (Files.exists(stale)) Files.delete(stale);
        }
    }

    @Test
    void execveModeMovesItselfAndTheNextSupervisorSweeps() {
        assumeV1("pids");
        Result r = NsjailCli.as(RunAs.ROOT).args("-Me", "--chroot", "/", "--cgroup_pids_max", "10",
                "--disable_clone_newcgroup", "--", "/bin/sh", "-c", "grep pids /proc/self/cgroup; echo $$").run();
        assertEquals(0, r.exitCode(), r::describe);
        String pid = r.stdoutLines().get(1);
        assertTrue(r.stdoutLines().get(0).endsWith(":pids:/NSJAIL/NSJAIL." + pid), r::describe);
        Path left = CG.resolve("pids/NSJAIL/NSJAIL." + pid);
        assertTrue(Files.isDirectory(left), "-Me cannot clean up after itself");
        Result next = jail(List.of("--cgroup_pids_max", "10"), "/bin/true");
        assertEquals(0, next.exitCode(), next::describe);
        assertFalse(Files.exists(left), next::describe);
    }

    @Test
    void unprivilegedCallerGetsOneClearError() {
        assumeV1("pids");
        RunAs.NOBODY.assume();
        // The parent exists (made by root, 0700), so nobody cannot create its jail's cgroup there.
        jail(List.of("--cgroup_pids_max", "10"), "/bin/true");
        Result r = NsjailCli.as(RunAs.NOBODY).args("-q", "-Mo", "--chroot", "/", "--cgroup_pids_max", "10", "--", "/bin/true").run();
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Could not set up the jail's cgroup: mkdir('/sys/fs/cgroup/pids/NSJAIL/NSJAIL."),
                r::describe);
        assertTrue(r.stderr().contains("Permission denied"), r::describe);
    }

    @Test
    void configFileSetsCgroups(@TempDir Path dir) throws IOException {
        assumeV1("pids");
        Path cfg = dir.resolve("pids.cfg");
        Files.writeString(cfg, "cgroup_pids_max: 3\nmount_proc: true\n");
        Result r = NsjailCli.as(RunAs.ROOT).args("-Mo", "-C", cfg.toString(), "--chroot", "/", "--disable_clone_newcgroup",
                "--", "/bin/sh", "-c", "cat /sys/fs/cgroup/pids$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup)/pids.max").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("3", r.stdout().strip(), r::describe);
    }

    // ---- cgroup v2: only what a cgroup2 mount without memory/pids/cpu controllers allows

    static void assumeV2() {
        try {
            if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + V2 + " cgroup2 ")) return;
        } catch (IOException e) {
            // fall through
        }
        Assumptions.abort("no cgroup2 file system at " + V2 + " on this machine");
    }

    @Test
    void v2JailIsClonedIntoItsOwnCgroup() {
        assumeV2();
        Result r = jail(List.of("--use_cgroupv2", "--cgroupv2_mount", V2.toString(), "--disable_clone_newcgroup"),
                "/bin/sh", "-c", "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().strip().matches("0::/NSJAIL\\.\\d+\\.1"), r::describe);
        assertTrue(r.stderr().contains("cgroupv2:true"), r::describe);
    }

    @Test
    void v2CgroupNamespaceIsRootedAtTheJailsCgroup() {
        assumeV2();
        // CLONE_INTO_CGROUP: the new cgroup namespace is created with the jail already inside its cgroup.
        Result r = jail(List.of("--use_cgroupv2", "--cgroupv2_mount", V2.toString()), "/bin/sh", "-c",
                "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("0::/", r.stdout().strip(), r::describe);
    }

    @Test
    void v2DetectFindsTheCgroup2Mount() {
        assumeV2();
        Result r = jail(List.of("--detect_cgroupv2", "--cgroupv2_mount", V2.toString(), "--disable_clone_newcgroup"),
                "/bin/sh", "-c", "grep '^0::' /proc/self/cgroup");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Detected cgroups version: 2"), r::describe);
        assertTrue(r.stdout().strip().matches("0::/NSJAIL\\.\\d+\\.1"), r::describe);

        Result v1 = jail(List.of("--detect_cgroupv2", "--cgroupv2_mount", CG.toString()), "/bin/true");
        assertEquals(0, v1.exitCode(), v1::describe);
        assertTrue(v1.stderr().contains("Detected cgroups version: 1"), v1::describe);
        assertTrue(v1.stderr().contains("cgroupv2:false"), v1::describe);
    }

    @Test
    void v2OnAMountThatIsNoCgroup2FsIsRefused() throws IOException {
        Path tmpfs = CG; // a tmpfs holding the v1 mounts on this machine
        Assumptions.assumeFalse(Files.readString(Path.of("/proc/self/mounts")).contains(" " + tmpfs + " cgroup2 "),
                tmpfs + " is a cgroup2 mount here");
        Result r = jail(List.of("-q", "--use_cgroupv2", "--cgroupv2_mount", tmpfs.toString()), "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("'" + tmpfs + "' is not a cgroup2 file system (see --cgroupv2_mount)"), r::describe);
    }

    @Test
    void v2MissingControllerFailsCleanly() throws IOException {
        assumeV2();
        String available = Files.readString(V2.resolve("cgroup.controllers")).strip();
        Assumptions.assumeFalse(available.contains("pids"), "this cgroup2 mount has the pids controller");
        Result r = jail(List.of("-q", "--use_cgroupv2", "--cgroupv2_mount", V2.toString(), "--cgroup_pids_max", "5"),
                "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Could not enable the 'pids' controller in '" + V2 + "/cgroup.subtree_control'"),
                r::describe);
        assertTrue(r.stderr().contains("the controllers available there are: '" + available + "'"), r::describe);
    }
}
