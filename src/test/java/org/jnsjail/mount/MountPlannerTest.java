package org.jnsjail.mount;

import static org.jnsjail.mount.MountPlanner.DIR;
import static org.jnsjail.mount.MountPlanner.HOST_ROOT;
import static org.jnsjail.mount.MountPlanner.JAIL_ROOT;
import static org.jnsjail.mount.MountPlanner.NEW_DIR;
import static org.jnsjail.mount.MountPlanner.SCRATCH;
import static org.jnsjail.mount.MountPlanner.SOURCE;
import static org.jnsjail.mount.MountPlanner.TARGET;
import static org.jnsjail.mount.MountPlanner.TREE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.MountPt;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.sys.Fcntl;
import org.junit.jupiter.api.Test;

/** The mount plan as data: no root, no syscalls. */
class MountPlannerTest {
    /** A host with a few directories and files. */
    static final HostFs HOST = path -> {
        Set<String> dirs = Set.of("/", "/tmp", "/mnt", "/bin", "/usr", "/proc", "/dev", "/srv/data", "/srv/data/t");
        Set<String> files = Set.of("/dev/urandom", "/etc/passwd", "/etc/hostname");
        return dirs.contains(path) ? HostFs.Kind.DIRECTORY : files.contains(path) ? HostFs.Kind.FILE : HostFs.Kind.MISSING;
    };

    static final HostFs WITH_PROC = new HostFs() {
        @Override
        public Kind kind(String path) {
            return HOST.kind(path);
        }

        @Override
        public List<String> procMounts() {
            return List.of("/proc");
        }
    };

    static final long AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

    static List<Op> plan(List<MountPt> mounts, List<String> warnings) throws JailFailure {
        return MountPlanner.plan(mounts, false, false, "/", Map.of("HOME", "/srv"), HOST, warnings);
    }

    static String str(Op op, int i) {
        return new String(op.strs().get(i), StandardCharsets.UTF_8);
    }

    static Op find(List<Op> ops, Predicate<Op> p) {
        return ops.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no such op in " + dump(ops)));
    }

    static int indexOf(List<Op> ops, Predicate<Op> p) {
        for (int i = 0; i < ops.size(); i++) if (p.test(ops.get(i))) return i;
        throw new AssertionError("no such op in " + dump(ops));
    }

    static String dump(List<Op> ops) {
        StringBuilder b = new StringBuilder();
        for (Op o : ops) {
            b.append('\n').append(o.code()).append(' ').append(java.util.Arrays.toString(o.args()));
            for (int i = 0; i < o.strs().size(); i++) b.append(" '").append(str(o, i)).append('\'');
            b.append("  # ").append(o.what());
        }
        return b.toString();
    }

    static Predicate<Op> is(OpCode c) {
        return o -> o.code() == c;
    }

    /** OPEN_AT of the mount point {@code path} (relative to the jail's root) into TARGET. */
    static Predicate<Op> target(String rel) {
        return o -> o.code() == OpCode.OPEN_AT && o.args()[0] == TARGET && o.args()[1] == JAIL_ROOT && str(o, 0).equals(rel);
    }

    /** The FS_MOUNT's fsconfig pairs, "key=value" or "key" for a flag. */
    static List<String> config(Op fsMount) {
        List<String> out = new ArrayList<>();
        for (int i = 2; i < fsMount.args().length; i++) {
            String key = str(fsMount, 1 + 2 * (i - 2)), val = str(fsMount, 2 + 2 * (i - 2));
            out.add(fsMount.args()[i] == 0 ? key : key + "=" + val);
        }
        return out;
    }

