package org.jnsjail.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailOutcome;
import org.jnsjail.model.JailIo;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * --status_file / --status_fd (issue 20 item 1): one JSON object per jail, each cause for real: a
 * normal exit, the time limit, an OOM kill under a v1 memory cgroup, a seccomp kill, a signal (the
 * kernel's RLIMIT_CPU SIGKILL), the supervisor's own kill, a failed start; JSON lines in RERUN and
 * LISTEN (with the client's address); the same data from the Java API.
 */
class OutcomeTest {
    /** {@code -Mo -q --chroot / --status_fd 1 extra... -- cmd...}: the program prints nothing, stdout is the status. */
    private static JsonObject status(RunAs as, List<String> extra, String... cmd) {
        as.assume();
        List<String> a = new ArrayList<>(List.of("-Mo", "-q", "--chroot", "/", "--status_fd", "1"));
        a.addAll(extra);
        a.add("--");
        a.addAll(List.of(cmd));
        Result r = NsjailCli.as(as).args(a).run();
        List<String> lines = r.stdoutLines();
        assertEquals(1, lines.size(), r::describe);
        JsonObject o = JsonParser.parseString(lines.getFirst()).getAsJsonObject();
        assertEquals(r.exitCode(), o.get("status").getAsInt(), r::describe);
        return o;
    }

    private static void usage(JsonObject o) {
        assertTrue(o.get("pid").getAsInt() > 0, o::toString);
        assertTrue(o.get("wall_time_sec").getAsDouble() > 0, o::toString);
        assertTrue(o.get("user_time_sec").getAsDouble() >= 0, o::toString);
        assertTrue(o.get("system_time_sec").getAsDouble() >= 0, o::toString);
        assertTrue(o.get("peak_memory_bytes").getAsLong() > 0, o::toString);
        for (String k : List.of("cause", "status", "exit_code", "signal", "signal_name", "cpu_time_source",
                "peak_memory_source", "peak_pids", "seccomp", "remote", "error")) {
            assertTrue(o.has(k), "key " + k + " missing: " + o);
        }
    }

    private static boolean isNull(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull();
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void normalExit(RunAs as) {
        JsonObject o = status(as, List.of(), "/bin/sh", "-c", "exit 3");
        usage(o);
        assertEquals("exited", o.get("cause").getAsString());
        assertEquals(3, o.get("exit_code").getAsInt());
        assertTrue(isNull(o, "signal") && isNull(o, "seccomp") && isNull(o, "remote") && isNull(o, "error"), o::toString);
        assertEquals("rusage", o.get("peak_memory_source").getAsString());
        assertEquals("rusage", o.get("cpu_time_source").getAsString());
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void timeLimit(RunAs as) {
        JsonObject o = status(as, List.of("-t", "1"), "/bin/sleep", "10");
        usage(o);
        assertEquals("time_limit", o.get("cause").getAsString());
        assertEquals(9, o.get("signal").getAsInt());
        assertEquals("SIGKILL", o.get("signal_name").getAsString());
        assertEquals(137, o.get("status").getAsInt());
        assertTrue(o.get("wall_time_sec").getAsDouble() >= 0.9, o::toString);
    }

    /** RLIMIT_CPU's hard limit: the kernel's SIGKILL reaches even a PID 1 (reference §3.6). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void killedBySignal(RunAs as) {
        JsonObject o = status(as, List.of("--rlimit_cpu", "1"), "/bin/sh", "-c", "while :; do :; done");
        usage(o);
        assertEquals("signaled", o.get("cause").getAsString());
        assertEquals(9, o.get("signal").getAsInt());
        assertTrue(isNull(o, "exit_code"), o::toString);
        // It spent the CPU second it was allowed: the rusage of the reaped PID 1 shows a good part of it
        // (ru_utime/ru_stime are scaled from ticks, so they can fall short of the limit's own clock).
        double cpu = o.get("user_time_sec").getAsDouble() + o.get("system_time_sec").getAsDouble();
        assertTrue(cpu >= 0.25, o::toString);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void seccompViolation(RunAs as) {
        JsonObject o = status(as, List.of("--seccomp_string", "KILL { newuname } DEFAULT ALLOW"), "/bin/uname");
        usage(o);
        assertEquals("seccomp_violation", o.get("cause").getAsString());
        assertEquals(31, o.get("signal").getAsInt());
        assertEquals(159, o.get("status").getAsInt());
        JsonObject sc = o.getAsJsonObject("seccomp");
        assertNotNull(sc, o::toString);
        if (as == RunAs.ROOT) {
            // Root reads the kernel's audit record of the kill from /dev/kmsg.
            assertEquals("newuname", sc.get("syscall").getAsString(), o::toString);
            assertEquals(63, sc.get("number").getAsInt(), o::toString);
            assertEquals("x86_64", sc.get("arch").getAsString(), o::toString);
        }
    }

    /** A v1 memory cgroup: the OOM killer's kill, and the cgroup's peak. */
    @Test
    void oomKillUnderAV1MemoryCgroup() {
        RunAs.ROOT.assume();
        if (!Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) Assumptions.abort("no cgroup v1 memory hierarchy");
        long limit = 32L << 20;
        JsonObject o = status(RunAs.ROOT, List.of("--cgroup_mem_max", Long.toString(limit), "--rlimit_as", "max",
                "--cgroup_pids_max", "16"), "/usr/bin/perl", "-e", "$x = 'a' x (256 << 20); print length $x");
        usage(o);
        assertEquals("oom_killed", o.get("cause").getAsString());
        assertEquals(9, o.get("signal").getAsInt());
        assertEquals("cgroup", o.get("peak_memory_source").getAsString());
        long peak = o.get("peak_memory_bytes").getAsLong();
        assertTrue(peak > limit / 2 && peak <= limit, o::toString);
        assertTrue(o.get("peak_pids").getAsLong() >= 1, o::toString);
    }

    /** SIGTERM to the supervisor: the jail is killed by it. */
    @Test
    void killedBySupervisor() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        try (Running r = NsjailCli.as(as).args("-Mo", "--chroot", "/", "--status_fd", "1", "--", "/bin/sleep", "30")
                .cold().start()) {
            awaitStderr(r, "Executing '/bin/sleep'");
            r.signal(Signals.SIGTERM);
            Result res = r.await(Duration.ofSeconds(30));
            assertEquals(143, res.exitCode(), res::describe);
            JsonObject o = JsonParser.parseString(res.stdoutLines().getFirst()).getAsJsonObject();
            assertEquals("killed_by_supervisor", o.get("cause").getAsString());
            assertEquals(9, o.get("signal").getAsInt());
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void setupFailure(RunAs as) {
        JsonObject o = status(as, List.of(), "/does/not/exist");
        assertEquals("setup_failed", o.get("cause").getAsString());
        assertEquals(255, o.get("status").getAsInt());
        assertTrue(o.get("error").getAsString().contains("execve('/does/not/exist') failed"), o::toString);
    }

    /** --status_file: created by the caller (root or 65534), one object and a newline. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void statusFile(RunAs as, @TempDir Path dir) throws IOException {
        as.assume();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path f = dir.resolve("status.json");
        Result r = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--status_file", f.toString(), "--",
                "/bin/echo", "hi").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("hi\n", r.stdout(), r::describe);
        String text = Files.readString(f);
        assertTrue(text.endsWith("}\n") && text.lines().count() == 1, text);
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        assertEquals("exited", o.get("cause").getAsString());
        assertEquals(as.uid(), (int) Files.getAttribute(f, "unix:uid"));
    }

    /** A config's status_file field (number 1000) works as the option does. */
    @Test
    void statusFileFromAConfig(@TempDir Path dir) throws IOException {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path f = dir.resolve("s.json"), cfg = dir.resolve("j.cfg");
        Files.writeString(cfg, "mode: ONCE\nstatus_file: \"" + f + "\"\nmount { src: \"/\" dst: \"/\" is_bind: true }\n");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r--r--"));
        Result r = NsjailCli.as(as).args("-q", "-C", cfg.toString(), "--", "/bin/sh", "-c", "exit 4").run();
        assertEquals(4, r.exitCode(), r::describe);
        assertEquals(4, JsonParser.parseString(Files.readString(f)).getAsJsonObject().get("exit_code").getAsInt());
    }

    @Test
    void badStatusOptionsAreOneLine(@TempDir Path dir) {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--status_file", dir.resolve("no/such/dir/s").toString(),
                "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertEquals(1, r.significantStderrLines().size(), r::describe);
        assertTrue(r.stderr().contains("Couldn't open the status file") && r.stderr().contains("No such file or directory"),
                r::describe);
        r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--status_fd", "77", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Couldn't use the status fd 77: Bad file descriptor"), r::describe);
        r = NsjailCli.run(as, "-Me", "--chroot", "/", "--status_fd", "1", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("--status_fd cannot be used with -Me"), r::describe);
        r = NsjailCli.run(as, "--status_fd", "1", "--status_file", "x", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("cannot both be given"), r::describe);
        assertFalse(Files.exists(Path.of("x")));
    }

    /** RERUN: one JSON line per jail. */
    @Test
    void rerunWritesJsonLines(@TempDir Path dir) throws IOException {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path f = dir.resolve("s.jsonl");
        try (Running r = NsjailCli.as(as).args("-Mr", "-q", "--chroot", "/", "--status_file", f.toString(), "--",
                "/bin/sh", "-c", "exit 5").cold().start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lines(f).size() < 3) {
                if (System.nanoTime() > deadline) fail("fewer than 3 status lines:\n" + lines(f) + r.stderrSoFar());
                sleep(20);
            }
            r.signal(Signals.SIGTERM);
            Result res = r.await(Duration.ofSeconds(30));
            assertEquals(143, res.exitCode(), res::describe);
        }
        List<String> lines = lines(f);
        for (String l : lines.subList(0, 3)) {
            JsonObject o = JsonParser.parseString(l).getAsJsonObject();
            assertEquals(5, o.get("exit_code").getAsInt(), l);
        }
    }

    /** LISTEN: each jail's line carries the client's address. */
    @Test
    void listenNamesTheRemoteAddress(@TempDir Path dir) throws IOException {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path f = dir.resolve("s.jsonl");
        Pattern listening = Pattern.compile("Listening on \\[[^\\]]*\\]:(\\d+)");
        try (Running r = NsjailCli.as(as).args("-Ml", "--chroot", "/", "--port", "0", "--status_file", f.toString(),
                "--", "/bin/sh", "-c", "echo hi; exit 6").cold().timeout(Duration.ofMinutes(2)).start()) {
            awaitStderr(r, "Listening on");
            Matcher m = listening.matcher(r.stderrSoFar());
            assertTrue(m.find(), r.stderrSoFar());
            int port = Integer.parseInt(m.group(1));
            int localPort;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                s.setSoTimeout(20_000);
                localPort = s.getLocalPort();
                assertEquals("hi\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lines(f).isEmpty()) {
                if (System.nanoTime() > deadline) fail("no status line:\n" + r.stderrSoFar());
                sleep(20);
            }
            JsonObject o = JsonParser.parseString(lines(f).getFirst()).getAsJsonObject();
            assertEquals("exited", o.get("cause").getAsString());
            assertEquals(6, o.get("exit_code").getAsInt());
            assertEquals("[::ffff:127.0.0.1]:" + localPort, o.get("remote").getAsString(), o::toString);
            r.signal(Signals.SIGTERM);
            assertEquals(0, r.await(Duration.ofSeconds(30)).exitCode());
        }
    }

    /** The Java API: the same record from the handle. */
    @Test
    void apiOutcome() throws Exception {
        ItEnv.assumeUserNamespaces();
        try (JailHandle h = Spawner.get().start(SpawnerTest.spec("/bin/sh", "-c", "exit 9").build(), JailIo.INHERIT)) {
            h.waitFor();
            JailOutcome o = h.outcome();
            assertNotNull(o);
            assertEquals(JailOutcome.Cause.EXITED, o.cause());
            assertEquals(9, o.exitCode());
            assertEquals(h.pid(), o.pid());
            assertTrue(o.usage().wallNanos() > 0 && o.usage().peakMemoryBytes() > 0, o::toString);
            assertEquals(JsonParser.parseString(o.toJson()).getAsJsonObject().get("exit_code").getAsInt(), 9);
        }
        try (JailHandle h = Spawner.get().start(SpawnerTest.spec("/bin/sleep", "30").build(), JailIo.INHERIT)) {
            h.signal(Signals.SIGKILL, JailOutcome.Cause.TIME_LIMIT);
            h.waitFor();
            assertEquals(JailOutcome.Cause.TIME_LIMIT, h.outcome().cause());
        }
    }

    /** Odd strings stay valid JSON. */
    @Test
    void jsonEscapes() {
        JailOutcome o = JailOutcome.setupFailed("a \"quoted\" \\ path\nwith\tcontrol \u0001 chars", "x");
        JsonObject j = JsonParser.parseString(o.toJson()).getAsJsonObject();
        assertEquals("a \"quoted\" \\ path\nwith\tcontrol \u0001 chars", j.get("error").getAsString());
        assertEquals("setup_failed", j.get("cause").getAsString());
    }

    private static List<String> lines(Path f) throws IOException {
        if (!Files.exists(f)) return List.of();
        // Only complete lines: a line is written whole, but may be read while being written.
        String s = Files.readString(f);
        int end = s.lastIndexOf('\n');
        return end < 0 ? List.of() : s.substring(0, end).lines().toList();
    }

    static void awaitStderr(Running r, String needle) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!r.stderrSoFar().contains(needle)) {
            if (System.nanoTime() > deadline) fail("no '" + needle + "' in the log:\n" + r.stderrSoFar());
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
