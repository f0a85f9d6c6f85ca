package org.jnsjail.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailStatus;
import org.jnsjail.model.JailResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cgroup resources against a temporary directory tree that follows the kernel's rules (see {@link TempCgroupHost}). */
class CgroupResourceTest {
    @TempDir
    Path root;
    TempCgroupHost h;
    CgroupSession session;

    static final int JAIL = 4242;

    @BeforeEach
    void setUp() throws IOException {
        h = new TempCgroupHost(root);
        session = new CgroupSession(h);
        for (String c : List.of("memory", "pids", "cpu", "net_cls")) h.cgroup(root.resolve(c), "", 1, h.self);
        h.cgroup(root.resolve("unified"), "memory pids cpu hugetlb", 1);
    }

    CgroupLimits v1(long mem, long memsw, long swap, long pids, long netCls, long cpu) {
        return new CgroupLimits(mem, memsw, swap, root + "/memory", "NSJAIL", pids, root + "/pids", "NSJAIL", netCls,
                root + "/net_cls", "NSJAIL", cpu, root + "/cpu", "NSJAIL", root + "/unified", false, false);
    }

    CgroupLimits v2(long mem, long swap, long pids, long cpu) {
        return new CgroupLimits(mem, 0, swap, root + "/memory", "NSJAIL", pids, root + "/pids", "NSJAIL", 0,
                root + "/net_cls", "NSJAIL", cpu, root + "/cpu", "NSJAIL", root + "/unified", true, false);
    }

    String read(String rel) throws IOException {
        return Files.readString(root.resolve(rel)).strip();
    }

    /** What a clone does in the kernel: the new process appears in its parent's cgroups. */
    void cloneJail() throws IOException {
        for (String c : List.of("memory", "pids", "cpu", "net_cls")) {
            Path procs = root.resolve(c).resolve("cgroup.procs");
            Files.writeString(procs, Files.readString(procs) + JAIL + "\n");
        }
        h.alive.add(JAIL);
    }

    /** The jail exits and is reaped: it leaves every cgroup. */
    void reap() throws IOException {
        h.alive.remove(JAIL);
        h.removeFrom(root, JAIL);
    }

