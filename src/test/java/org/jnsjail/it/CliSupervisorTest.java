package org.jnsjail.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The modes: EXECVE (-Me), ONCE under SIGTERM/SIGINT, RERUN (-Mr). */
class CliSupervisorTest {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(15);

    /** -Me: the program is exec'ed in place and stays outside the new PID namespace (nsjail §7.18). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void execveModeProgramIsNotPid1(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Me", "-q", "--chroot", "/", "--", "/bin/sh", "-c", "echo $$");
        assertEquals(0, r.exitCode(), r::describe);
        int pid = Integer.parseInt(r.stdout().trim());
        assertNotEquals(1, pid, r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void execveModePassesExitCode(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Me", "-q", "--chroot", "/", "--", "/bin/sh", "-c", "exit 3");
        assertEquals(3, r.exitCode(), r::describe);
    }

    /** -Me still builds the jail: hostname, read-only root and a procfs of the new PID namespace. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void execveModeBuildsTheJail(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Me", "-q", "--chroot", "/", "--", "/bin/sh", "-c",
                "/bin/hostname; /bin/ls /proc | /bin/grep -c '^[0-9]'; /bin/touch /x-jnsjail-it 2>/dev/null || echo ro");
        assertEquals(0, r.exitCode(), r::describe);
        List<String> l = r.stdoutLines();
        assertEquals("NSJAIL", l.get(0), r::describe);
        assertTrue(Integer.parseInt(l.get(1)) <= 10, () -> "too many pids in the jail's /proc\n" + r.describe());
        assertEquals("ro", l.get(2), r::describe);
    }

    /**
     * The signal is sent as soon as the jail printed "ready", which is often before the supervisor
     * has learnt that the start succeeded: a signal in that window must still stop the jail
     * (it used to be recorded but the jail ran on until it ended by itself). Three rounds each.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void sigtermStopsSupervisorAndJail(RunAs as) {
        for (int i = 0; i < 3; i++) stopWith(as, Signals.SIGTERM, 143);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void sigintStopsSupervisorAndJail(RunAs as) {
        for (int i = 0; i < 3; i++) stopWith(as, Signals.SIGINT, 130);
    }

    /** A launch failure ends RERUN with 255 instead of retrying forever. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rerunStopsOnLaunchFailure(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Mr", "-q", "--chroot", "/", "--", "/nonexistent/jnsjail-it");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("/nonexistent/jnsjail-it"), r::describe);
        CliErrorsTest.assertNoStackTrace(r);
    }

    /**
     * nsjail installs its SIGINT/SIGTERM handlers with sigaction(2), so it stops even when started with
     * them ignored (a background job of a non-interactive shell, nohup). The JVM keeps an inherited
     * SIG_IGN (sun.misc.Signal.handle silently does nothing then), so FatalSignals resets it first.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void stopsEvenWhenSignalsIgnoredAtStart(RunAs as) {
        as.assume();
        for (int sig : new int[] {Signals.SIGINT, Signals.SIGTERM}) {
            String marker = "jnsjail-it-" + UUID.randomUUID();
            List<String> wrapper = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' INT TERM; exec \"$@\"", "sh"));
            Result r;
            try (Running run = NsjailCli.as(as).wrappedBy(wrapper).args("-Mo", "-q", "--chroot", "/", "--",
                    "/bin/sh", "-c", "echo ready; /bin/sleep 30", marker).start()) {
                run.awaitStdout(s -> s.contains("ready\n"), STARTUP, "ready");
                run.signal(sig);
                r = run.await(STOP);
            }
            assertEquals(128 + sig, r.exitCode(), r::describe);
            assertNoneLeft(marker);
        }
    }

    private static void stopWith(RunAs as, int sig, int expected) {
        as.assume();
        String marker = "jnsjail-it-" + UUID.randomUUID();
        Result r;
        try (Running run = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--", "/bin/sh", "-c",
                "echo ready; /bin/sleep 30; echo not-killed", marker).start()) {
            run.awaitStdout(s -> s.contains("ready\n"), STARTUP, "ready");
            assertTrue(ItEnv.processesWith(marker).size() >= 2, "supervisor and jail should both run");
            run.signal(sig);
            r = run.await(STOP);
        }
        assertEquals(expected, r.exitCode(), r::describe);
        assertEquals("ready\n", r.stdout(), r::describe);
        CliErrorsTest.assertNoStackTrace(r);
        assertNoneLeft(marker);
    }

    /** -Mr: a new jail each time the previous one ends, until a fatal signal. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rerunRestartsUntilSigterm(RunAs as) {
        as.assume();
        String marker = "jnsjail-it-" + UUID.randomUUID();
        Result r;
        try (Running run = NsjailCli.as(as).args("-Mr", "-q", "--chroot", "/", "--", "/bin/sh", "-c",
                "echo run; /bin/sleep 0.2", marker).start()) {
            run.awaitStdout(s -> s.split("run\n", -1).length - 1 >= 3, STARTUP, "three runs");
            run.signal(Signals.SIGTERM);
            r = run.await(STOP);
        }
        assertEquals(143, r.exitCode(), r::describe);
        assertTrue(r.stdoutLines().stream().allMatch("run"::equals), r::describe);
        assertNoneLeft(marker);
    }

    /** No process whose command line holds the marker survives (the jail dies with its supervisor). */
    static void assertNoneLeft(String marker) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Long> left;
        while (!(left = ItEnv.processesWith(marker)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                for (long pid : left) org.jnsjail.sys.Libc.kill((int) pid, Signals.SIGKILL);
                fail("processes left behind (now killed): " + left);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
