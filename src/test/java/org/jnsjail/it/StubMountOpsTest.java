package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;
import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.MountFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exec stub's fd-slot operations (issue 17), run by the real stub binary in -Me form
 * ({@code exec-stub e 0}, plan on stdin) in a scratch directory, as root and as uid 65534: lookups
 * confined by their RESOLVE_* flags, creation by one name that never follows a symlink, chained
 * steps skipped after a failure, and mounts made, sealed and attached by fd in a new mount namespace.
 */
class StubMountOpsTest {
    static final long OWNED = Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_NO_MAGICLINKS
            | Fcntl.RESOLVE_NO_XDEV;
    static final long DIR = Fcntl.O_PATH | Fcntl.O_DIRECTORY;
    static final long EMPTY = Fcntl.AT_EMPTY_PATH;
    static final long MOVE = MountFlag.MOVE_MOUNT_F_EMPTY_PATH | MountFlag.MOVE_MOUNT_T_EMPTY_PATH;

    private Path top, stub, work, outside;

    @BeforeEach
    void setUp() throws IOException {
        byte[] bin;
        try (InputStream in = getClass().getResourceAsStream("/org/jnsjail/stub/exec-stub")) {
            bin = in == null ? null : in.readAllBytes();
        }
        Assumptions.assumeTrue(bin != null, "the exec stub is not on the classpath (not built)");
        top = Files.createTempDirectory("jnsjail-stubops");
        Files.setPosixFilePermissions(top, PosixFilePermissions.fromString("rwxr-xr-x"));
        stub = top.resolve("exec-stub");
        Files.write(stub, bin);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = Files.createDirectory(top.resolve("work"));
        outside = Files.createDirectory(top.resolve("outside"));
        Files.createDirectory(work.resolve("d"));
        for (Path p : List.of(work, outside, work.resolve("d"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.createSymbolicLink(work.resolve("l"), outside);    // a planted link out of the directory
        Files.createSymbolicLink(work.resolve("r"), Path.of("/")); // a link to "the root"
    }

    @AfterEach
    void tearDown() throws IOException {
        if (top == null) return;
        try (Stream<Path> s = Files.walk(top)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    record Run(int exit, String stdout, List<String> stderr) {}

    private Run run(RunAs as, List<Op> ops) throws Exception {
        Path in = top.resolve("plan.in"), out = top.resolve("out"), err = top.resolve("err");
        Files.write(in, new Plan(ops, List.of()).encode());
        List<String> cmd = new ArrayList<>(as.prefix());
        cmd.addAll(List.of(stub.toString(), "e", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().clear();
        pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the stub did not finish");
        }
        List<String> lines = Files.readString(err).lines().map(l -> l.replaceFirst("^\\[(.)\\]\\[\\d+\\] ", "[$1] ")).toList();
        return new Run(p.exitValue(), Files.readString(out), lines);
    }

    private static Op open(int slot, int dir, String path, long flags, long resolve, String what) {
        return Op.raw(OpCode.OPEN_AT, what, new long[] {slot, dir, flags, resolve}, path);
    }

    private static Op exec(String... argv) {
        List<byte[]> s = new ArrayList<>();
        s.add(argv[0].getBytes(StandardCharsets.UTF_8));
        for (String a : argv) s.add(a.getBytes(StandardCharsets.UTF_8));
        return Op.raw(OpCode.EXECVE, "execve", new long[] {argv.length, 0, -1}, s.toArray());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void lookupsStayWhereTheirFlagsSayAndCreationNeverFollowsASymlink(RunAs as) throws Exception {
        as.assume();
        Run r = run(as, List.of(
                open(0, -1, ".", DIR, 0, "open the work dir"),
                open(1, 0, "l", DIR, OWNED, "open l without symlinks").withFlags(Op.WARN),
                Op.raw(OpCode.MKDIR_AT, "mkdir in l (chained)", new long[] {1, 0755}, "x").withFlags(Op.WARN | Op.CHAINED),
                open(1, 0, "../outside", DIR, OWNED, "open ../outside beneath").withFlags(Op.WARN),
                open(1, 0, "/", DIR, Fcntl.RESOLVE_BENEATH, "open / beneath").withFlags(Op.WARN),
                Op.raw(OpCode.MKDIR_AT, "mkdir l/x", new long[] {0, 0755}, "l/x").withFlags(Op.WARN),
                Op.raw(OpCode.MKDIR_AT, "mkdir ..", new long[] {0, 0755}, "..").withFlags(Op.WARN),
                Op.raw(OpCode.WRITE_AT, "create l", new long[] {0, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644}, "l", "x")
                        .withFlags(Op.WARN),
                Op.raw(OpCode.SYMLINK_AT, "symlink over l", new long[] {0}, "/", "l").withFlags(Op.WARN),
                // RESOLVE_IN_ROOT: the link to "/" means the work dir itself, so this lands in it.
                open(2, 0, "r", DIR, Fcntl.RESOLVE_IN_ROOT | Fcntl.RESOLVE_NO_MAGICLINKS, "open r in root"),
                Op.raw(OpCode.MKDIR_AT, "mkdir via r", new long[] {2, 0755}, "via-root"),
                open(3, 0, "d", DIR, OWNED, "open d"),
                Op.raw(OpCode.WRITE_AT, "create d/f", new long[] {3, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0644}, "f",
                        "content"),
                Op.raw(OpCode.WRITE_AT, "create d/f again", new long[] {3, Fcntl.O_RDONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0644},
                        "f", "").withFlags(Op.EXIST_OK),
                Op.raw(OpCode.CLOSE_SLOTS, "close", new long[0]),
                Op.raw(OpCode.MKDIR_AT, "mkdir in a closed slot", new long[] {3, 0755}, "y").withFlags(Op.WARN),
                Op.raw(OpCode.MKDIR_AT, "mkdir in slot 4096", new long[] {4096, 0755}, "y").withFlags(Op.WARN),
                Op.raw(OpCode.SETATTR_AT, "seal what was never made", new long[] {3, EMPTY, 1, 0, 0})
                        .withFlags(Op.WARN | Op.IF_FILLED),
                exec("/bin/true")));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(
                "[W] open l without symlinks: Too many levels of symbolic links",
                "[W] open ../outside beneath: Invalid cross-device link",
                "[W] open / beneath: Invalid cross-device link",
                "[W] mkdir l/x: Invalid argument",
                "[W] mkdir ..: Invalid argument",
                "[W] create l: Too many levels of symbolic links",
                "[W] symlink over l: File exists",
                "[W] mkdir in a closed slot: Bad file descriptor",
                "[W] mkdir in slot 4096: Bad file descriptor"), r.stderr());
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(), s.toList(), "nothing created through the planted link");
        }
        assertTrue(Files.isDirectory(work.resolve("via-root"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Path.of("/via-root")));
        assertEquals("content", Files.readString(work.resolve("d/f")));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void mountsAreMadeSealedAndAttachedByFd(RunAs as) throws Exception {
        as.assume();
        Files.createDirectory(work.resolve("e"));
        String map = "0 " + as.uid() + " 1";
        String gmap = "0 " + as.gid() + " 1";
        Run r = run(as, List.of(
                Op.raw(OpCode.UNSHARE, "unshare", new long[] {CloneFlag.CLONE_NEWUSER.value | CloneFlag.CLONE_NEWNS.value}),
                Op.raw(OpCode.WRITE_FILE, "setgroups", new long[] {Fcntl.O_WRONLY, 0}, "/proc/self/setgroups", "deny"),
                Op.raw(OpCode.WRITE_FILE, "gid_map", new long[] {Fcntl.O_WRONLY, 0}, "/proc/self/gid_map", gmap),
                Op.raw(OpCode.WRITE_FILE, "uid_map", new long[] {Fcntl.O_WRONLY, 0}, "/proc/self/uid_map", map),
                open(0, -1, "/", DIR, 0, "open /"),
                Op.raw(OpCode.SETATTR_AT, "make private", new long[] {0, EMPTY | MountFlag.AT_RECURSIVE, 0, 0,
                        MountFlag.MS_PRIVATE}),
                open(1, -1, ".", DIR, 0, "open the work dir"),
                open(2, 1, "d", DIR, OWNED, "open d"),
                Op.raw(OpCode.FS_MOUNT, "tmpfs", new long[] {3, MountFlag.MOUNT_ATTR_NODEV, MountFlag.FSCONFIG_SET_STRING,
                        MountFlag.FSCONFIG_SET_STRING}, "tmpfs", "size", "1m", "mode", "0755"),
                Op.raw(OpCode.MOVE_MOUNT, "attach the tmpfs on d", new long[] {3, 2, MOVE}),
                Op.raw(OpCode.WRITE_AT, "write in the tmpfs", new long[] {3, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0644},
                        "f", "in the tmpfs\n"),
                Op.raw(OpCode.OPEN_TREE, "clone the tmpfs", new long[] {4, 3, MountFlag.OPEN_TREE_CLONE | EMPTY}),
                Op.raw(OpCode.SETATTR_AT, "seal the clone", new long[] {4, EMPTY, MountFlag.MOUNT_ATTR_RDONLY, 0, 0}),
                open(5, 1, "e", DIR, OWNED, "open e"),
                Op.raw(OpCode.MOVE_MOUNT, "attach the clone on e", new long[] {4, 5, MOVE}),
                Op.raw(OpCode.WRITE_AT, "write in the sealed clone", new long[] {4, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644}, "g",
                        "").withFlags(Op.WARN),
                Op.raw(OpCode.FS_MOUNT, "pairs do not match", new long[] {6, 0, 1}, "tmpfs", "size").withFlags(Op.WARN),
                Op.raw(OpCode.FS_MOUNT, "a binary fsconfig", new long[] {6, 0, 2}, "tmpfs", "size", "1").withFlags(Op.WARN),
                Op.raw(OpCode.FS_MOUNT, "no such type", new long[] {6, 0}, "no-such-fs").withFlags(Op.WARN),
                Op.raw(OpCode.MOVE_MOUNT, "attach the empty slot", new long[] {6, 5, MOVE}).withFlags(Op.WARN | Op.CHAINED),
                open(7, 1, "e", DIR, Fcntl.RESOLVE_BENEATH, "open e again (the clone on top)"),
                Op.raw(OpCode.FCHDIR, "cd into the clone", new long[] {7}),
                exec("/bin/cat", "f")));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("in the tmpfs\n", r.stdout(), r.toString());
        assertEquals(List.of(
                "[W] write in the sealed clone: Read-only file system",
                "[W] pairs do not match: Invalid argument",
                "[W] a binary fsconfig: Invalid argument",
                "[W] no such type: No such device"), r.stderr());
        try (Stream<Path> s = Files.list(work.resolve("d"))) {
            assertEquals(List.of(), s.toList(), "the tmpfs was only in the stub's mount namespace");
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void retiredPathBasedOperationsAreRefused(RunAs as) throws Exception {
        as.assume();
        for (OpCode c : List.of(OpCode.RETIRED_MOUNT, OpCode.RETIRED_MKDIR, OpCode.RETIRED_CREATE_FILE,
                OpCode.RETIRED_SYMLINK, OpCode.RETIRED_MOUNT_SETATTR)) {
            Run r = run(as, List.of(Op.raw(c, "old", new long[] {0}, "x", "y", "z", "w"), exec("/bin/true")));
            assertEquals(255, r.exit(), c + ": " + r);
            assertEquals(List.of("[F] jnsjail exec stub: unknown op code"), r.stderr(), c.toString());
        }
        assertFalse(Files.exists(work.resolve("x")));
    }
}