    @Test
    void v1FullLifecycle() throws Exception {
        JailResource r = Cgroups.forJail(v1(50_000_000, 0, 10_000_000, 10, 0x10, 100), session, false);
        assertInstanceOf(V1JailCgroups.class, r);
        assertEquals(-1, r.prepare(), "v1 has no cgroup fd for clone3");
        for (String c : List.of("memory", "pids", "cpu", "net_cls")) {
            assertTrue(Files.isDirectory(root.resolve(c + "/NSJAIL")), "missing parent created: " + c);
        }
        cloneJail();
        r.attach(JAIL);
        assertEquals("0", read("memory/NSJAIL/NSJAIL.4242/memory.oom_control"));
        assertEquals("50000000", read("memory/NSJAIL/NSJAIL.4242/memory.limit_in_bytes"));
        assertEquals("60000000", read("memory/NSJAIL/NSJAIL.4242/memory.memsw.limit_in_bytes"));
        assertEquals("10", read("pids/NSJAIL/NSJAIL.4242/pids.max"));
        assertEquals("0x10", read("net_cls/NSJAIL/NSJAIL.4242/net_cls.classid"));
        assertEquals("1000000", read("cpu/NSJAIL/NSJAIL.4242/cpu.cfs_period_us"));
        assertEquals("100000", read("cpu/NSJAIL/NSJAIL.4242/cpu.cfs_quota_us"));
        for (String c : List.of("memory", "pids", "cpu", "net_cls")) {
            assertEquals(Set.of(JAIL), h.pids(root.resolve(c + "/NSJAIL/NSJAIL.4242")), c);
            assertFalse(h.pids(root.resolve(c)).contains(JAIL), "moved out of the parent's cgroup: " + c);
        }
        // limits before the pid, per controller
        int lastLimit = -1, firstPid = Integer.MAX_VALUE;
        for (int i = 0; i < h.writes.size(); i++) {
            if (h.writes.get(i).contains("cgroup.procs")) firstPid = Math.min(firstPid, i);
            else lastLimit = i;
        }
        assertTrue(lastLimit < firstPid, h.writes::toString);

        Files.writeString(root.resolve("memory/NSJAIL/NSJAIL.4242/memory.oom_control"),
                "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        reap();
        r.reaped(JailStatus.killed(9));
        r.release();
        for (String c : List.of("memory", "pids", "cpu", "net_cls")) {
            assertFalse(Files.exists(root.resolve(c + "/NSJAIL/NSJAIL.4242")), "removed: " + c);
            assertTrue(Files.isDirectory(root.resolve(c + "/NSJAIL")), "the parent stays: " + c);
        }
    }

    /**
     * Issue #18 item 4: the parents jnsjail made because they were missing are removed at the supervisor's
     * exit when empty (deepest first), and kept while another cgroup is inside; nested parents are made
     * one level at a time. (nsjail refuses a missing parent: "mkdir(...) failed: No such file or directory",
     * observed with the reference build for --cgroup_mem_parent NSJAIL_missing.)
     */
    @Test
    void createdParentsAreRemovedAtExitWhenEmpty() throws Exception {
        CgroupLimits l = new CgroupLimits(0, 0, -1, root + "/memory", "NSJAIL", 10, root + "/pids", "A/B", 0,
                root + "/net_cls", "NSJAIL", 0, root + "/cpu", "NSJAIL", root + "/unified", false, false);
        JailResource r = Cgroups.forJail(l, session, false);
        r.prepare();
        assertTrue(Files.isDirectory(root.resolve("pids/A/B")));
        cloneJail();
        r.attach(JAIL);
        // Another supervisor's jail cgroup under A keeps A, not B.
        h.cgroup(root.resolve("pids/A/other"), "");
        reap();
        r.release();
        session.removeCreatedParents();
        assertFalse(Files.exists(root.resolve("pids/A/B")), "empty created parent removed");
        assertTrue(Files.isDirectory(root.resolve("pids/A")), "a parent that still holds a cgroup stays");
        assertTrue(Files.isDirectory(root.resolve("pids")), "the mount itself is never touched");
        // A second call has nothing left to do.
        session.removeCreatedParents();
        assertTrue(Files.isDirectory(root.resolve("pids/A")));
    }

    /** A parent that existed before is never removed. */
    @Test
    void existingParentsStay() throws Exception {
        h.cgroup(root.resolve("pids/NSJAIL"), "");
        JailResource r = Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false);
        r.prepare();
        cloneJail();
        r.attach(JAIL);
        reap();
        r.release();
        session.removeCreatedParents();
        assertTrue(Files.isDirectory(root.resolve("pids/NSJAIL")));
    }

    @Test
    void v1WithoutLimitsMakesNothing() {
        assertNull(Cgroups.forJail(v1(0, 0, -1, 0, 0, 0), session, false));
    }

    @Test
    void v1NestedParentIsCreated() throws Exception {
        var l = new CgroupLimits(0, 0, -1, root + "/memory", "NSJAIL", 5, root + "/pids", "outer/inner", 0,
                root + "/net_cls", "NSJAIL", 0, root + "/cpu", "NSJAIL", root + "/unified", false, false);
        JailResource r = Cgroups.forJail(l, session, false);
        r.prepare();
        cloneJail();
        r.attach(JAIL);
        assertEquals("5", read("pids/outer/inner/NSJAIL.4242/pids.max"));
        assertFalse(Files.exists(root.resolve("memory/NSJAIL")), "unused controllers get no parent");
        reap();
        r.release();
        assertFalse(Files.exists(root.resolve("pids/outer/inner/NSJAIL.4242")));
    }

    @Test
    void v1MissingMountIsOneLine() {
        var l = new CgroupLimits(0, 0, -1, root + "/memory", "NSJAIL", 0, root + "/pids", "NSJAIL", 7,
                root + "/nowhere", "NSJAIL", 0, root + "/cpu", "NSJAIL", root + "/unified", false, false);
        JailResource r = Cgroups.forJail(l, session, false);
        JailFailure e = assertThrows(JailFailure.class, r::prepare);
        assertTrue(e.getMessage().contains("'net_cls' hierarchy is not mounted") && e.getMessage().contains("--cgroup_net_cls_mount"),
                e.getMessage());
        r.release();
    }

