package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.jnsjail.it.CliExitCodesTest.once;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the jailed program sees with {@code --chroot /} (reference §1, §3.2 and the gotchas of §7). */
class CliInsideTest {
    private static final String SH = "/bin/sh";

    private static Result ok(Result r) {
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    // ---- UTS ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void hostnameIsNsjailByDefault(RunAs as) {
        assertEquals("NSJAIL\n", ok(once(as, "/bin/hostname")).stdout());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void hostnameOption(RunAs as) {
        assertEquals("foo\n", ok(once(as, List.of("-H", "foo"), "/bin/hostname")).stdout());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableCloneNewutsShowsHostsHostname(RunAs as) throws IOException {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        Result r = ok(once(as, List.of("--disable_clone_newuts", "-H", "ignored"), "/bin/hostname"));
        assertEquals(host + "\n", r.stdout(), r::describe);
    }

    // ---- user ids ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void idsAreTheCallersByDefault(RunAs as) {
        Result r = ok(once(as, SH, "-c", "/usr/bin/id -u; /usr/bin/id -g"));
        assertEquals(as.uid() + "\n" + as.gid() + "\n", r.stdout(), r::describe);
        // nsjail warns whenever an outside id of the mapping is 0 (root running it without -u/-g).
        assertEquals(as.uid() == 0, r.stderr().contains("Process will be UID/EUID=0 in the global user namespace"),
                r::describe);
        assertEquals(as.gid() == 0, r.stderr().contains("Process will be GID/EGID=0 in the global user namespace"),
                r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void insideRootWithUserAndGroupZero(RunAs as) {
        Result r = ok(once(as, List.of("-u", "0", "-g", "0"), SH, "-c", "/usr/bin/id -u; /usr/bin/id -g"));
        assertEquals("0\n0\n", r.stdout(), r::describe);
        // -u 0 maps inside 0 to the caller's uid: the warning only when that caller is root.
        assertEquals(as.uid() == 0, r.stderr().contains("Process will be UID/EUID=0 in the global user namespace"),
                r::describe);
    }

    @Test
    void explicitOutsideIdAsRoot() {
        Result r = ok(once(RunAs.ROOT, List.of("-u", "99999:99999", "-g", "99999:99999"), SH, "-c",
                "/usr/bin/id -u; /usr/bin/id -g"));
        assertEquals("99999\n99999\n", r.stdout(), r::describe);
        assertFalse(r.stderr().contains("global user namespace"), r::describe);
    }

    // ---- PID namespace ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void programIsPid1(RunAs as) {
        assertEquals("1\n", ok(once(as, SH, "-c", "echo $$")).stdout());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void procShowsOnlyJailProcesses(RunAs as) {
        Result r = ok(once(as, "/bin/ls", "/proc"));
        List<Integer> pids = r.stdoutLines().stream().filter(l -> l.matches("\\d+")).map(Integer::valueOf).toList();
        assertFalse(pids.isEmpty(), r::describe);
        assertTrue(pids.stream().allMatch(p -> p <= 10), () -> "pids " + pids + "\n" + r.describe());
        assertTrue(pids.contains(1), r::describe);
    }

    /** Without a PID namespace of its own the jail cannot mount a procfs (see below): --disable_proc. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableCloneNewpid(RunAs as) {
        Result r = ok(once(as, List.of("--disable_clone_newpid", "--disable_proc"), SH, "-c", "echo $$"));
        assertNotEquals("1", r.stdout().trim(), r::describe);
        assertTrue(Integer.parseInt(r.stdout().trim()) > 1, r::describe);
    }

    /**
     * Documents a kernel rule that nsjail shares: mounting procfs needs CAP_SYS_ADMIN in the user
     * namespace owning the PID namespace, and the host's is not the jail's, so the default /proc
     * mount fails with EPERM: 255 and one line naming the mount.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableCloneNewpidWithProcFails(RunAs as) {
        Result r = once(as, List.of("--disable_clone_newpid"), SH, "-c", "echo $$");
        assertEquals(255, r.exitCode(), r::describe);
        String line = CliErrorsTest.oneLine(r);
        assertTrue(line.contains("/proc") && line.contains("Operation not permitted"), r::describe);
        CliErrorsTest.assertNoStackTrace(r);
    }

    // ---- network ----

    /**
     * Only lo, and lo is up. /sys/class/net is not usable for this: the recursive bind of / shows
     * the host's sysfs, whose net entries belong to the network namespace that mounted it. The FIB
     * of the jail's own namespace holds 127.0.0.1 exactly when lo is up.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void newNetworkNamespaceHasOnlyLoopbackAndItIsUp(RunAs as) {
        Result r = ok(once(as, SH, "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie"));
        String[] parts = r.stdout().split("---\n", 2);
        List<String> ifaces = parts[0].lines().skip(2).map(l -> l.trim().split(":")[0]).toList();
        assertEquals(List.of("lo"), ifaces, r::describe);
        assertTrue(parts[1].contains("127.0.0.1"), () -> "lo is not up\n" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void ifaceNoLoLeavesLoopbackDown(RunAs as) {
        Result r = ok(once(as, List.of("--iface_no_lo"), "/bin/cat", "/proc/net/fib_trie"));
        assertFalse(r.stdout().contains("127.0.0.1"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableCloneNewnetShowsHostInterfaces(RunAs as) throws IOException {
        Set<String> host = interfaces(Files.readString(Path.of("/proc/net/dev")));
        for (String opt : List.of("-N", "--disable_clone_newnet")) {
            Result r = ok(once(as, List.of(opt), "/bin/cat", "/proc/net/dev"));
            assertEquals(host, interfaces(r.stdout()), r::describe);
        }
    }

    private static Set<String> interfaces(String procNetDev) {
        Set<String> s = new TreeSet<>();
        procNetDev.lines().skip(2).forEach(l -> s.add(l.trim().split(":")[0]));
        return s;
    }

    // ---- mounts ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rootIsReadOnly(RunAs as) {
        Result r = once(as, "/bin/touch", "/x-jnsjail-it");
        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Read-only file system"), r::describe);
        assertFalse(Files.exists(Path.of("/x-jnsjail-it")));
    }

    /** The jail's procfs is read-only: a write that the uid could otherwise attempt fails with EROFS. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void procIsReadOnlyByDefault(RunAs as) {
        Result r = once(as, SH, "-c", "echo x > /proc/sys/kernel/hostname");
        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Read-only file system"), r::describe);
        Result m = ok(once(as, "/bin/cat", "/proc/self/mounts"));
        assertTrue(procMountOptions(m.stdout()).startsWith("ro,"), m::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void procRw(RunAs as) {
        Result m = ok(once(as, List.of("--proc_rw"), "/bin/cat", "/proc/self/mounts"));
        String opts = procMountOptions(m.stdout());
        assertTrue(opts.startsWith("rw,"), m::describe);
        // nosuid,nodev,noexec as upstream nsjail (PR #283)
        assertTrue(opts.contains("nosuid") && opts.contains("nodev") && opts.contains("noexec"), m::describe);
    }

    /** Options of the topmost procfs mounted at /proc (the jail's own, over the host's one seen through the bind). */
    private static String procMountOptions(String mounts) {
        String opts = null;
        for (String l : mounts.lines().toList()) {
            String[] f = l.split(" ");
            if (f.length > 3 && f[1].equals("/proc") && f[2].equals("proc")) opts = f[3];
        }
        assertTrue(opts != null, "no proc at /proc in\n" + mounts);
        return opts;
    }

    /**
     * nsjail gotcha 2/7, fixed: with --chroot / the recursive bind brings the host's /proc along, and
     * --disable_proc would show the host's processes. jnsjail covers it with an empty read-only tmpfs.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableProcWithChrootSlashHidesTheHostsProc(RunAs as) {
        Result r = ok(once(as, List.of("--disable_proc"), "/bin/ls", "-A", "/proc"));
        assertEquals("", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void cwdOption(RunAs as) {
        assertEquals("/tmp\n", ok(once(as, List.of("-D", "/tmp"), SH, "-c", "pwd")).stdout());
        assertEquals("/\n", ok(once(as, SH, "-c", "pwd")).stdout());
    }

    // ---- environment ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void environmentIsEmptyByDefault(RunAs as) {
        Result r = NsjailCli.as(assumed(as)).env("JNSJAIL_IT_MARKER", "m1")
                .args("-Mo", "-q", "--chroot", "/", "--", "/usr/bin/env").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void keepEnv(RunAs as) {
        Result r = NsjailCli.as(assumed(as)).env("JNSJAIL_IT_MARKER", "m2")
                .args("-Mo", "-q", "--chroot", "/", "-e", "--", "/usr/bin/env").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdoutLines().contains("JNSJAIL_IT_MARKER=m2"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void envOption(RunAs as) {
        Result r = NsjailCli.as(assumed(as)).env("HOME", "/it-home").env("JNSJAIL_IT_MARKER", "m3")
                .args("-Mo", "-q", "--chroot", "/", "-E", "FOO=bar", "-E", "HOME", "--", "/usr/bin/env").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("FOO=bar", "HOME=/it-home"), r.stdoutLines(), r::describe);
    }

    private static RunAs assumed(RunAs as) {
        as.assume();
        return as;
    }

    // ---- fds ----

    /**
     * Only 0, 1 and 2 reach the program: no supervisor fd leaks. The shell (PID 1) lists its own fds
     * through a child, so the lister's directory fd is not counted; "; true" stops dash from exec'ing ls.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void onlyStdioFdsAreOpen(RunAs as) {
        Result r = ok(once(as, SH, "-c", "/bin/ls /proc/$$/fd; true"));
        assertEquals(List.of("0", "1", "2"), r.stdoutLines(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void passFdKeepsThatFd(RunAs as) {
        Result r = NsjailCli.as(assumed(as)).withFd5()
                .args("-Mo", "-q", "--chroot", "/", "--pass_fd", "5", "--", SH, "-c", "/bin/ls /proc/$$/fd; true")
                .run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("0", "1", "2", "5"), r.stdoutLines(), r::describe);
        // Without --pass_fd the same inherited fd 5 is closed.
        Result r2 = NsjailCli.as(as).withFd5()
                .args("-Mo", "-q", "--chroot", "/", "--", SH, "-c", "/bin/ls /proc/$$/fd; true").run();
        assertEquals(List.of("0", "1", "2"), r2.stdoutLines(), r2::describe);
    }

    // ---- stdio options ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void silentDiscardsOutput(RunAs as) {
        Result r = once(as, List.of("--silent"), SH, "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertFalse(r.stderr().contains("err"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void stderrToNull(RunAs as) {
        Result r = ok(once(as, List.of("--stderr_to_null"), SH, "-c", "echo out; echo errmarker >&2"));
        assertEquals("out\n", r.stdout(), r::describe);
        assertFalse(r.stderr().contains("errmarker"), r::describe);
    }

    // ---- time namespace ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void enableCloneNewtime(RunAs as) throws IOException {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString();
        Result r = ok(once(as, List.of("--enable_clone_newtime"), "/usr/bin/readlink", "/proc/self/ns/time"));
        assertTrue(r.stdout().startsWith("time:["), r::describe);
        assertNotEquals(host, r.stdout().trim(), r::describe);
        Result plain = ok(once(as, "/usr/bin/readlink", "/proc/self/ns/time"));
        assertEquals(host, plain.stdout().trim(), plain::describe);
    }
}
