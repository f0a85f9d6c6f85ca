package org.jnsjail.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cached mount table: the same text while nothing changes, a fresh one after a mount and an unmount. */
class MountTableTest {
    @Test
    void unchangedTableIsTheSameTextAndAMountIsSeenAtOnce() throws Exception {
        String first = MountTable.text();
        assertTrue(first.contains(" / "), first);
        assertSame(first, MountTable.text(), "nothing was mounted: no second read");
        Assumptions.assumeTrue(Libc.geteuid() == 0, "mounting a tmpfs for the test needs root");
        Path dir = Files.createTempDirectory("mounttable");
        try {
            run("mount", "-t", "tmpfs", "-o", "size=4k", "mounttable-test", dir.toString());
            try {
                String mounted = MountTable.text();
                assertNotSame(first, mounted);
                assertTrue(mounted.contains(" " + dir + " "), "the new mount is in the table");
                assertSame(mounted, MountTable.text());
            } finally {
                run("umount", dir.toString());
            }
            String after = MountTable.text();
            assertFalse(after.contains(" " + dir + " "), "the unmount is seen");
        } finally {
            Files.delete(dir);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
