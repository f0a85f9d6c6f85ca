package org.jnsjail.unotify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jnsjail.log.Log;
import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy text and the report at exit (log lines and file). */
class UnotifyTest {
    @Test
    void policyIsNsjails() throws Exception {
        assertEquals("POLICY unotify { USER_NOTIF { open, newstat, newlstat, access, chmod, chown, lchown, readlink, "
                + "mkdir, mknod, rmdir, unlink, execve, chdir, chroot, openat, openat2, newfstatat, faccessat, fchmodat, "
                + "fchownat, readlinkat, mkdirat, mknodat, unlinkat, execveat, rename, link, symlink, renameat, renameat2, "
                + "linkat, symlinkat, connect, bind, sendto, socket } } USE unotify DEFAULT ALLOW", Unotify.policy());
        assertTrue(KafelCompiler.compile(Unotify.policy(), KafelOptions.defaults()).length() > 0);
    }

    @Test
    void everyTracedSyscallHasItsX8664Number() {
        for (TracedSyscall s : TracedSyscall.values()) {
            int nr = org.jnsjail.seccomp.SyscallTable.of(org.jnsjail.seccomp.Arch.X86_64).byName(s.kafelName).nr();
            assertEquals(s, TracedSyscall.of(org.jnsjail.seccomp.Arch.X86_64, nr));
        }
        assertEquals(TracedSyscall.OPENAT, TracedSyscall.of(org.jnsjail.seccomp.Arch.X86_64, 257));
        assertEquals(TracedSyscall.OPEN, TracedSyscall.of(org.jnsjail.seccomp.Arch.X86, 5), "i386 open is 5");
        assertEquals(null, TracedSyscall.of(org.jnsjail.seccomp.Arch.X86_64, 5), "x86_64 5 is fstat");
        assertEquals(null, TracedSyscall.of(org.jnsjail.seccomp.Arch.X86_64, 100_000));
        assertEquals(null, TracedSyscall.of(null, 2));
    }

    @Test
    void reportLogsAndWritesTheFileThenClears(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log");
        Path file = dir.resolve("report.txt");
        Files.writeString(file, "old content that is longer than nothing, to be truncated".repeat(100));
        Stats stats = ReportTextTest.sample();
        Log.toFile(log.toString());
        try {
            Unotify.report(stats, file.toString());
            Unotify.report(stats, dir.resolve("second").toString());
        } finally {
            Log.toStderr();
        }
        assertEquals(ReportTextTest.EXPECTED, Files.readString(file));
        String logged = Files.readString(log);
        assertTrue(logged.matches("(?s)\\[I]\\[[^]]+] unotify report:\n" + java.util.regex.Pattern.quote(ReportTextTest.EXPECTED)),
                logged);
        assertFalse(Files.exists(dir.resolve("second")), "an empty report writes nothing");
        int mode = (Integer) Files.getAttribute(file, "unix:mode") & 0777;
        assertEquals(0, mode & ~0644, "created 0644 (less the umask): " + Integer.toOctalString(mode));
    }

    @Test
    void anUnwritableReportFileIsAWarning(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log");
        Log.toFile(log.toString());
        try {
            Unotify.report(ReportTextTest.sample(), dir.resolve("no/such/dir/report").toString());
        } finally {
            Log.toStderr();
        }
        String logged = Files.readString(log);
        assertTrue(logged.contains("unotify report:\nfs_access {"), logged);
        assertTrue(logged.matches("(?s).*\\[W]\\[[^]]+]\\[\\d+] Failed to write unotify report to " + dir
                + "/no/such/dir/report: No such file or directory\n"), logged);
    }

    @Test
    void nothingRecordedNothingPrinted(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log");
        Log.toFile(log.toString());
        try {
            Unotify.report(new Stats(Stats.DEFAULT_MAX_BYTES), dir.resolve("r").toString());
        } finally {
            Log.toStderr();
        }
        assertEquals("", Files.readString(log));
        assertFalse(Files.exists(dir.resolve("r")));
    }
}
