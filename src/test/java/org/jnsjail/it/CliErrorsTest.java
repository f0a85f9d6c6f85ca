package org.jnsjail.it;

import java.util.List;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures are exit 255 with one log line and never a Java stack trace (reference §3.6). */
class CliErrorsTest {
    static void assertNoStackTrace(Result r) {
        assertFalse(r.stderr().contains("Exception"), r::describe);
        assertFalse(r.stderr().contains("\tat "), r::describe);
        assertFalse(r.stdout().contains("\tat "), r::describe);
    }

    /** Exactly one line (besides the root-mapping warnings, which depend on who runs it). */
    static String oneLine(Result r) {
        List<String> lines = r.significantStderrLines();
        assertEquals(1, lines.size(), () -> "expected exactly one stderr line\n" + r.describe());
        return lines.getFirst();
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void missingBinary(RunAs as) {
        Result r = CliExitCodesTest.once(as, "/nonexistent/jnsjail-it-binary");
        assertEquals(255, r.exitCode(), r::describe);
        String line = oneLine(r);
        assertTrue(line.contains("/nonexistent/jnsjail-it-binary"), r::describe);
        assertTrue(line.contains("No such file or directory"), r::describe);
        assertNoStackTrace(r);
        assertEquals("", r.stdout(), r::describe);
    }

    /**
     * An id map the kernel refuses (nobody mapping root) fails at its write: one line naming the
     * map, the file and the kernel's reason, and nothing left running.
     */
    @org.junit.jupiter.api.Test
    void refusedIdMapNamesTheMapAndTheReason() {
        RunAs.NOBODY.assume();
        Result r = NsjailCli.run(RunAs.NOBODY, "-Mo", "-q", "--chroot", "/", "-u", "0:0:1", "--", "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        String line = oneLine(r);
        assertTrue(line.matches(".*Couldn't write '0 0 1' to '/proc/[0-9]+/uid_map': Operation not permitted.*"), r::describe);
        assertNoStackTrace(r);
    }

    static List<List<String>> badCommandLines() {
        return List.of(
                List.of("--jnsjail-it-unknown-option", "--", "/bin/true"),
                List.of("-Mo", "-t", "x", "--", "/bin/true"),
                List.of("-Mo", "--nice_level", "99", "--", "/bin/true"),
                List.of("-M", "z", "--", "/bin/true"),
                List.of("-Mo", "--chroot", "/"),
                List.of());
    }

    /** Usage errors are found before any jail exists: one line, 255, whoever runs it. */
    @ParameterizedTest
    @MethodSource("badCommandLines")
    void usageErrors(List<String> args) {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.as(as).args(args).run();
        assertEquals(255, r.exitCode(), r::describe);
        oneLine(r);
        assertNoStackTrace(r);
        assertEquals("", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noCommandSaysSo(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Mo", "-q");
        assertEquals(255, r.exitCode(), r::describe);
        assertTrue(oneLine(r).contains("No command-line provided"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void helpPrintsUsageAndExitsZero(RunAs as) {
        as.assume();
        for (String h : List.of("--help", "-h")) {
            Result r = NsjailCli.run(as, h);
            assertEquals(0, r.exitCode(), r::describe);
            assertTrue(r.stdout().startsWith("Usage: "), r::describe);
            assertTrue(r.stdout().contains("--chroot"), r::describe);
            assertTrue(r.stdout().contains("--time_limit"), r::describe);
            assertNoStackTrace(r);
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void optionWithoutEffectIsRefused(RunAs as) {
        as.assume();
        Result r = NsjailCli.run(as, "-Mo", "-q", "--chroot", "/", "--seccomp_unotify_report", "/tmp/r", "--",
                "/bin/true");
        assertEquals(255, r.exitCode(), r::describe);
        String line = oneLine(r);
        assertTrue(line.contains("--seccomp_unotify_report needs --seccomp_unotify"), r::describe);
        assertNoStackTrace(r);
    }
}