    @Test
    void v1FailureHalfWayLeavesNothing() throws Exception {
        h.faults.put("pids.max", 22);
        JailResource r = Cgroups.forJail(v1(1 << 24, 0, -1, 10, 0, 100), session, false);
        r.prepare();
        cloneJail();
        JailFailure e = assertThrows(JailFailure.class, () -> r.attach(JAIL));
        assertTrue(e.getMessage().contains("pids.max"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        reap();
        r.release();
        assertEquals(List.of(), h.subdirs(root.resolve("memory/NSJAIL")));
        assertEquals(List.of(), h.subdirs(root.resolve("pids/NSJAIL")));
        assertFalse(Files.exists(root.resolve("cpu/NSJAIL/NSJAIL.4242")));
    }

    @Test
    void leftoverProcessesAreKilledSoTheCgroupGoes() throws Exception {
        JailResource r = Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false);
        r.prepare();
        cloneJail();
        r.attach(JAIL);
        // A child that outlived the jail (no PID namespace) still sits in the cgroup.
        h.alive.add(777);
        h.write(root.resolve("pids/NSJAIL/NSJAIL.4242/cgroup.procs"), "777");
        reap();
        r.release();
        assertEquals(List.of(777), h.killed);
        assertFalse(Files.exists(root.resolve("pids/NSJAIL/NSJAIL.4242")));
    }

    @Test
    void v2FullLifecycleWithCloneIntoCgroup() throws Exception {
        JailResource r = Cgroups.forJail(v2(50_000_000, 0, 10, 100), session, false);
        assertInstanceOf(V2JailCgroup.class, r);
        int fd = r.prepare();
        assertTrue(fd >= 0, "a cgroup fd for CLONE_INTO_CGROUP");
        Path dir = ((V2JailCgroup) r).dir();
        assertEquals(root.resolve("unified/NSJAIL.1000.1"), dir);
        assertEquals("memory pids cpu", read("unified/cgroup.subtree_control"));
        assertEquals("50000000", read("unified/NSJAIL.1000.1/memory.max"));
        assertEquals("0", read("unified/NSJAIL.1000.1/memory.swap.max"));
        assertEquals("10", read("unified/NSJAIL.1000.1/pids.max"));
        assertEquals("100000 1000000", read("unified/NSJAIL.1000.1/cpu.max"));
        // clone3(CLONE_INTO_CGROUP) put the jail there: attach writes nothing
        h.write(dir.resolve("cgroup.procs"), Integer.toString(JAIL));
        int before = h.writes.size();
        r.attach(JAIL);
        assertEquals(before, h.writes.size(), h.writes::toString);
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        reap();
        r.reaped(JailStatus.killed(9));
        r.release();
        assertFalse(Files.exists(dir));
        assertEquals(List.of(), StaleCgroups.find(h, root.resolve("unified")));
    }

    @Test
    void v2FallsBackToCgroupProcsWhenCloneDidNotUseTheFd() throws Exception {
        JailResource r = Cgroups.forJail(v2(0, -1, 4, 0), session, false);
        r.prepare();
        Path dir = ((V2JailCgroup) r).dir();
        h.write(root.resolve("unified/cgroup.procs"), Integer.toString(JAIL)); // cloned into the parent's cgroup
        r.attach(JAIL);
        assertEquals(Set.of(JAIL), h.pids(dir));
        assertEquals(Set.of(1), h.pids(root.resolve("unified")));
        reap();
        r.release();
        assertFalse(Files.exists(dir));
    }

    @Test
    void v2WithoutLimitsStillGetsACgroupAsNsjail() throws Exception {
        JailResource r = Cgroups.forJail(v2(0, -1, 0, 0), session, false);
        r.prepare();
        assertEquals("", read("unified/cgroup.subtree_control"), "no controller needed");
        assertTrue(Files.isDirectory(root.resolve("unified/NSJAIL.1000.1")));
        r.release();
        assertFalse(Files.exists(root.resolve("unified/NSJAIL.1000.1")));
        // names do not repeat within a supervisor
        JailResource r2 = Cgroups.forJail(v2(0, -1, 0, 0), session, false);
        r2.prepare();
        assertTrue(Files.isDirectory(root.resolve("unified/NSJAIL.1000.2")));
        r2.release();
    }

    @Test
    void v2MissingControllerNamesWhatIsThere() throws Exception {
        h.cgroup(root.resolve("unified"), "hugetlb", 1);
        JailResource r = Cgroups.forJail(v2(0, -1, 4, 0), session, false);
        JailFailure e = assertThrows(JailFailure.class, r::prepare);
        assertTrue(e.getMessage().contains("'pids' controller") && e.getMessage().contains("'hugetlb'"), e.getMessage());
        r.release();
        assertEquals(List.of(), h.subdirs(root.resolve("unified")));
    }

    @Test
    void v2NoInternalProcessRuleMovesTheSupervisor() throws Exception {
        // A delegated, non-root cgroup that holds the supervisor: enabling controllers there is EBUSY.
        Path deleg = h.cgroup(root.resolve("unified/deleg"), "memory pids cpu", h.self);
        var l = new CgroupLimits(1 << 24, 0, -1, "", "", 4, "", "", 0, "", "", 0, "", "", deleg.toString(), true, false);
        JailResource r = Cgroups.forJail(l, session, false);
        r.prepare();
        assertEquals(Set.of(h.self), h.pids(deleg.resolve("NSJAIL_SELF." + h.self)), "the supervisor moved itself");
        assertEquals(Set.of(), h.pids(deleg));
        assertEquals("memory pids", read("unified/deleg/cgroup.subtree_control"));
        assertEquals("16777216", read("unified/deleg/NSJAIL.1000.1/memory.max"));
        r.release();
        assertFalse(Files.exists(deleg.resolve("NSJAIL.1000.1")));
        assertTrue(Files.isDirectory(deleg.resolve("NSJAIL_SELF.1000")), "nsjail keeps it: the supervisor lives there");
    }

    /** Found in the test VM (issue 22): pids and cpu are threaded controllers, which the kernel enables without EBUSY. */
    @Test
    void v2ThreadedControllersAloneStillMoveTheSupervisor() throws Exception {
        Path deleg = h.cgroup(root.resolve("unified/deleg"), "memory pids cpu", h.self);
        var l = new CgroupLimits(0, 0, -1, "", "", 4, "", "", 0, "", "", 100, "", "", deleg.toString(), true, false);
        JailResource r = Cgroups.forJail(l, session, false);
        r.prepare();
        assertEquals(Set.of(h.self), h.pids(deleg.resolve("NSJAIL_SELF." + h.self)), "the supervisor moved itself");
        assertEquals("pids cpu", read("unified/deleg/cgroup.subtree_control"));
        // Had it stayed, deleg would be a thread root and this clone3(CLONE_INTO_CGROUP) EOPNOTSUPP.
        Path dir = ((V2JailCgroup) r).dir();
        h.write(dir.resolve("cgroup.procs"), Integer.toString(JAIL));
        r.attach(JAIL);
        assertEquals(Set.of(JAIL), h.pids(dir));
        reap();
        r.release();
        assertFalse(Files.exists(dir));
    }

    @Test
    void v2OthersInTheMountFailWithoutMovingTheSupervisor() throws Exception {
        h.cgroup(root.resolve("unified/elsewhere"), "memory pids cpu", h.self);
        Path deleg = h.cgroup(root.resolve("unified/deleg"), "memory pids cpu", 555);
        JailResource mem = Cgroups.forJail(v2In(deleg, 1 << 24, 0), session, false);
        JailFailure e = assertThrows(JailFailure.class, mem::prepare);
        assertTrue(e.getMessage().contains("Could not enable the 'memory' controller")
                && e.getMessage().contains("other processes live in '" + deleg + "'"), e.getMessage());
        mem.release();
        JailResource pids = Cgroups.forJail(v2In(deleg, 0, 4), session, false);
        e = assertThrows(JailFailure.class, pids::prepare);
        assertEquals("Cannot make the jails' cgroups in '" + deleg + "': other processes live in '" + deleg
                + "' (a cgroup that holds processes cannot give controllers to its children); move them out or pass a "
                + "delegated subtree as --cgroupv2_mount", e.getMessage());
        pids.release();
        assertEquals(List.of(), h.subdirs(deleg), "nsjail would have moved itself there for nothing");
        assertEquals(Set.of(h.self), h.pids(root.resolve("unified/elsewhere")));
    }

    @Test
    void v2AResidentServerNeverMovesItselfForItsClient() throws Exception {
        // The server (h.self) lives in the mount; its client 777 is the supervisor: the server stays put.
        Path deleg = h.cgroup(root.resolve("unified/deleg"), "memory pids cpu", h.self);
        JailResource r = Cgroups.forJail(v2In(deleg, 0, 4), new CgroupSession(h, 777), false);
        JailFailure e = assertThrows(JailFailure.class, r::prepare);
        assertTrue(e.getMessage().contains("other processes live in"), e.getMessage());
        r.release();
        assertEquals(Set.of(h.self), h.pids(deleg));
        assertEquals(List.of(), h.subdirs(deleg));
    }

    @Test
    void v2TheHierarchyRootMayHoldTheSupervisor() throws Exception {
        h.cgroup(root.resolve("unified"), "memory pids cpu", 1, h.self);
        JailResource r = Cgroups.forJail(v2(1 << 24, -1, 4, 0), session, false);
        r.prepare();
        assertEquals(Set.of(1, h.self), h.pids(root.resolve("unified")), "the root is exempt: nobody moves");
        assertEquals(List.of("NSJAIL.1000.1"), h.subdirs(root.resolve("unified")));
        r.release();
    }

    CgroupLimits v2In(Path mount, long mem, long pids) {
        return new CgroupLimits(mem, 0, -1, "", "", pids, "", "", 0, "", "", 0, "", "", mount.toString(), true, false);
    }

    @Test
    void v2NoInternalProcessRuleWithOthersInsideFails() throws Exception {
        Path deleg = h.cgroup(root.resolve("unified/deleg"), "memory pids cpu", h.self, 555);
        var l = new CgroupLimits(0, 0, -1, "", "", 4, "", "", 0, "", "", 0, "", "", deleg.toString(), true, false);
        JailResource r = Cgroups.forJail(l, session, false);
        JailFailure e = assertThrows(JailFailure.class, r::prepare);
        assertTrue(e.getMessage().contains("other processes live in"), e.getMessage());
        r.release();
        assertEquals(List.of("NSJAIL_SELF.1000"), h.subdirs(deleg));
    }

    @Test
    void nothingIsCreatedOnAFileSystemThatIsNoCgroupFs() throws Exception {
        h.fsType = 0x01021994L; // tmpfs
        JailResource r2 = Cgroups.forJail(v2(0, -1, 0, 0), session, false);
        JailFailure e = assertThrows(JailFailure.class, r2::prepare);
        assertTrue(e.getMessage().contains("is not a cgroup2 file system (see --cgroupv2_mount)"), e.getMessage());
        r2.release();
        assertEquals(List.of(), h.subdirs(root.resolve("unified")));

        JailResource r1 = Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false);
        e = assertThrows(JailFailure.class, r1::prepare);
        assertTrue(e.getMessage().contains("is not a cgroup v1 file system (see --cgroup_pids_mount)"), e.getMessage());
        r1.release();
        assertFalse(Files.exists(root.resolve("pids/NSJAIL")));
    }

