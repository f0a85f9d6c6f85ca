package org.jnsjail.it;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nsjail's exit codes (reference §3.6): the child's status passes through, 128+signal, 137 on the time limit. */
class CliExitCodesTest {
    /** {@code -Mo -q --chroot / extra... -- cmd...}. */
    static Result once(RunAs as, List<String> extra, String... cmd) {
        as.assume();
        List<String> a = new ArrayList<>(List.of("-Mo", "-q", "--chroot", "/"));
        a.addAll(extra);
        a.add("--");
        a.addAll(List.of(cmd));
        return NsjailCli.as(as).args(a).run();
    }

    static Result once(RunAs as, String... cmd) {
        return once(as, List.of(), cmd);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void echoPrintsAndExitsZero(RunAs as) {
        Result r = once(as, "/bin/echo", "ABC");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("ABC\n", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void exitStatusPassesThrough(RunAs as) {
        Result r = once(as, "/bin/sh", "-c", "exit 7");
        assertEquals(7, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
    }

    /** A jailed process killed by SIGKILL: 128+9, through the shell's status. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void childKilledBySigkillGives137(RunAs as) {
        Result r = once(as, "/bin/sh", "-c", "/bin/sh -c \"kill -9 \\$\\$\"; exit $?");
        assertEquals(137, r.exitCode(), r::describe);
    }

    /**
     * Documents nsjail gotcha 9: the program is PID 1 of its PID namespace, and the kernel drops
     * signals without a handler that are sent to PID 1 from inside its namespace, SIGKILL included.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void sigkillToPid1FromInsideIsIgnored(RunAs as) {
        Result r = once(as, "/bin/sh", "-c", "kill -9 $$; echo survived");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("survived\n", r.stdout(), r::describe);
    }

    /** -t 1: SIGCONT then SIGKILL to the jail's PID 1 after about a second → 137. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void timeLimitKillsWith137(RunAs as) {
        long t0 = System.nanoTime();
        Result r = once(as, List.of("-t", "1"), "/bin/sleep", "5");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(137, r.exitCode(), r::describe);
        assertTrue(ms < 4000, "took " + ms + " ms, expected about 1-3 s\n" + r.describe());
        assertTrue(ms >= 900, "took only " + ms + " ms; the limit is 1 s\n" + r.describe());
    }
}
