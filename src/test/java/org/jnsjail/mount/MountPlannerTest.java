package org.jnsjail.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jnsjail.api.JailException;
import org.jnsjail.api.MountPt;
import org.jnsjail.plan.Op;
import org.jnsjail.plan.OpCode;
import org.junit.jupiter.api.Test;

/** The mount plan as data: no root, no syscalls. */
class MountPlannerTest {
    /** A host with a few directories and files. */
    static final HostFs HOST = path -> {
        Set<String> dirs = Set.of("/", "/tmp", "/mnt", "/bin", "/usr", "/proc", "/dev", "/srv/data");
        Set<String> files = Set.of("/dev/urandom", "/etc/passwd");
        return dirs.contains(path) ? HostFs.Kind.DIRECTORY : files.contains(path) ? HostFs.Kind.FILE : HostFs.Kind.MISSING;
    };

    static List<Op> plan(List<MountPt> mounts, List<String> warnings) throws JailException {
        return MountPlanner.plan(mounts, false, false, "/", Map.of("HOME", "/srv"), HOST, warnings);
    }

    static String str(Op op, int i) {
        return new String(op.strs().get(i), StandardCharsets.UTF_8);
    }

    @Test
    void chrootIsBoundFromTheOldRootAndSealedRecursivelyAtOnce() throws JailException {
        List<Op> ops = plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/proc", "proc", "", false, true)),
                new ArrayList<>());
        int bind = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).code() == OpCode.MOUNT && str(ops.get(i), 1).equals("/new") && str(ops.get(i), 0).equals("/old")) bind = i;
        }
        assertTrue(bind > 0, "root bind from /old onto /new");
        Op seal = ops.get(bind + 1);
        assertEquals(OpCode.MOUNT_SETATTR, seal.code());
        assertEquals(0x8000, seal.args()[0], "AT_RECURSIVE");
        assertEquals(1, seal.args()[1] & 1, "MOUNT_ATTR_RDONLY");
        // no mkdir inside the host bind: /proc exists there
        assertFalse(ops.stream().anyMatch(o -> o.code() == OpCode.MKDIR && str(o, 0).equals("/new/proc")));
        // ends with pivot_root(".", ".") and a detach of the old root
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.PIVOT_ROOT && str(o, 0).equals(".")));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.UMOUNT2));
    }

    @Test
    void missingMountPointInAHostBindIsAnErrorNotAHostMkdir() {
        JailException e = assertThrows(JailException.class, () -> plan(List.of(MountPt.bind("/", "/", false),
                MountPt.fs("", "/nope/x", "tmpfs", "", true, true)), new ArrayList<>()));
        assertTrue(e.getMessage().contains("does not create files on the host"), e.getMessage());
    }

    @Test
    void nonMandatoryImpossibleMountIsSkippedWithOneWarning() throws JailException {
        List<String> warnings = new ArrayList<>();
        List<Op> ops = plan(List.of(MountPt.bind("/", "/", false),
                MountPt.fs("", "/nope/x", "tmpfs", "", true, true).withMandatory(false)), warnings);
        assertEquals(1, warnings.size());
        assertFalse(ops.stream().anyMatch(o -> o.what().contains("/nope")));
    }

    @Test
    void tmpfsRootGetsMountPointsCreatedAndIsSealedLast() throws JailException {
        List<Op> ops = plan(List.of(MountPt.bind("/bin", "/bin", false), MountPt.fs("", "/dev", "tmpfs", "", true, true),
                MountPt.bind("/dev/urandom", "/dev/urandom", false)), new ArrayList<>());
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.MKDIR && str(o, 0).equals("/new/bin")));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.CREATE_FILE && str(o, 0).equals("/new/dev/urandom")));
        Op rootSeal = null;
        for (Op o : ops) if (o.code() == OpCode.MOUNT_SETATTR && str(o, 0).equals("/new")) rootSeal = o;
        assertTrue(rootSeal != null && (rootSeal.args()[1] & 1) == 1, "root tmpfs made read-only");
    }

    @Test
    void bindSourcesMustExist() {
        assertThrows(JailException.class, () -> plan(List.of(MountPt.bind("/nonexistent", "/x", false)), new ArrayList<>()));
    }

    @Test
    void unsetPrefixVariableIsAnError() {
        MountPt m = new MountPt("/a", "/b", "tmpfs", "", false, true, true, true, false, false, false, false, null,
                "NO_SUCH_VAR", "");
        JailException e = assertThrows(JailException.class, () -> plan(List.of(m), new ArrayList<>()));
        assertTrue(e.getMessage().contains("NO_SUCH_VAR"));
    }

    @Test
    void prefixDstEnvIsApplied() throws JailException {
        MountPt m = new MountPt("", "/data", "tmpfs", "", false, true, true, true, false, false, false, false, null,
                "", "HOME");
        List<Op> ops = plan(List.of(m), new ArrayList<>());
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.MOUNT && str(o, 1).equals("/new/srv/data")));
    }

    @Test
    void genericOptionsBecomeFlagsAndOverlayDirsAreReadThroughTheOldRoot() throws JailException {
        List<Op> ops = plan(List.of(MountPt.fs("", "/tmp", "tmpfs", "size=1m,nosuid,ro", true, true),
                MountPt.fs("overlay", "/mnt", "overlay", "lowerdir=/usr:/bin", true, true)), new ArrayList<>());
        Op tmpfs = ops.stream().filter(o -> o.code() == OpCode.MOUNT && str(o, 1).equals("/new/tmp")).findFirst().orElseThrow();
        assertEquals("size=1m", str(tmpfs, 3));
        Op ovl = ops.stream().filter(o -> o.code() == OpCode.MOUNT && str(o, 1).equals("/new/mnt")).findFirst().orElseThrow();
        assertEquals("lowerdir=/old/usr:/old/bin", str(ovl, 3));
        assertEquals(MountOptions.parse("nosuid,ro,size=1m").data(), "size=1m");
    }

    @Test
    void symlinkInsideAHostBindIsRefused() {
        assertThrows(JailException.class, () -> plan(List.of(MountPt.bind("/", "/", false),
                MountPt.symlink("/proc/self/fd", "/dev/fdx")), new ArrayList<>()));
    }

    @Test
    void noPivotRootReadsSourcesInPlaceAndDropsTheScratchCopy() throws JailException {
        List<Op> ops = MountPlanner.plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/tmp", "tmpfs", "", true, true)),
                false, true, "/", Map.of(), HOST, new ArrayList<>());
        assertTrue(ops.stream().noneMatch(o -> o.code() == OpCode.PIVOT_ROOT));
        Op scratch = ops.get(1);
        assertEquals("/mnt", str(scratch, 1), "scratch avoids /tmp, which a mount uses");
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.MOUNT && str(o, 0).equals("/") && str(o, 1).equals("/mnt/new")));
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.UMOUNT2 && str(o, 0).equals("/mnt")));
    }

    @Test
    void bindOptionsBecomeFlagsAndDataIsRefused() throws JailException {
        MountPt b = new MountPt("/bin", "/bin", "", "ro,nosuid", true, true, null, true, false, false, false, false,
                null, "", "");
        List<Op> ops = plan(List.of(b), new ArrayList<>());
        Op seal = ops.stream().filter(o -> o.code() == OpCode.MOUNT_SETATTR && str(o, 0).equals("/new/bin")).findFirst()
                .orElseThrow();
        assertEquals(0x8000, seal.args()[0]);
        assertEquals(1 | 2, seal.args()[1], "RDONLY|NOSUID");
        MountPt bad = new MountPt("/bin", "/bin", "", "size=1", true, true, null, true, false, false, false, false,
                null, "", "");
        assertThrows(JailException.class, () -> plan(List.of(bad), new ArrayList<>()));
    }

    @Test
    void hostProcUnderARecursiveBindIsCoveredUnlessTheJailMountsItsOwn() throws JailException {
        HostFs withProc = new HostFs() {
            @Override
            public Kind kind(String path) {
                return HOST.kind(path);
            }

            @Override
            public List<String> procMounts() {
                return List.of("/proc");
            }
        };
        List<Op> covered = MountPlanner.plan(List.of(MountPt.bind("/", "/", false)), false, false, "/", Map.of(),
                withProc, new ArrayList<>());
        assertTrue(covered.stream().anyMatch(o -> o.code() == OpCode.MOUNT && str(o, 1).equals("/new/proc")
                && str(o, 2).equals("tmpfs")), "host /proc covered");
        List<Op> own = MountPlanner.plan(List.of(MountPt.bind("/", "/", false), MountPt.fs("", "/proc", "proc", "", false,
                true)), false, false, "/", Map.of(), withProc, new ArrayList<>());
        assertFalse(own.stream().anyMatch(o -> o.code() == OpCode.MOUNT && str(o, 2).equals("tmpfs")
                && str(o, 1).equals("/new/proc")), "no cover under the jail's own procfs");
    }
}
