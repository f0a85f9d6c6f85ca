package org.jnsjail.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * --seccomp_unotify end to end (reference §3.14): the report in the log and in the report file, as
 * root and as uid 65534; every LISTEN jail traced, concurrently; observation only (the jail's exit
 * status and its syscalls' results are its own); a user policy's stricter action still wins.
 */
class UnotifyTest {
    private static final String SCRIPT = "cat /etc/hostname; ls /nonexistent; exec 3<>/dev/tcp/127.0.0.1/9";
    private Path dir;

    /** A directory uid 65534 can write the report into. */
    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("jnsjail-unotify-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void removeDir() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** The report text that follows "unotify report:" in the log (up to the end of stderr). */
    private static String loggedReport(Result r) {
        int i = r.stderr().indexOf("] unotify report:\n");
        if (i < 0) fail("no report in the log\n" + r.describe());
        return r.stderr().substring(r.stderr().indexOf('\n', i) + 1);
    }

    /** The fs_access block whose path is exactly {@code path}, and whose text contains {@code also}. */
    private static String fsBlock(String report, String path, String also) {
        for (String b : report.split("(?m)^(?=fs_access \\{|net_access \\{)")) {
            if (b.startsWith("fs_access {\n  path: \"" + path + "\"\n") && b.contains(also)) return b;
        }
        throw new AssertionError("no fs_access for " + path + " with '" + also + "' in\n" + report);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void reportInTheLogAndInTheFile(RunAs as) throws IOException {
        as.assume();
        Path file = dir.resolve("report.txt");
        Result r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--seccomp_unotify", "--seccomp_unotify_report",
                file.toString(), "--", "/bin/bash", "-c", SCRIPT);
        assertEquals(1, r.exitCode(), "bash's own status (the connect is refused)\n" + r.describe());
        assertTrue(r.stderr().contains("Connection refused"), r.describe());
        String report = loggedReport(r);
        assertEquals(Files.readString(file), report, "the file holds the logged text");

        assertTrue(fsBlock(report, "/bin/bash", "execve").contains(
                "    name: \"execve\"\n    args: \"argv[0]=/bin/bash argv[1]=-c argv[2]=" + SCRIPT + " \"\n"), report);
        String hostname = fsBlock(report, "/etc/hostname", "mode: RDONLY");
        assertTrue(hostname.contains("  jail_type: REGULAR\n  main_type: REGULAR\n  mode: RDONLY\n"), hostname);
        assertTrue(hostname.contains("    name: \"openat\"\n    args: \"dirfd=AT_FDCWD \"\n"), hostname);
        assertTrue(hostname.contains("  exists_in_jail: true\n  exists_in_main: true\n"), hostname);
        assertTrue(fsBlock(report, "/usr/bin/ls", "execve").contains("args: \"argv[0]=ls argv[1]=/nonexistent "), report);
        String missing = fsBlock(report, "/usr/local/bin/cat", "newfstatat");
        assertTrue(missing.contains("  exists_in_jail: false\n  exists_in_main: false\n"), missing);
        assertTrue(report.contains("""
                net_access {
                  type: IPV4
                  endpoint: "127.0.0.1"
                  count: 1
                  syscall {
                    name: "connect"
                    args: "type=SOCK_STREAM (IPPROTO_TCP) "
                    count: 1
                  }
                  port: 9
                }
                """), report);
    }

    @Test
    void theJailsExitStatusAndSyscallResultsAreItsOwn() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        String script = "test -e /etc/hostname && ! test -e /nonexistent && cd /proc && mkdir /x 2>/dev/null; echo rc=$?; exit 7";
        Result plain = NsjailCli.run(as, "-Mo", "-q", "--chroot", "/", "--", "/bin/bash", "-c", script);
        Result traced = NsjailCli.run(as, "-Mo", "-q", "--chroot", "/", "--seccomp_unotify", "--", "/bin/bash", "-c", script);
        assertEquals(7, plain.exitCode(), plain.describe());
        assertEquals(7, traced.exitCode(), traced.describe());
        assertEquals("rc=1\n", plain.stdout(), plain.describe());
        assertEquals(plain.stdout(), traced.stdout());
        assertFalse(traced.stderr().contains("unotify report"), "-q: INFO lines, the report among them, are off");
    }

    @Test
    void aStricterUserPolicyStillWins() throws IOException {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Path file = dir.resolve("r");
        Result r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--seccomp_unotify", "--seccomp_unotify_report",
                file.toString(), "--seccomp_string", "ERRNO(1) { mkdir, mkdirat } DEFAULT ALLOW", "--",
                "/bin/mkdir", "/blocked-by-policy");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("cannot create directory '/blocked-by-policy': Operation not permitted"),
                "EPERM from the user policy, not EROFS\n" + r.describe());
        String report = Files.readString(file);
        assertTrue(report.contains("argv[0]=/bin/mkdir argv[1]=/blocked-by-policy "), report);
        assertFalse(report.contains("name: \"mkdir"), "the ERRNO action wins over USER_NOTIF: never notified\n" + report);

        Result killed = NsjailCli.run(as, "-Mo", "--chroot", "/", "--seccomp_unotify", "--seccomp_string",
                "KILL_PROCESS { chdir } DEFAULT ALLOW", "--", "/bin/bash", "-c", "cd /tmp; echo after");
        assertEquals(159, killed.exitCode(), killed.describe());
        assertFalse(killed.stdout().contains("after"), killed.describe());
        assertFalse(loggedReport(killed).contains("name: \"chdir\""), killed.describe());
    }

    @Test
    void listenTracesEveryJailConcurrently() throws IOException {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Path file = dir.resolve("listen.txt");
        try (Running run = NsjailCli.as(as).args("-Ml", "--chroot", "/", "--port", "0", "--seccomp_unotify",
                "--seccomp_unotify_report", file.toString(), "--", "/bin/sh", "-c",
                "read x; /bin/ls -d /nonexistent-$x 2>/dev/null; echo done-$x").timeout(Duration.ofMinutes(2)).start()) {
            int port = port(run);
            try (Socket a = connect(port); Socket b = connect(port)) {
                // Both jails are up (each waits in read) before either makes a traced syscall.
                awaitCount(run, "Executing '/bin/sh'", 2);
                assertEquals("done-b", roundTrip(b, "b"));
                assertEquals("done-a", roundTrip(a, "a"));
            }
            awaitCount(run, "(PIDs left: 0)", 1);
            run.signal(Signals.SIGTERM);
            Result r = run.await(Duration.ofSeconds(30));
            assertEquals(0, r.exitCode(), r.describe());
            String report = Files.readString(file);
            assertEquals(report, loggedReport(r));
            assertTrue(report.contains("args: \"argv[0]=/bin/ls argv[1]=-d argv[2]=/nonexistent-a "), report);
            assertTrue(report.contains("args: \"argv[0]=/bin/ls argv[1]=-d argv[2]=/nonexistent-b "), report);
            String sh = fsBlock(report, "/bin/sh", "execve");
            assertTrue(sh.contains("  count: 2\n"), "both jails' /bin/sh in one entry\n" + sh);
        }
    }

    private static final Pattern LISTENING = Pattern.compile("Listening on \\[[^\\]]*\\]:(\\d+)");

    private static int port(Running run) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            Matcher m = LISTENING.matcher(run.stderrSoFar());
            if (m.find()) return Integer.parseInt(m.group(1));
            if (System.nanoTime() > deadline) fail("no 'Listening on' line:\n" + run.stderrSoFar());
            sleep();
        }
    }

    private static void awaitCount(Running run, String needle, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            String s = run.stderrSoFar();
            int count = 0;
            for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) count++;
            if (count >= n) return;
            if (System.nanoTime() > deadline) fail(n + " x '" + needle + "' expected in the log:\n" + s);
            sleep();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String roundTrip(Socket s, String line) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n';) b.append((char) c);
        return b.toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
