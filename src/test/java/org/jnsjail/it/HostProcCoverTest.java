package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jnsjail.model.JailSpec;
import org.jnsjail.sys.Libc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A procfs the host mounts while a supervisor runs is covered in the next jail as in the first: the
 * supervisor's cached mount table (sys.MountTable) is read again after the kernel reports a mount.
 */
class HostProcCoverTest {
    @Test
    void aProcfsMountedOnTheHostMeanwhileIsCoveredInTheNextJail() throws Exception {
        Assumptions.assumeTrue(Libc.geteuid() == 0, "mounting a procfs on the host for the test needs root");
        Path dir = Files.createTempDirectory("hostproc");
        Path mnt = dir.resolve("p");
        Files.createDirectory(mnt);
        try {
            JailSpec spec = SpawnerTest.spec("/bin/sh", "-c", "ls -A '" + mnt + "' | head -3").build();
            assertEquals("", ResidentStubTest.output(spec), "an empty directory before the mount");
            run("mount", "-t", "proc", "proc", mnt.toString());
            try {
                assertEquals("", ResidentStubTest.output(spec), "the host's procfs is covered");
            } finally {
                run("umount", mnt.toString());
            }
        } finally {
            Files.delete(mnt);
            Files.delete(dir);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