    @Test
    void detectUsesTheFileSystemMagic() throws Exception {
        var l = new CgroupLimits(0, 0, -1, root + "/memory", "NSJAIL", 3, root + "/pids", "NSJAIL", 0, "", "", 0, "",
                "", root + "/unified", false, true);
        h.fsType = CgroupVersion.CGROUP2_SUPER_MAGIC;
        assertEquals(CgroupVersion.V2, CgroupVersion.choose(l, h));
        assertInstanceOf(V2JailCgroup.class, Cgroups.forJail(l, session, false));
        h.fsType = CgroupVersion.CGROUP_SUPER_MAGIC;
        assertEquals(CgroupVersion.V1, CgroupVersion.choose(l, h));
        assertInstanceOf(V1JailCgroups.class, Cgroups.forJail(l, session, false));
        var gone = new CgroupLimits(0, 0, -1, "", "", 3, "", "", 0, "", "", 0, "", "", root + "/absent", false, true);
        assertEquals(CgroupVersion.V1, CgroupVersion.choose(gone, h), "statfs failure: v1, as nsjail");
        var forced = new CgroupLimits(0, 0, -1, "", "", 0, "", "", 0, "", "", 0, "", "", root + "/absent", true, true);
        assertEquals(CgroupVersion.V2, CgroupVersion.choose(forced, h));
    }

