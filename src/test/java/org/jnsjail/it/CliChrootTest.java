package org.jnsjail.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jails on a private chroot in a temp dir, where writes cannot reach the host's files: --rw, the
 * read-only root, --disable_proc and --proc_path. The chroot holds a static busybox when
 * /bin/busybox exists (package busybox-static); otherwise the host's /usr is bound read-only into it
 * with bin, lib and lib64 symlinks, which gives the same commands.
 */
class CliChrootTest {
    @TempDir
    Path tmp;

    /** Builds the chroot and returns the options that select it (before "--"). */
    private List<String> chroot(boolean rw) throws IOException, InterruptedException {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("tmp"));
        List<String> opts = new ArrayList<>(List.of("-Mo", "-q", "--chroot", root.toString()));
        if (ItEnv.hasBusybox()) {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.copy(Path.of(ItEnv.BUSYBOX), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.setPosixFilePermissions(bin.resolve("busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Process p = new ProcessBuilder(ItEnv.BUSYBOX, "--list").redirectErrorStream(true).start();
            String applets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), applets);
            for (String a : applets.lines().toList()) {
                if (a.isBlank() || a.contains("/") || a.equals("busybox")) continue;
                Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
            }
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
            // jnsjail creates no mount points on the host, so the chroot must already hold them.
            Files.createDirectories(root.resolve("usr"));
            Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
            Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
            if (Files.isDirectory(Path.of("/usr/lib64"))) Files.createSymbolicLink(root.resolve("lib64"), Path.of("usr/lib64"));
            opts.addAll(List.of("-R", "/usr"));
        }
        // Readable for uid 65534; with --rw also writable by it.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(rw ? "rwxrwxrwx" : "rwxr-xr-x"));
        if (rw) opts.add("--rw");
        return opts;
    }

    private Result jail(RunAs as, List<String> opts, String... cmd) {
        as.assume();
        List<String> a = new ArrayList<>(opts);
        a.add("--");
        a.addAll(List.of(cmd));
        return NsjailCli.as(as).args(a).run();
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rootIsReadOnlyByDefault(RunAs as) throws Exception {
        List<String> opts = chroot(false);
        Result r = jail(as, opts, "/bin/sh", "-c", "echo hi > /x");
        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Read-only file system"), r::describe);
        assertFalse(Files.exists(tmp.resolve("root/x")));
    }

    /** With --rw the chroot is writable; the write lands in the chroot directory on the host. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rwMakesRootWritable(RunAs as) throws Exception {
        List<String> opts = chroot(true);
        Result r = jail(as, opts, "/bin/sh", "-c", "echo hi > /x && /bin/cat /x && /bin/ls -n /x");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().startsWith("hi\n"), r::describe);
        assertEquals("hi\n", Files.readString(tmp.resolve("root/x")));
        // Owned on the host by the caller's uid (the default mapping is the caller's id, 1:1).
        assertEquals(as.uid(), (int) Files.getAttribute(tmp.resolve("root/x"), "unix:uid"));
    }

    /** /proc is still read-only under --rw (only --proc_rw changes it). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void procStaysReadOnlyUnderRw(RunAs as) throws Exception {
        List<String> opts = chroot(true);
        Result r = jail(as, opts, "/bin/cat", "/proc/self/mounts");
        assertEquals(0, r.exitCode(), r::describe);
        String procLine = r.stdoutLines().stream().filter(l -> l.split(" ")[1].equals("/proc")).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError(r.describe()));
        assertTrue(procLine.split(" ")[3].startsWith("ro,"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableProcLeavesProcEmpty(RunAs as) throws Exception {
        List<String> opts = chroot(false);
        Result with = jail(as, opts, "/bin/ls", "/proc");
        assertEquals(0, with.exitCode(), with::describe);
        assertTrue(with.stdoutLines().contains("1"), with::describe);

        List<String> noProc = new ArrayList<>(opts);
        noProc.add("--disable_proc");
        Result r = jail(as, noProc, "/bin/ls", "-A", "/proc");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void procPathMountsProcElsewhere(RunAs as) throws Exception {
        List<String> opts = new ArrayList<>(chroot(false));
        Files.createDirectories(tmp.resolve("root/myproc"));
        opts.addAll(List.of("--proc_path", "/myproc"));
        Result r = jail(as, opts, "/bin/sh", "-c", "/bin/ls -A /proc; echo ---; /bin/ls /myproc");
        assertEquals(0, r.exitCode(), r::describe);
        String[] parts = r.stdout().split("---\n", 2);
        assertEquals("", parts[0], r::describe);
        assertTrue(parts[1].lines().toList().contains("1"), r::describe);
    }
}
