package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What depends on the kernel's version, on Debian 12's 6.1 (in the test VM, see {@link
 * KernelVmTest}); the other suites run there too (MountsTest for the mount set-up, UnotifyTest for
 * seccomp user notification, CgroupV2VmTest for clone3 CLONE_INTO_CGROUP). Here: that it is that
 * kernel, time namespaces, Kafel policies, an unprivileged caller's user namespace, and that the
 * resident server serves there although 6.1 has no SO_PEERPIDFD (Linux 6.5): it falls back to
 * pidfd_open on the peer's pid.
 */
@Tag("vm-guest")
class Kernel61VmTest {
    @BeforeEach
    void inTheVm() {
        CgroupV2VmTest.assumeVm();
    }

    @Test
    void theKernelIsDebian12s() throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertTrue(release.matches("6\\.1\\.\\d+-\\d+-amd64"), release);
    }

    @Test
    void timeNamespaceIsTheJailsOwn() throws IOException {
        RunAs.ROOT.assume();
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString();
        Result r = NsjailCli.run(RunAs.ROOT, "-q", "-Mo", "--chroot", "/", "--enable_clone_newtime", "--", "/bin/sh", "-c",
                "readlink /proc/self/ns/time; cat /proc/self/timens_offsets");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdoutLines().get(0).matches("time:\\[\\d+\\]"), r::describe);
        assertNotEquals(mine, r.stdoutLines().get(0), r::describe);
        // nsjail sets no offsets: the clocks read as outside.
        assertTrue(Pattern.compile("(?m)^monotonic +0 +0$").matcher(r.stdout()).find(), r::describe);
        Result without = NsjailCli.run(RunAs.ROOT, "-q", "-Mo", "--chroot", "/", "--", "/bin/readlink", "/proc/self/ns/time");
        assertEquals(mine, without.stdout().strip(), without::describe);
    }

    @Test
    void kafelPolicyKillsWith159() {
        RunAs.ROOT.assume();
        Result r = NsjailCli.run(RunAs.ROOT, "-Mo", "--chroot", "/", "--seccomp_string", "KILL { write } DEFAULT ALLOW", "--",
                "/bin/echo", "hello");
        assertEquals(159, r.exitCode(), r::describe);
        assertFalse(r.stdout().contains("hello"), r::describe);
    }

    @Test
    void unotifyReportNamesTheFilesOpened(@TempDir Path dir) throws IOException {
        RunAs.ROOT.assume();
        Path report = dir.resolve("report.txt");
        Result r = NsjailCli.run(RunAs.ROOT, "-Mo", "--chroot", "/", "--seccomp_unotify", "--seccomp_unotify_report",
                report.toString(), "--", "/bin/cat", "/etc/hostname");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(Files.readString(report).contains("path: \"/etc/hostname\""), r::describe);
    }

    @Test
    void unprivilegedCallerGetsItsUserNamespace() {
        RunAs.NOBODY.assume();
        Result r = NsjailCli.run(RunAs.NOBODY, "-q", "-Mo", "--chroot", "/", "--", "/bin/sh", "-c", "id -u; readlink /proc/self/ns/user");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("65534", r.stdoutLines().get(0), r::describe);
    }

    @Test
    void theServerServesWithoutSoPeerPidfd() {
        RunAs.ROOT.assume();
        long server = TestServers.serverFor(RunAs.ROOT).pid();
        // Without a PID namespace the jail sees its supervisor's pid: the server's, not its client's (a
        // cold run would be the client's process itself, exec'd into the JVM).
        Result r;
        long client;
        try (NsjailCli.Running run = NsjailCli.as(RunAs.ROOT).served().args("-v", "-Mo", "--chroot", "/",
                "--disable_clone_newpid", "--disable_proc", "--", "/bin/sh", "-c", "echo $PPID").start()) {
            client = run.pid();
            r = run.await(NsjailCli.DEFAULT_TIMEOUT);
        }
        assertEquals(0, r.exitCode(), r::describe);
        assertFalse(r.stderr().contains("did not take this run"), r::describe);
        long supervisor = Long.parseLong(r.stdout().strip());
        assertNotEquals(client, supervisor, r::describe);
        assertTrue(supervisor == server || ProcessHandle.of(supervisor).flatMap(ProcessHandle::parent)
                .map(ProcessHandle::pid).orElse(-1L) == server, () -> "the server is " + server + "\n" + r.describe());
    }
}