    @Test
    void staleCgroupsAreSweptOncePerParent() throws Exception {
        Path parent = root.resolve("pids/NSJAIL");
        Files.createDirectories(parent);
        h.cgroup(parent.resolve("NSJAIL.111"), "");                 // jail gone, empty: stale
        h.cgroup(parent.resolve("NSJAIL.222"), "");                 // jail alive
        h.alive.add(222);
        h.cgroup(parent.resolve("NSJAIL.333"), "", 9999);           // a process still inside
        h.cgroup(parent.resolve("NSJAIL.444.2"), "");               // v2 name, supervisor gone: stale
        h.cgroup(parent.resolve("NSJAIL.555"), "");                 // has a child cgroup
        h.cgroup(parent.resolve("NSJAIL.555/sub"), "");
        h.cgroup(parent.resolve("NSJAIL_SELF.666"), "");            // not a jail's
        h.cgroup(parent.resolve("other"), "");
        h.cgroup(parent.resolve("NSJAIL." + h.self), "");           // this supervisor's own (-Me)

        JailResource r = Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false);
        r.prepare();
        assertEquals(List.of("NSJAIL.1000", "NSJAIL.222", "NSJAIL.333", "NSJAIL.555", "NSJAIL_SELF.666", "other"),
                h.subdirs(parent));
        r.release();

