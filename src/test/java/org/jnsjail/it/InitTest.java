package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --init (issue 20 item 2): PID 1 reaps orphans, passes SIGTERM/SIGINT/SIGHUP on to the program and
 * exits with its status; it keeps no fd and runs confined; without --init the program is PID 1, as
 * in nsjail.
 */
class InitTest {
    /**
     * Three grandchildren orphaned while they run (their parents are waited for, they are not): each
     * becomes a zombie of PID 1 unless PID 1 reaps it. Prints its own pid and the zombies it sees.
     */
    static final String ZOMBIES = "my @k; for (1..3) { my $p = fork; if (!$p) { fork or do { select(undef,undef,undef,0.05);"
            + " exit 0 }; exit 0 } push @k, $p } waitpid($_, 0) for @k; select(undef,undef,undef,0.5);"
            + " opendir(D, '/proc'); my $z = 0; for (grep /^\\d+$/, readdir D) { open F, \"/proc/$_/stat\" or next;"
            + " my $s = <F>; $z++ if $s =~ /\\) Z /; } print \"pid=$$ zombies=$z\\n\";";

    private static Result once(RunAs as, List<String> extra, String... cmd) {
        as.assume();
        List<String> a = new ArrayList<>(List.of("-Mo", "-q", "--chroot", "/"));
        a.addAll(extra);
        a.add("--");
        a.addAll(List.of(cmd));
        return NsjailCli.as(as).args(a).run();
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void orphansAreReaped(RunAs as) {
        Result without = once(as, List.of(), "/usr/bin/perl", "-e", ZOMBIES);
        assertEquals("pid=1 zombies=3\n", without.stdout(), without::describe);
        Result with = once(as, List.of("--init"), "/usr/bin/perl", "-e", ZOMBIES);
        assertEquals("pid=2 zombies=0\n", with.stdout(), with::describe);
        assertEquals(0, with.exitCode(), with::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void exitStatusPassesThrough(RunAs as) {
        Result r = once(as, List.of("--init"), "/bin/sh", "-c", "exit 42");
        assertEquals(42, r.exitCode(), r::describe);
        // The program (PID 2) dies of its own signal; the init exits with 128+signal.
        r = once(as, List.of("--init"), "/bin/sh", "-c", "kill -USR1 $$; sleep 5");
        assertEquals(128 + Signals.SIGUSR1, r.exitCode(), r::describe);
        // Without --init a PID 1 ignores it (no handler), as in nsjail.
        r = once(as, List.of(), "/bin/sh", "-c", "kill -USR1 $$; echo survived");
        assertEquals("survived\n", r.stdout(), r::describe);
    }

    /** The status reports the program's own status (Linux 6.15's PIDFD_INFO_EXIT), not the init's. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void outcomeIsTheProgramsStatus(RunAs as) {
        if (!kernelAtLeast(6, 15)) Assumptions.abort("the kernel has no PIDFD_INFO_EXIT (Linux 6.15)");
        Result r = once(as, List.of("--init", "--status_fd", "1"), "/bin/sh", "-c", "kill -USR1 $$; sleep 5");
        JsonObject o = JsonParser.parseString(r.stdoutLines().getFirst()).getAsJsonObject();
        assertEquals("signaled", o.get("cause").getAsString(), o::toString);
        assertEquals(Signals.SIGUSR1, o.get("signal").getAsInt(), o::toString);
        assertEquals(128 + Signals.SIGUSR1, o.get("status").getAsInt(), o::toString);
        // A seccomp kill of the program (the init is not under the jail's policy).
        r = once(as, List.of("--init", "--status_fd", "1", "--seccomp_string", "KILL { newuname } DEFAULT ALLOW"),
                "/bin/uname");
        assertEquals(159, r.exitCode(), r::describe);
        o = JsonParser.parseString(r.stdoutLines().getFirst()).getAsJsonObject();
        assertEquals("seccomp_violation", o.get("cause").getAsString(), o::toString);
    }

    /** SIGTERM, SIGINT, SIGHUP sent to PID 1 from inside reach the program. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void signalsToPid1ReachTheProgram(RunAs as) {
        for (String sig : List.of("TERM", "INT", "HUP")) {
            Result r = once(as, List.of("--init"), "/bin/sh", "-c",
                    "trap 'echo got " + sig + "; exit 3' " + sig + "; kill -" + sig + " 1; sleep 5 & wait");
            assertEquals("got " + sig + "\n", r.stdout(), r::describe);
            assertEquals(3, r.exitCode(), r::describe);
        }
    }

    /** --forward_signals: jnsjail's SIGTERM goes to the init, which passes it on; sleep dies of it. */
    @Test
    void forwardedSigtermEndsTheProgram() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        try (Running r = NsjailCli.as(as).args("-Mo", "--chroot", "/", "--init", "--forward_signals", "--status_fd", "1",
                "--", "/bin/sh", "-c", "echo ready; exec /bin/sleep 30").cold().start()) {
            // The program runs: the init is in its loop, with the signals it passes on blocked (pending).
            r.awaitStdout(s -> s.contains("ready"), Duration.ofSeconds(30), "ready");
            r.signal(Signals.SIGTERM);
            Result res = r.await(Duration.ofSeconds(30));
            assertEquals(143, res.exitCode(), res::describe);
            assertFalse(res.stderr().contains("ignored the forwarded signal"), res::describe);
            JsonObject o = JsonParser.parseString(res.stdoutLines().getLast()).getAsJsonObject();
            if (kernelAtLeast(6, 15)) assertEquals(Signals.SIGTERM, o.get("signal").getAsInt(), o::toString);
        }
    }

    /** A program that ignores SIGTERM: forwarded, ignored, then killed after the grace period. */
    @Test
    void programIgnoringSigtermIsKilledAfterTheGrace() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        try (Running r = NsjailCli.as(as).args("-Mo", "--chroot", "/", "--init", "--forward_signals", "--status_fd", "1",
                "--", "/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30").cold().start()) {
            r.awaitStdout(s -> s.contains("ready"), Duration.ofSeconds(30), "ready");
            r.signal(Signals.SIGTERM);
            Result res = r.await(Duration.ofSeconds(30));
            assertEquals(143, res.exitCode(), res::describe);
            assertTrue(res.stderr().contains("ignored the forwarded signal"), res::describe);
            JsonObject o = JsonParser.parseString(res.stdoutLines().getLast()).getAsJsonObject();
            assertEquals("killed_by_supervisor", o.get("cause").getAsString(), o::toString);
        }
    }

    /** The init keeps no fd, no capability, and runs with no_new_privs and its own seccomp filter. */
    @Test
    void initIsMinimal() throws IOException {
        RunAs.ROOT.assume();
        try (Running r = NsjailCli.as(RunAs.ROOT).args("-Mo", "-q", "--chroot", "/", "--init", "--keep_caps", "--",
                "/bin/sh", "-c", "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/1/status; echo done; sleep 30")
                .cold().start()) {
            r.awaitStdout(s -> s.contains("done"), Duration.ofSeconds(30), "done");
            String out = r.stdoutSoFar();
            assertTrue(out.contains("CapEff:\t0000000000000000"), out);
            assertTrue(out.contains("NoNewPrivs:\t1"), out);
            assertTrue(out.contains("Seccomp:\t2"), out);
            // The init is the supervisor's child (CLONE_PARENT), the one that is PID 1 of its own
            // namespace (the other is the resident exec stub): its fd table is empty.
            long init = ProcessHandle.of(r.pid()).orElseThrow().children().mapToLong(ProcessHandle::pid)
                    .filter(InitTest::isPid1OfItsNamespace).findFirst().orElseThrow();
            try (var fds = Files.list(Path.of("/proc/" + init + "/fd"))) {
                assertEquals(List.of(), fds.toList());
            }
        }
    }

    @Test
    void refusedWhereThereIsNoPid1() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.run(as, "-Me", "--chroot", "/", "--init", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("--init cannot be used with -Me"), r::describe);
        r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--init", "--disable_clone_newpid", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("--init needs a PID namespace"), r::describe);
    }

    /** The last NSpid of /proc/PID/status is 1 (proc(5)). */
    static boolean isPid1OfItsNamespace(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("NSpid:")) return l.endsWith("\t1") && l.split("\t").length > 2;
            }
        } catch (IOException e) {
            // gone
        }
        return false;
    }

    static boolean kernelAtLeast(int major, int minor) {
        try {
            String[] v = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
            int ma = Integer.parseInt(v[0]), mi = Integer.parseInt(v[1]);
            return ma > major || (ma == major && mi >= minor);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
