package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** --dump_plan (jnsjail extension): the plan on stdout, exit 0, nothing started or created. */
class DumpPlanTest {
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void printsThePlanAndStartsNothing(RunAs as, @TempDir Path dir) throws Exception {
        as.assume();
        Path marker = dir.resolve("ran");
        Path status = dir.resolve("status.json");
        Result r = NsjailCli.as(as).args(List.of("-Mo", "--chroot", "/", "--dump_plan", "--status_file", status.toString(),
                "--", "/bin/sh", "-c", "echo ran > " + marker)).run();
        assertEquals(0, r.exitCode(), r::describe);
        String[] lines = r.stdout().split("\n");
        assertTrue(lines[0].matches(" *0 CLONE .*"), r::describe);
        assertTrue(lines[lines.length - 1].matches(" *\\d+ EXECVE path=\"/bin/sh\" .*# execve\\('/bin/sh'\\)"), r::describe);
        assertTrue(r.stdout().contains("RECV_FDS targets=[0, 1, 2]"), r::describe);
        assertFalse(r.stderr().contains("Executing"), r::describe);
        assertFalse(Files.exists(marker), "the jail ran");
        assertFalse(Files.exists(status), "the status file was created");
    }

    /** -Me's plan unshares in place; a bad option is still one line and 255. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void inPlaceAndErrors(RunAs as) {
        as.assume();
        Result r = NsjailCli.as(as).args(List.of("-Me", "--chroot", "/", "--dump_plan", "--", "/bin/true")).run();
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().startsWith(" 0 UNSHARE "), r::describe);
        Result bad = NsjailCli.as(as).args(List.of("-Mo", "--dump_plan", "--cap", "CAP_NOPE", "--", "/bin/true")).run();
        assertEquals(255, bad.exitCode(), bad::describe);
        assertEquals("", bad.stdout(), bad::describe);
    }
}