        h.cgroup(parent.resolve("NSJAIL.112"), "");
        JailResource again = Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false);
        again.prepare();
        assertTrue(h.subdirs(parent).contains("NSJAIL.112"), "swept once per supervisor, not per jail");
        again.release();
        CgroupSession next = new CgroupSession(h);
        Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), next, false).prepare();
        assertFalse(h.subdirs(parent).contains("NSJAIL.112"), "the next supervisor sweeps it");
    }

    @Test
    void staleSweepCoversUnusedControllersToo() throws Exception {
        Files.createDirectories(root.resolve("memory/NSJAIL"));
        h.cgroup(root.resolve("memory/NSJAIL/NSJAIL.31337"), "");
        Cgroups.forJail(v1(0, 0, -1, 10, 0, 0), session, false).prepare();
        assertEquals(List.of(), h.subdirs(root.resolve("memory/NSJAIL")));
    }

    @Test
    void execveModeMovesTheSupervisorItselfV1() throws Exception {
        Cgroups.enterSelf(v1(1 << 24, 0, -1, 10, 0, 0), session);
        assertEquals(Set.of(h.self), h.pids(root.resolve("memory/NSJAIL/NSJAIL.1000")));
        assertEquals(Set.of(h.self), h.pids(root.resolve("pids/NSJAIL/NSJAIL.1000")));
        assertEquals("16777216", read("memory/NSJAIL/NSJAIL.1000/memory.limit_in_bytes"));
        assertTrue(h.writes.stream().anyMatch(w -> w.endsWith("NSJAIL.1000/cgroup.procs=1000")), "cgroup.procs, not tasks");
    }

    @Test
    void execveModeMovesTheSupervisorItselfV2() throws Exception {
        h.write(root.resolve("unified/cgroup.procs"), Integer.toString(h.self));
        Cgroups.enterSelf(v2(0, -1, 10, 0), session);
        assertEquals(Set.of(h.self), h.pids(root.resolve("unified/NSJAIL.1000")));
        assertEquals("10", read("unified/NSJAIL.1000/pids.max"));
    }

    @Test
    void execveModeFailureNeverKillsTheSupervisor() throws Exception {
        h.faults.put("cpu.cfs_quota_us", 22);
        assertThrows(JailFailure.class, () -> Cgroups.enterSelf(v1(0, 0, -1, 10, 0, 100), session));
        assertEquals(List.of(), h.killed);
        assertTrue(h.alive.contains(h.self));
    }
}