    @Test
    void chrootIsClonedFromTheOldRootAndSealedRecursivelyBeforeItIsAttached() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/proc", "proc", "", false, true)),
                new ArrayList<>());
        int tree = indexOf(ops, o -> o.code() == OpCode.OPEN_TREE && o.args()[0] == JAIL_ROOT);
        Op clone = ops.get(tree);
        assertEquals(HOST_ROOT, clone.args()[1], "the host's / is the old root's fd itself");
        assertEquals(AT_RECURSIVE | AT_EMPTY_PATH | 1, clone.args()[2], "OPEN_TREE_CLONE|AT_RECURSIVE, by fd");
        Op seal = ops.get(tree + 1);
        assertEquals(OpCode.SETATTR_AT, seal.code());
        assertEquals(JAIL_ROOT, seal.args()[0]);
        assertEquals(AT_RECURSIVE | AT_EMPTY_PATH, seal.args()[1]);
        assertEquals(1, seal.args()[2] & 1, "MOUNT_ATTR_RDONLY");
        Op attach = ops.get(tree + 2);
        assertEquals(OpCode.MOVE_MOUNT, attach.code());
        assertEquals(List.of((long) JAIL_ROOT, (long) NEW_DIR), List.of(attach.args()[0], attach.args()[1]));
        // no mount point created inside the host bind: /proc exists there
        assertFalse(ops.stream().anyMatch(o -> o.code() == OpCode.MKDIR_AT && str(o, 0).equals("proc")));
        // ends with pivot_root(".", ".") from the jail root's fd and a detach of the old root
        int pivot = indexOf(ops, o -> o.code() == OpCode.PIVOT_ROOT && str(o, 0).equals(".") && str(o, 1).equals("."));
        assertEquals(OpCode.FCHDIR, ops.get(pivot - 1).code());
        assertEquals(JAIL_ROOT, ops.get(pivot - 1).args()[0]);
        assertEquals(OpCode.UMOUNT2, ops.get(pivot + 1).code());
    }

    @Test
    void missingMountPointInAHostBindIsAnErrorNotAHostMkdir() {
        JailFailure e = assertThrows(JailFailure.class, () -> plan(List.of(MountPt.bind("/", "/", false),
                MountPt.fs("", "/nope/x", "tmpfs", "", true, true)), new ArrayList<>()));
        assertTrue(e.getMessage().contains("does not create files on the host"), e.getMessage());
    }

    @Test
    void nonMandatoryImpossibleMountIsSkippedWithOneWarning() throws JailFailure {
        List<String> warnings = new ArrayList<>();
        List<Op> ops = plan(List.of(MountPt.bind("/", "/", false),
                MountPt.fs("", "/nope/x", "tmpfs", "", true, true).withMandatory(false)), warnings);
        assertEquals(1, warnings.size());
        assertFalse(ops.stream().anyMatch(o -> o.what().contains("/nope")));
    }

    @Test
    void nonMandatoryMountIsOneChainOfSteps() throws JailFailure {
        MountPt m = MountPt.bind("/bin", "/x/bin", false).withMandatory(false);
        List<Op> ops = plan(List.of(m), new ArrayList<>());
        List<Op> steps = ops.stream().filter(o -> o.what().startsWith(MountPlanner.describe(m))).toList();
        assertTrue(steps.size() > 3, dump(steps));
        assertEquals(Op.WARN, steps.getFirst().flags() & (Op.WARN | Op.CHAINED), "the first step warns");
        for (Op o : steps.subList(1, steps.size())) {
            assertEquals(Op.WARN | Op.CHAINED, o.flags() & (Op.WARN | Op.CHAINED), "the rest is skipped after a failure: " + o);
        }
    }

    @Test
    void aFailedNonMandatoryMountIsNotSealedWithASecondWarning() throws JailFailure {
        MountPt m = MountPt.fs("", "/x", "tmpfs", "", false, true).withMandatory(false);
        List<Op> ops = plan(List.of(m), new ArrayList<>());
        Op fs = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().equals(MountPlanner.describe(m)));
        Op seal = find(ops, o -> o.code() == OpCode.SETATTR_AT && o.args()[0] == fs.args()[0]);
        assertEquals(Op.WARN | Op.IF_FILLED, seal.flags(), "skipped when the mount never filled its slot");
        Op rootSeal = find(ops, o -> o.code() == OpCode.SETATTR_AT && o.args()[0] == JAIL_ROOT);
        assertEquals(0, rootSeal.flags());
    }

    @Test
    void tmpfsRootGetsMountPointsCreatedByNameAndIsSealedLast() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.bind("/bin", "/bin", false), MountPt.fs("", "/dev", "tmpfs", "", true, true),
                MountPt.bind("/dev/urandom", "/dev/urandom", false)), new ArrayList<>());
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.MKDIR_AT && o.args()[0] == JAIL_ROOT && str(o, 0).equals("bin")));
        Op devTmpfs = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().startsWith("Mount: ") && o.what().contains("'/dev' type:"));
        long devSlot = devTmpfs.args()[0];
        assertTrue(devSlot >= MountPlanner.FIRST_KEPT, "a jail-owned mount keeps its fd");
        // /dev/urandom is created in the /dev tmpfs through its own fd, not through a path from the root
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.WRITE_AT && o.args()[0] == devSlot
                && str(o, 0).equals("urandom") && (o.args()[1] & Fcntl.O_EXCL) != 0));
        Op rootSeal = ops.stream().filter(o -> o.code() == OpCode.SETATTR_AT && o.args()[0] == JAIL_ROOT).reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(1, rootSeal.args()[2] & 1, "root tmpfs made read-only");
        assertTrue(indexOf(ops, o -> o == rootSeal) > indexOf(ops, is(OpCode.WRITE_AT)), "sealed after the last mount point");
    }

    @Test
    void deepMountPointsAreCreatedThroughDirectoriesLookedUpWithoutSymlinksOrMountCrossings() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.fs("", "/a/b/c", "tmpfs", "", true, true)), new ArrayList<>());
        Op mkC = find(ops, o -> o.code() == OpCode.MKDIR_AT && str(o, 0).equals("c"));
        assertEquals(DIR, mkC.args()[0]);
        Op openB = ops.get(ops.indexOf(mkC) - 1);
        assertEquals(OpCode.OPEN_AT, openB.code());
        assertEquals(List.of((long) DIR, (long) JAIL_ROOT), List.of(openB.args()[0], openB.args()[1]));
        assertEquals("a/b", str(openB, 0));
        assertEquals(MountPlanner.RESOLVE_OWNED, openB.args()[3]);
    }

    @Test
    void bindSourcesMustExist() {
        assertThrows(JailFailure.class, () -> plan(List.of(MountPt.bind("/nonexistent", "/x", false)), new ArrayList<>()));
    }

    @Test
    void unsetPrefixVariableIsAnError() {
        MountPt m = new MountPt("/a", "/b", "tmpfs", "", false, true, true, true, false, false, false, false, null,
                "NO_SUCH_VAR", "");
        JailFailure e = assertThrows(JailFailure.class, () -> plan(List.of(m), new ArrayList<>()));
        assertTrue(e.getMessage().contains("NO_SUCH_VAR"));
    }

    @Test
    void prefixDstEnvIsApplied() throws JailFailure {
        MountPt m = new MountPt("", "/data", "tmpfs", "", false, true, true, true, false, false, false, false, null,
                "", "HOME");
        List<Op> ops = plan(List.of(m), new ArrayList<>());
        assertTrue(ops.stream().anyMatch(target("srv/data")), dump(ops));
    }

    @Test
    void genericOptionsBecomeFlagsAndOverlayDirsAreReadThroughTheOldRoot() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.fs("", "/tmp", "tmpfs", "size=1m,nosuid,ro", true, true),
                MountPt.fs("overlay", "/mnt", "overlay", "lowerdir=/usr:/bin", true, true)), new ArrayList<>());
        Op tmpfs = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().startsWith("Mount: ") && o.what().contains("'/tmp' type:"));
        assertEquals("tmpfs", str(tmpfs, 0));
        assertEquals(List.of("source=none", "size=1m"), config(tmpfs));
        assertEquals(2, tmpfs.args()[1], "MOUNT_ATTR_NOSUID at fsmount; read-only only at the end");
        Op seal = find(ops, o -> o.code() == OpCode.SETATTR_AT && o.args()[0] == tmpfs.args()[0]);
        assertEquals(1 | 2, seal.args()[2]);
        Op ovl = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().startsWith("Mount: ") && o.what().contains("'/mnt' type:"));
        assertEquals(List.of("source=overlay", "lowerdir=/old/usr:/old/bin"), config(ovl));
        assertEquals(MountOptions.parse("nosuid,ro,size=1m").data(), "size=1m");
    }

    @Test
    void optionsSplitLikeMountDataWithEscapedCommasKept() {
        Op op = MountPlanner.fsMount(9, "overlay", 0, "", "lowerdir=/a\\,b:/c,noatime,,x=y=z", "w");
        assertEquals(List.of("lowerdir=/a\\,b:/c", "noatime", "x=y=z"), config(op));
        assertEquals(List.of(0L, 1L, 0L, 1L), List.of(op.args()[1], op.args()[2], op.args()[3], op.args()[4]));
    }

    @Test
    void symlinkInsideAHostBindIsRefused() {
        assertThrows(JailFailure.class, () -> plan(List.of(MountPt.bind("/", "/", false),
                MountPt.symlink("/proc/self/fd", "/dev/fdx")), new ArrayList<>()));
    }

    @Test
    void symlinkIsMadeByNameInItsJailOwnedDirectory() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.fs("", "/dev", "tmpfs", "", true, true), MountPt.symlink("/proc/self/fd", "/dev/fd")),
                new ArrayList<>());
        Op dev = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().startsWith("Mount: ") && o.what().contains("'/dev' type:"));
        Op ln = find(ops, is(OpCode.SYMLINK_AT));
        assertEquals(dev.args()[0], ln.args()[0]);
        assertEquals(List.of("/proc/self/fd", "fd"), List.of(str(ln, 0), str(ln, 1)));
    }

    @Test
    void noPivotRootReadsSourcesInPlaceAndDropsTheScratchCopy() throws JailFailure {
        List<Op> ops = MountPlanner.plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/tmp", "tmpfs", "", true, true)),
                false, true, "/", Map.of(), HOST, new ArrayList<>());
        assertTrue(ops.stream().noneMatch(is(OpCode.PIVOT_ROOT)));
        Op scratch = find(ops, o -> o.code() == OpCode.OPEN_AT && o.args()[0] == TARGET && o.args()[1] == HOST_ROOT);
        assertEquals("mnt", str(scratch, 0), "scratch avoids /tmp, which a mount uses");
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.OPEN_TREE && o.args()[0] == JAIL_ROOT && o.args()[1] == HOST_ROOT));
        Op move = find(ops, o -> o.code() == OpCode.MOVE_MOUNT && o.args()[1] == HOST_ROOT);
        assertEquals(JAIL_ROOT, move.args()[0], "the new root moved onto /");
        int umount = indexOf(ops, is(OpCode.UMOUNT2));
        assertEquals(".", str(ops.get(umount), 0));
        Op look = ops.get(umount - 2);
        assertEquals("mnt", str(look, 0));
        assertEquals(JAIL_ROOT, look.args()[1]);
        assertEquals(Op.IGNORE | Op.CHAINED, ops.get(umount).flags(), "no umount of the cwd when the lookup failed");
    }

    @Test
    void bindOptionsBecomeFlagsAndDataIsRefused() throws JailFailure {
        MountPt b = new MountPt("/bin", "/bin", "", "ro,nosuid", true, true, null, true, false, false, false, false,
                null, "", "");
        List<Op> ops = plan(List.of(b), new ArrayList<>());
        Op seal = find(ops, o -> o.code() == OpCode.SETATTR_AT && o.args()[0] == TREE);
        assertEquals(AT_RECURSIVE | AT_EMPTY_PATH, seal.args()[1]);
        assertEquals(1 | 2, seal.args()[2], "RDONLY|NOSUID");
        MountPt bad = new MountPt("/bin", "/bin", "", "size=1", true, true, null, true, false, false, false, false,
                null, "", "");
        assertThrows(JailFailure.class, () -> plan(List.of(bad), new ArrayList<>()));
    }

    @Test
    void hostProcUnderARecursiveBindIsCoveredUnlessTheJailMountsItsOwn() throws JailFailure {
        List<Op> covered = MountPlanner.plan(List.of(MountPt.bind("/", "/", false)), false, false, "/", Map.of(),
                WITH_PROC, new ArrayList<>());
        Op cover = find(covered, o -> o.code() == OpCode.FS_MOUNT && o.what().equals("cover the host's procfs at '/proc'"));
        assertEquals("tmpfs", str(cover, 0));
        assertEquals(1 | 2 | 4 | 8, cover.args()[1], "RDONLY|NOSUID|NODEV|NOEXEC");
        assertTrue(covered.stream().anyMatch(target("proc")));
        List<Op> own = MountPlanner.plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/proc", "proc", "", false,
                true)), false, false, "/", Map.of(), WITH_PROC, new ArrayList<>());
        assertFalse(own.stream().anyMatch(o -> o.what().startsWith("cover")), "no cover under the jail's own procfs");
    }

    @Test
    void aMountStackedOnAnotherDoesNotTakeItsSeal() throws JailFailure {
        List<Op> ops = plan(List.of(MountPt.fs("", "/tmp", "tmpfs", "", false, true), MountPt.bind("/bin", "/tmp", true)),
                new ArrayList<>());
        Op tmpfs = find(ops, o -> o.code() == OpCode.FS_MOUNT && o.what().startsWith("Mount: ") && o.what().contains("'/tmp' type:"));
        Op seal = find(ops, o -> o.code() == OpCode.SETATTR_AT && o.what().contains("'/tmp' type:'tmpfs'"));
        assertEquals(tmpfs.args()[0], seal.args()[0], "sealed through its own fd, not the bind on top of it");
    }

    @Test
    void contentFileIsWrittenInTheScratchAndBoundByFd() throws JailFailure {
        MountPt m = new MountPt("", "/etc/motd", "", "", false, false, null, true, false, false, false, false,
                "hi".getBytes(StandardCharsets.UTF_8), "", "");
        List<Op> ops = plan(List.of(m), new ArrayList<>());
        Op write = find(ops, is(OpCode.WRITE_AT));
        assertEquals(SCRATCH, write.args()[0]);
        assertEquals("hi", str(write, 1));
        Op src = ops.get(indexOf(ops, o -> o.code() == OpCode.OPEN_AT && o.args()[0] == SOURCE && o.args()[1] == SCRATCH));
        assertEquals(str(write, 0), str(src, 0));
        assertTrue(ops.stream().anyMatch(target("etc/motd")));
    }

    @Test
    void withoutAMountNamespaceTheChrootIsEnteredByFd() {
        List<Op> ops = MountPlanner.planWithoutMountNs(List.of(MountPt.bind("/srv/data", "/", false)), "/x");
        assertEquals(List.of(OpCode.OPEN_AT, OpCode.FCHDIR, OpCode.CHROOT, OpCode.CLOSE_SLOTS, OpCode.CHDIR, OpCode.CHDIR),
                ops.stream().map(Op::code).toList());
        assertEquals("/srv/data", str(ops.getFirst(), 0));
        assertEquals(".", str(ops.get(2), 0));
    }

    /** Plans of every kind the planner makes: each must pass {@link #checkNothingIsPathBased}. */
    static List<List<Op>> variety() throws JailFailure {
        MountPt content = new MountPt("", "/tmp/greeting", "", "", false, false, null, true, false, false, false, false,
                "hello".getBytes(StandardCharsets.UTF_8), "", "");
        List<MountPt> chroot = List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/tmp", "tmpfs", "", true, true),
                content, MountPt.bind("/bin", "/tmp/b", false).withFlags(true, true, true),
                MountPt.symlink("/proc/self/fd", "/tmp/fd"), MountPt.fs("", "/proc", "proc", "", false, true));
        List<MountPt> tmpfsRoot = List.of(MountPt.bind("/bin", "/bin", false), MountPt.fs("", "/dev", "tmpfs", "", true, true),
                MountPt.bind("/dev/urandom", "/dev/urandom", false), MountPt.symlink("/proc/self/fd", "/dev/fd"),
                MountPt.bind("/srv/data", "/data", true), MountPt.fs("", "/data/t", "tmpfs", "", true, true),
                MountPt.bind("/etc/hostname", "/data/t/x", false), MountPt.fs("", "/a/b/c/d", "tmpfs", "", true, true),
                MountPt.fs("overlay", "/ovl", "overlay", "lowerdir=/usr:/bin", true, true),
                MountPt.bind("/bin", "/maybe/bin", false).withMandatory(false), content);
        List<List<Op>> out = new ArrayList<>();
        for (boolean noPivot : List.of(false, true)) {
            out.add(MountPlanner.plan(chroot, false, noPivot, "/tmp", Map.of(), WITH_PROC, new ArrayList<>()));
            out.add(MountPlanner.plan(tmpfsRoot, false, noPivot, "/", Map.of(), WITH_PROC, new ArrayList<>()));
            out.add(MountPlanner.plan(tmpfsRoot, true, noPivot, "/data", Map.of(), HOST, new ArrayList<>()));
        }
        return out;
    }

    /**
     * Issue 17: nothing of the mount set-up is path-based. Simulates the stub's slot table over the
     * plan and checks every operation that takes a path:
     * <ul>
     * <li>none of the retired path-based operations (mount, mkdir, open(O_CREAT), symlink, mount_setattr by path);
     * <li>an OPEN_AT from a slot stays beneath it (RESOLVE_BENEATH or RESOLVE_IN_ROOT) and follows no magic link;
     *     only "/" itself is opened from the cwd;
     * <li>mkdirat/openat/symlinkat create one name in a directory of a file system the plan made itself
     *     (the scratch, a tmpfs or other new mount), looked up with RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV;
     * <li>open_tree, move_mount and mount_setattr work on fds only (AT_EMPTY_PATH / *_EMPTY_PATH);
     * <li>pivot_root, chroot and umount2 name only "." (the cwd, set by fchdir) or "old" in the scratch;
     * <li>chdir by path only once the jail's root is the process root; every slot closed before that.
     * </ul>
     */
    static void checkNothingIsPathBased(List<Op> ops) {
        Set<Long> owned = new HashSet<>(); // slots holding a mount (or directory of one) that the plan created
        Map<Long, String> filled = new HashMap<>();
        boolean rootSwitched = false, closed = false;
        for (Op o : ops) {
            long[] a = o.args();
            String where = o + dump(List.of(o));
            switch (o.code()) {
                case RETIRED_MOUNT, RETIRED_MKDIR, RETIRED_CREATE_FILE, RETIRED_SYMLINK, RETIRED_MOUNT_SETATTR, WRITE_FILE,
                        OPEN_DUP -> throw new AssertionError("path-based op in the mount plan: " + where);
                case OPEN_AT -> {
                    if (a[1] == -1) {
                        assertEquals("/", str(o, 0), where);
                    } else {
                        assertTrue(filled.containsKey(a[1]), "lookup from an empty slot: " + where);
                        assertTrue((a[3] & (Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_IN_ROOT)) != 0, where);
                        assertTrue((a[3] & Fcntl.RESOLVE_NO_MAGICLINKS) != 0, where);
                        assertFalse(str(o, 0).startsWith("/") || str(o, 0).contains(".."), where);
                    }
                    long strict = Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_NO_XDEV;
                    if (owned.contains(a[1]) && (a[3] & strict) == strict) owned.add(a[0]);
                    else owned.remove(a[0]);
                    filled.put(a[0], "open");
                }
                case MKDIR_AT, WRITE_AT, SYMLINK_AT -> {
                    String name = str(o, o.code() == OpCode.SYMLINK_AT ? 1 : 0);
                    assertFalse(name.contains("/") || name.equals(".") || name.equals(".."), where);
                    assertTrue(owned.contains(a[0]), "created outside a file system of the plan's own: " + where);
                    if (o.code() == OpCode.WRITE_AT) assertTrue((a[1] & Fcntl.O_EXCL) != 0, where);
                }
                case FS_MOUNT -> {
                    owned.add(a[0]);
                    filled.put(a[0], "fs");
                }
                case OPEN_TREE -> {
                    assertTrue(filled.containsKey(a[1]), where);
                    assertEquals(Fcntl.AT_EMPTY_PATH, a[2] & Fcntl.AT_EMPTY_PATH, where);
                    owned.remove(a[0]);
                    filled.put(a[0], "tree");
                }
                case MOVE_MOUNT -> {
                    assertTrue(filled.containsKey(a[0]) && filled.containsKey(a[1]), where);
                    assertEquals(MountPlanner.MOVE_FLAGS, a[2], where);
                }
                case SETATTR_AT -> {
                    assertTrue(filled.containsKey(a[0]), where);
                    assertEquals(Fcntl.AT_EMPTY_PATH, a[1] & Fcntl.AT_EMPTY_PATH, where);
                }
                case FCHDIR -> assertTrue(filled.containsKey(a[0]), where);
                case PIVOT_ROOT -> {
                    assertEquals(".", str(o, 0), where);
                    assertTrue(str(o, 1).equals(".") || str(o, 1).equals("old"), where);
                    if (str(o, 1).equals(".")) rootSwitched = true;
                }
                case CHROOT -> {
                    assertEquals(".", str(o, 0), where);
                    rootSwitched = true;
                }
                case UMOUNT2 -> assertEquals(".", str(o, 0), where);
                case CLOSE_SLOTS -> {
                    closed = true;
                    filled.clear();
                    owned.clear();
                }
                case CHDIR -> assertTrue(rootSwitched && closed, "chdir by path before the root switch: " + where);
                default -> throw new AssertionError("unexpected op in the mount plan: " + where);
            }
        }
        assertTrue(rootSwitched && closed);
    }

    @Test
    void nothingOfTheMountSetUpIsPathBased() throws JailFailure {
        for (List<Op> ops : variety()) checkNothingIsPathBased(ops);
        checkNothingIsPathBased(MountPlanner.planWithoutMountNs(List.of(MountPt.bind("/", "/", false)), "/"));
    }
}
