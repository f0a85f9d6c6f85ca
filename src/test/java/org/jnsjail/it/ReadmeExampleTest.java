package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.jnsjail.it.ItEnv.RunAs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's embedding example, exactly as written there: each fenced java block of the section
 * "Embedding jnsjail in a Java program" is compiled with javax.tools against the compiled classes
 * and run in a JVM of its own, as root and as uid 65534.
 */
class ReadmeExampleTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static Path classes, out;

    /** The section's java blocks, by class name (each starts with "// Name.java"). */
    static Map<String, String> examples() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Embedding jnsjail in a Java program\n");
        assertTrue(start >= 0, "README.md has no section 'Embedding jnsjail in a Java program'");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = Pattern.compile("```java\n(// (\\w+)\\.java.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) blocks.put(m.group(2), m.group(1));
        return blocks;
    }

    @BeforeAll
    static void compileAsWritten() throws Exception {
        if (!Files.isRegularFile(ROOT.resolve("README.md"))) Assumptions.abort("not run from the project directory");
        classes = Path.of(org.jnsjail.api.JailBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, String> blocks = examples();
        assertEquals(List.of("Hello", "TimeLimit", "Runner"), List.copyOf(blocks.keySet()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) Assumptions.abort("this JDK has no compiler (module java.compiler)");
        // Readable for uid 65534 too: a temporary directory is 0700.
        out = Files.createTempDirectory("jnsjail-readme", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> args = new ArrayList<>(List.of("--release", "25", "-cp", classes.toString(), "-d", out.toString()));
        for (var e : blocks.entrySet()) {
            Path src = out.resolve(e.getKey() + ".java");
            Files.writeString(src, e.getValue());
            args.add(src.toString());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, new PrintStream(err, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        assertEquals(0, rc, "the README's example does not compile: " + err.toString(StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void removeTheClasses() throws IOException {
        if (out == null) return;
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(out);
    }

    private record Ran(int rc, String stdout, String stderr) {}

    private static Ran run(RunAs as, String main) throws Exception {
        List<String> cmd = new ArrayList<>(as.prefix());
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes + ":" + out, main));
        Path errFile = Files.createTempFile("jnsjail-readme", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(out.toFile()).redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), main + " did not end");
            return new Ran(p.exitValue(), stdout, Files.readString(errFile));
        } finally {
            Files.delete(errFile);
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void hello(RunAs as) throws Exception {
        as.assume();
        Ran r = run(as, "Hello");
        if (r.rc() != 0 && as == RunAs.NOBODY) {
            // The 64 MiB limit is a memory cgroup, which uid 65534 may not create unless it was delegated one:
            // the example then fails at once with the API's exception for that step, and nothing else.
            assertTrue(r.stderr().contains("org.jnsjail.api.JailException") && r.stderr().contains("cgroup"), r.stderr());
            assertEquals("", r.stdout());
            System.out.println("README's Hello as uid 65534: the memory cgroup is root's here: " + r.stderr().lines()
                    .filter(l -> l.contains("JailException")).findFirst().orElse(""));
            return;
        }
        if (r.rc() != 0 && !Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) {
            Assumptions.abort("no cgroup v1 memory hierarchy (/sys/fs/cgroup/memory) for the example's memory limit: "
                    + r.stderr());
        }
        assertEquals(0, r.rc(), r.stderr());
        assertEquals("hello\nEXITED 0 true\n", r.stdout());
        assertEquals("", r.stderr(), "the library wrote to its program's stderr");
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void timeLimit(RunAs as) throws Exception {
        as.assume();
        long t0 = System.nanoTime();
        Ran r = run(as, "TimeLimit");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.rc(), r.stderr());
        assertEquals("true SIGKILL 137 1\n", r.stdout());
        assertEquals("", r.stderr(), "the library wrote to its program's stderr");
        assertTrue(ms < 5000, "the 1 s limit: the example took " + ms + " ms");
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void runner(RunAs as) throws Exception {
        as.assume();
        Ran r = run(as, "Runner");
        assertEquals(0, r.rc(), r.stderr());
        assertEquals("one 0\ntwo 0\nthree 0\n", r.stdout());
        assertEquals("", r.stderr(), "the library wrote to its program's stderr");
    }
}
