package org.jnsjail.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./nsjail launcher itself (the build runs this in its package phase, once the jar exists): it
 * runs a jail from any working directory and through a symlink, runs the exec stub from the file
 * beside the jar, and the JVM takes the jar's copy of the stub instead when that file is one others
 * may write.
 */
class LauncherTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static Path build;

    @TempDir
    Path tmp;

    @BeforeAll
    static void packaged() {
        String client = System.getProperty("jnsjail.client");
        if (client == null) Assumptions.abort("not run by the build (no jnsjail.client property)");
        build = Path.of(client).getParent();
        if (!Files.isRegularFile(build.resolve("jnsjail.jar")) || !Files.isRegularFile(build.resolve("jnsjail-stub"))) {
            Assumptions.abort("needs the packaged jar and the stub beside it (the build runs this test in its package phase)");
        }
        Assumptions.assumeTrue(build.equals(ROOT.resolve("target")), "the launcher runs target/ only");
    }

    private record Run(int rc, String out, String err) {}

    private static Run run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JNSJAIL_SERVER", "off"); // a resident server of this uid must not take it
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not end");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void runsAJailFromAnotherDirectoryAndThroughASymlink() throws Exception {
        Run r = run(List.of(ROOT.resolve("nsjail").toString(), "-Mo", "--chroot", "/", "-q", "--", "/bin/echo", "ok"), tmp);
        assertEquals(0, r.rc(), r::err);
        assertEquals("ok\n", r.out(), r::err);
        Path link = tmp.resolve("jnsjail");
        Files.createSymbolicLink(link, ROOT.resolve("nsjail"));
        r = run(List.of(link.toString(), "-Mo", "--chroot", "/", "-q", "--", "/bin/echo", "linked"), tmp);
        assertEquals("linked\n", r.out(), r::err);
    }

    /** The resident stub of a supervisor started by the launcher is the build's file beside the jar. */
    @Test
    void theStubIsTheFileBesideTheJar() throws Exception {
        assertEquals(build.resolve("jnsjail-stub").toString(), stubOf(List.of(ROOT.resolve("nsjail").toString())));
    }

    /** A stub file others may write is not run: the JVM takes the jar's copy (a sealed memfd). */
    @Test
    void aStubFileOthersMayWriteIsNotRun() throws Exception {
        Path copy = tmp.resolve("jnsjail-stub");
        Files.copy(build.resolve("jnsjail-stub"), copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djnsjail.stub=" + copy, "-jar", build.resolve("jnsjail.jar").toString());
        String exe = stubOf(java);
        assertTrue(exe.startsWith("/memfd:jnsjail-exec-stub"), exe);
    }

    /**
     * Starts a RERUN supervisor of a sleeping jail with {@code launcher}, and reads where its resident
     * stub's program comes from (/proc/PID/exe, proc(5)).
     */
    private static String stubOf(List<String> launcher) throws Exception {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("-Mr", "--chroot", "/", "-q", "--", "/bin/sleep", "30"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JNSJAIL_SERVER", "off");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (ProcessHandle c : p.toHandle().descendants().toList()) {
                    String comm = read("/proc/" + c.pid() + "/comm");
                    if (comm.trim().equals("jnsjail-stub")) return Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/exe")).toString();
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no resident stub under the supervisor");
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            return "";
        }
    }
}
