package org.jnsjail.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ./build install and uninstall (issue 20 item 6), into a temporary prefix, from the packaged jar (the
 * build runs this in its package phase): the installed jnsjail runs a jail from another working
 * directory, as root and as uid 65534; --as-nsjail never replaces an nsjail it did not install; the
 * uninstall leaves the prefix exactly as it was.
 */
class InstallTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static Path build;

    record Run(int rc, String out, String err) {
        String describe() {
            return "exit " + rc + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    @BeforeAll
    static void packaged() {
        String client = System.getProperty("jnsjail.client");
        if (client == null) Assumptions.abort("not run by the build (no jnsjail.client property)");
        build = Path.of(client).getParent();
        if (!Files.isRegularFile(build.resolve("jnsjail.jar")) || !Files.isDirectory(build.resolve("lib"))) {
            Assumptions.abort("needs the packaged jar and lib/ (the build runs this test in its package phase)");
        }
    }

    private static Run run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JNSJAIL_BUILD_DIR", build.toString());
        pb.environment().put("JNSJAIL_SERVER", "off"); // a resident server of another build must not take these
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path out = Files.createTempFile("install", ".out"), err = Files.createTempFile("install", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("did not finish: " + cmd);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static Run install(Path prefix, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/install.sh").toString(), "install", prefix.toString()));
        cmd.addAll(List.of(extra));
        return run(cmd, ROOT);
    }

    private static Run uninstall(Path prefix) throws Exception {
        return run(List.of(ROOT.resolve("build").toString(), "uninstall", prefix.toString()), ROOT);
    }

    /** Every path under {@code dir}, relative, with its kind. */
    private static Set<String> tree(Path dir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(p -> out.add((Files.isDirectory(p) ? "d " : "f ") + dir.relativize(p)));
        }
        return out;
    }

    /** A directory 65534 can traverse (the test's own temporary directories are private). */
    private static Path scratch() throws IOException {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "jnsjail-install");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void installRunUninstall() throws Exception {
        Path base = scratch();
        try {
            Path prefix = base.resolve("usr");
            Files.createDirectories(prefix.resolve("bin"));
            Files.writeString(prefix.resolve("bin/other"), "not jnsjail's\n");
            Set<String> before = tree(base);

            Run r = install(prefix);
            assertEquals(0, r.rc(), r::describe);
            for (String f : List.of("bin/jnsjail", "bin/jnsjail-policy", "lib/jnsjail/nsjail", "lib/jnsjail/target/jnsjail.jar",
                    "lib/jnsjail/target/jnsjail-client", "lib/jnsjail/bin/find-java.sh", "share/man/man1/jnsjail.1",
                    "share/bash-completion/completions/jnsjail", "lib/jnsjail/install-manifest")) {
                assertTrue(Files.isRegularFile(prefix.resolve(f)), f + " missing\n" + tree(prefix));
            }
            assertFalse(Files.exists(prefix.resolve("bin/nsjail")), "nsjail installed without --as-nsjail");
            try (Stream<Path> libs = Files.list(prefix.resolve("lib/jnsjail/target/lib"))) {
                assertTrue(libs.anyMatch(p -> p.getFileName().toString().startsWith("protobuf-java-")));
            }
            // Modes whatever the umask: readable by all, the launcher and wrappers executable.
            for (String f : List.of("bin/jnsjail", "lib/jnsjail/nsjail")) {
                assertTrue(Files.getPosixFilePermissions(prefix.resolve(f)).contains(PosixFilePermission.OTHERS_EXECUTE), f);
            }
            assertTrue(Files.getPosixFilePermissions(prefix.resolve("lib/jnsjail/target/jnsjail.jar"))
                    .contains(PosixFilePermission.OTHERS_READ));

            // From another working directory, as root and as 65534.
            String jnsjail = prefix.resolve("bin/jnsjail").toString();
            r = run(List.of(jnsjail, "-Mo", "--chroot", "/", "-q", "--", "/bin/sh", "-c", "echo hi; pwd"), Path.of("/"));
            assertEquals(0, r.rc(), r::describe);
            assertEquals("hi\n/\n", r.out(), r::describe);
            r = run(List.of(jnsjail, "--version"), base);
            assertEquals(0, r.rc(), r::describe);
            assertTrue(r.out().startsWith("jnsjail "), r::describe);
            if (isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
                r = run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", jnsjail, "-Mo",
                        "--chroot", "/", "-q", "--", "/bin/sh", "-c", "id -u"), Path.of("/tmp"));
                assertEquals(0, r.rc(), r::describe);
                assertEquals("65534\n", r.out(), r::describe);
            }
            if (Files.isExecutable(Path.of("/usr/bin/man"))) {
                r = run(List.of("/usr/bin/man", "-l", "-P", "cat", prefix.resolve("share/man/man1/jnsjail.1").toString()),
                        Path.of("/"));
                assertEquals(0, r.rc(), r::describe);
                assertTrue(r.out().contains("--status_file"), r::describe);
            }

            // A second install replaces the first.
            r = install(prefix);
            assertEquals(0, r.rc(), r::describe);
            r = uninstall(prefix);
            assertEquals(0, r.rc(), r::describe);
            assertEquals(before, tree(base), "the uninstall left the prefix otherwise than it was");
            assertEquals("not jnsjail's\n", Files.readString(prefix.resolve("bin/other")));
        } finally {
            deleteTree(base);
        }
    }

    @Test
    void asNsjailOnlyWhenAskedAndNeverOverAnotherOne() throws Exception {
        Path base = scratch();
        try {
            Path prefix = base.resolve("p");
            Run r = install(prefix, "--as-nsjail");
            assertEquals(0, r.rc(), r::describe);
            assertTrue(Files.isRegularFile(prefix.resolve("bin/nsjail")));
            assertTrue(Files.isRegularFile(prefix.resolve("share/man/man1/nsjail.1")));
            r = run(List.of(prefix.resolve("bin/nsjail").toString(), "-Mo", "--chroot", "/", "-q", "--", "/bin/echo", "ok"),
                    Path.of("/"));
            assertEquals("ok\n", r.out(), r::describe);
            r = uninstall(prefix);
            assertEquals(0, r.rc(), r::describe);
            assertFalse(Files.exists(prefix), "the prefix the install made is gone too");

            // Someone else's nsjail: refused, and nothing of the attempt stays.
            Files.createDirectories(prefix.resolve("bin"));
            Files.writeString(prefix.resolve("bin/nsjail"), "#!/bin/sh\necho upstream\n");
            Set<String> before = tree(base);
            r = install(prefix, "--as-nsjail");
            assertEquals(1, r.rc(), r::describe);
            assertTrue(r.err().contains("bin/nsjail exists and is not jnsjail's"), r::describe);
            assertEquals(before, tree(base));
            assertEquals(1, uninstall(prefix).rc(), "nothing to uninstall");
        } finally {
            deleteTree(base);
        }
    }

    private static boolean isRoot() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (l.startsWith("Uid:")) return l.split("\\s+")[2].equals("0");
        }
        return false;
    }
}
