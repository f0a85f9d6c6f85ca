package org.jnsjail.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jnsjail.args.Version;
import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --version and the version line of -v (issue 20 item 3). */
class VersionTest {
    /** The pom's own version, which the build writes into the jar. */
    static String pomVersion() throws Exception {
        String pom = Files.readString(Path.of(System.getProperty("user.dir"), "pom.xml"));
        Matcher m = Pattern.compile("<artifactId>jnsjail</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no version in pom.xml");
        return m.group(1);
    }

    @Test
    void versionNamesJnsjailNsjailAndTheJdk() throws Exception {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.run(as, "--version");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stderr(), r::describe);
        String[] lines = r.stdout().split("\n");
        assertEquals(3, lines.length, r::describe);
        assertEquals("jnsjail " + pomVersion(), lines[0]);
        assertTrue(lines[1].contains("nsjail d6454b4"), r::describe);
        assertTrue(lines[2].startsWith("Java " + System.getProperty("java.runtime.version")), r::describe);
    }

    @Test
    void verboseLogStartsWithTheVersion() throws Exception {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.run(as, "-v", "-Mo", "--chroot", "/", "--", "/bin/true");
        assertEquals(0, r.exitCode(), r::describe);
        String first = r.significantStderrLines().getFirst();
        assertTrue(first.startsWith("[D]") && first.endsWith("] jnsjail " + pomVersion() + ", following "
                + Version.NSJAIL + ", on " + Version.java()), r::describe);
        // Not without -v.
        r = NsjailCli.run(as, "-Mo", "--chroot", "/", "--", "/bin/true");
        assertTrue(!r.stderr().contains("jnsjail " + pomVersion()), r::describe);
    }
}
