package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The file-system issue's acceptance cases with real jails: nsjail's mount kinds, the writable
 * matrix, mount flags, and that the host's mount table and directories are left exactly as they were.
 */
class MountsTest {
    private static final String[] CHROOT = {"-q", "-Mo", "--chroot", "/"};

    private static Result jail(RunAs as, String... args) {
        as.assume();
        return NsjailCli.run(as, args);
    }

    private static String[] withChroot(String... more) {
        List<String> a = new ArrayList<>(List.of(CHROOT));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void tmpfsMountIsWritableUnlessRo(RunAs as) {
        Result rw = jail(as, withChroot("-m", "none:/tmp:tmpfs:rw", "--", "/bin/sh", "-c", "echo x > /tmp/f && cat /tmp/f"));
        assertEquals("x\n", rw.stdout(), rw::describe);
        Result ro = jail(as, withChroot("-m", "none:/tmp:tmpfs:ro", "--", "/bin/sh", "-c", "echo x > /tmp/f || echo denied"));
        assertEquals("denied\n", ro.stdout(), ro::describe);
        Result t = jail(as, withChroot("-T", "/tmp", "--", "/bin/sh", "-c", "echo x > /tmp/f && df -k /tmp | tail -1"));
        assertEquals(0, t.exitCode(), t::describe);
        assertTrue(t.stdout().contains("4096"), () -> "-T is a 4 MiB tmpfs: " + t.describe());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void readOnlyBindIsNotWritableAndBindIsWritableThroughToTheHost(RunAs as, @TempDir Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Result ro = jail(as, withChroot("-R", dir.toString(), "--", "/bin/sh", "-c", "echo x > " + dir + "/f || echo denied"));
        assertEquals("denied\n", ro.stdout(), ro::describe);
        assertFalse(Files.exists(dir.resolve("f")));
        Result rw = jail(as, withChroot("-B", dir.toString(), "--", "/bin/sh", "-c", "echo written > " + dir + "/f"));
        assertEquals(0, rw.exitCode(), rw::describe);
        assertEquals("written\n", Files.readString(dir.resolve("f")), "the write is visible on the host");
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rootIsReadOnlyRecursivelyAndRwOnlyOnRequest(RunAs as, @TempDir Path dir) throws IOException {
        // A private chroot: with --rw the write really lands in it, so never use the host's own / here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        for (String d : List.of("proc", "bin", "lib", "lib64", "usr")) Files.createDirectories(dir.resolve(d));
        Result ro = jail(as, "-q", "-Mo", "--chroot", dir.toString(), "-R", "/bin", "-R", "/lib", "-R", "/lib64", "-R",
                "/usr", "--", "/bin/sh", "-c", "echo x > /home-file || echo denied");
        assertTrue(ro.stdout().contains("denied"), ro::describe);
        Result rw = jail(as, "-q", "-Mo", "--rw", "--chroot", dir.toString(), "-R", "/bin", "-R", "/lib", "-R", "/lib64",
                "-R", "/usr", "--", "/bin/sh", "-c", "echo x > /home-file && echo ok");
        assertEquals("ok\n", rw.stdout(), rw::describe);
        assertTrue(Files.exists(dir.resolve("home-file")));
        // Every submount of --chroot / is read-only too (nsjail's legacy backend leaves them writable).
        Result sub = jail(as, withChroot("--", "/bin/sh", "-c",
                "awk '{print $6}' /proc/self/mountinfo | grep -v '^ro' | wc -l"));
        assertEquals("0\n", sub.stdout(), () -> "every mount read-only: " + sub.describe());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void symlinkResolvesAndContentFileReadsBack(RunAs as, @TempDir Path dir) throws IOException {
        Result s = jail(as, "-q", "-Mo", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "-R", "/usr", "-T", "/dev", "-s",
                "/proc/self/fd:/dev/fd", "--", "/bin/sh", "-c", "readlink /dev/fd; test -d /dev/fd/ && echo resolves");
        assertEquals("/proc/self/fd\nresolves\n", s.stdout(), s::describe);
        // -C loads protobuf, whose jars under /root/.m2 uid 65534 may not read: the config part runs as root.
        if (as != RunAs.ROOT) return;
        Path cfg = dir.resolve("c.cfg");
        Files.writeString(cfg, """
                mount { src: "/" dst: "/" is_bind: true }
                mount { dst: "/tmp" fstype: "tmpfs" rw: true }
                mount { dst: "/tmp/greeting" src_content: "hello\\000world\\n" }
                mount { src: "/bin" dst: "/tmp/b" is_bind: true nosuid: true nodev: true noexec: true }
                mount_proc: true
                """);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r--r--"));
        Result c = jail(as, "-q", "-C", cfg.toString(), "--", "/bin/sh", "-c",
                "od -c /tmp/greeting | head -1; grep ' /tmp/b ' /proc/self/mountinfo | cut -d' ' -f6; /tmp/b/true || echo noexec");
        assertEquals(0, c.exitCode(), c::describe);
        String[] lines = c.stdout().split("\n");
        assertTrue(lines[0].contains("h   e   l   l   o  \\0   w   o   r   l   d  \\n"), c::describe);
        assertTrue(lines[1].contains("nosuid") && lines[1].contains("nodev") && lines[1].contains("noexec"), c::describe);
        assertEquals("noexec", lines[2], c::describe);
    }

    /** The project page's example, with the file-system part exact. */
    @Test
    void projectPageTreeIsExact() {
        Result r = jail(RunAs.ROOT, "-q", "-Mo", "--user", "0", "--group", "99999", "-R", "/bin/", "-R", "/lib", "-R",
                "/lib64/", "-R", "/usr/", "-R", "/sbin/", "-T", "/dev", "-R", "/dev/urandom", "--keep_caps", "--",
                "/bin/bash", "-c", "ls /; echo; ls /dev; echo; id -u; id -g");
        assertEquals(0, r.exitCode(), r::describe);
        String[] parts = r.stdout().split("\n\n");
        assertEquals(List.of("bin", "dev", "lib", "lib64", "proc", "sbin", "usr"), List.of(parts[0].split("\n")), r::describe);
        assertEquals("urandom", parts[1].strip(), r::describe);
        assertEquals("0\n99999", parts[2].strip(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void badSpecsFailWithOneLine(RunAs as) {
        for (String[] bad : List.of(
                new String[] {"-m", "none::tmpfs"}, // empty dst
                new String[] {"-m", "none:/tmp:nosuchfs"},
                new String[] {"-R", "/nonexistent-" + UUID.randomUUID()},
                new String[] {"-B", "/etc/hostname:/dev"},  // a file bound where a directory is
                new String[] {"-s", "/x:/no-such-dir/link"})) {
            List<String> a = new ArrayList<>(List.of(CHROOT));
            a.addAll(List.of(bad));
            a.addAll(List.of("--", "/bin/true"));
            Result r = jail(as, a.toArray(String[]::new));
            assertEquals(255, r.exitCode(), r::describe);
            long lines = r.stderr().lines().filter(l -> !NsjailCli.ROOT_MAPPING_WARNING.matcher(l).find()).count();
            assertEquals(1, lines, r::describe);
            assertFalse(r.stderr().contains("\tat "), r::describe);
        }
    }

    /**
     * nsjail creates work directories under /run/user and /tmp and mount points inside the chroot
     * directory on the host; jnsjail must leave the host's mount table and those directories as they were.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void hostIsUnchanged(RunAs as, @TempDir Path chroot) throws IOException {
        as.assume();
        Files.setPosixFilePermissions(chroot, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(chroot.resolve("proc"));
        String before = snapshot(chroot);
        List<String[]> runs = List.of(
                withChroot("-T", "/dev", "-s", "/proc/self/fd:/dev/fd", "-m", "none:/tmp:tmpfs", "-R", "/etc/hostname:/tmp/h",
                        "--", "/bin/true"),
                new String[] {"-q", "-Mo", "--chroot", chroot.toString(), "-T", "/dev", "-R", "/bin", "-R", "/lib",
                        "-R", "/lib64", "-R", "/usr", "--", "/bin/true"},
                new String[] {"-q", "-Mo", "--chroot", chroot.toString(), "-R", "/bin:/newdir/bin", "--", "/bin/true"},
                new String[] {"-q", "-Mo", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "-R", "/usr", "-T", "/x/y/z", "--",
                        "/bin/true"});
        for (String[] args : runs) NsjailCli.run(as, args);
        assertEquals(before, snapshot(chroot));
    }

    /** The mount table and the directories nsjail would have touched. */
    private static String snapshot(Path chroot) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f[4].startsWith("/run/netns/")) continue; // other tests' network namespaces come and go
            b.append(f[4]).append(' ').append(f[5]).append('\n'); // mount point and options
        }
        // nsjail's work dirs are named nsjail*; other files in these shared directories belong to
        // whatever else runs on the machine. The chroot directory is ours alone: all of it counts.
        for (String d : List.of("/run/user", "/tmp", "/dev/shm", chroot.toString())) {
            Path p = Path.of(d);
            if (!Files.isDirectory(p)) continue;
            boolean ours = d.equals(chroot.toString());
            try (Stream<Path> s = Files.list(p)) {
                b.append(d).append(": ").append(new TreeSet<>(s.map(x -> x.getFileName().toString())
                        .filter(n -> ours || n.startsWith("nsjail")).toList())).append('\n');
            }
        }
        return b.toString();
    }

    /** Issue 17 item 2: an empty --chroot (an unset shell variable, say) is no chroot, as in nsjail. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void emptyChrootIsNoChroot(RunAs as) {
        for (String opt : List.of("--chroot", "-c")) {
            Result r = jail(as, "-q", "-Mo", opt, "", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "-R", "/usr", "--",
                    "/bin/sh", "-c", "ls /");
            assertEquals(0, r.exitCode(), r::describe);
            assertEquals("bin\nlib\nlib64\nproc\nusr\n", r.stdout(), r::describe);
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noPivotRootBuildsTheSameTree(RunAs as) {
        Result r = jail(as, withChroot("--no_pivotroot", "--", "/bin/sh", "-c", "echo x > /f || echo ro; echo $$"));
        assertEquals("ro\n1\n", r.stdout(), r::describe);
        assertNotEquals(255, r.exitCode());
    }
}
