package org.jnsjail.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build habits (issue #18 item 10): a plain {@code mvn package} on an older JDK says what it needs, and
 * {@code ./build} prints neither raw ANSI escapes nor Maven's own JDK warnings. Runs Maven offline on the
 * validate phase only (the enforcer rule lives there), into a separate build directory.
 */
class BuildOutputTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    record Run(int rc, String out) {}

    private static Run run(List<String> cmd, Path javaHome) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().remove("MAVEN_OPTS");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mvn did not finish: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void assumeMaven() {
        if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .noneMatch(d -> Files.isExecutable(Path.of(d, "mvn")))) {
            Assumptions.abort("mvn is not on PATH");
        }
        if (!Files.isRegularFile(ROOT.resolve("pom.xml"))) Assumptions.abort("not run from the project directory");
    }

    /** A JDK older than 25 under /usr/lib/jvm (Debian's default is 17), or a skip naming what is missing. */
    private static Path olderJdk() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : s.sorted().toList()) {
                Path rel = home.resolve("release");
                if (!Files.isRegularFile(rel) || !Files.isExecutable(home.resolve("bin/java"))) continue;
                for (String l : Files.readAllLines(rel)) {
                    if (!l.startsWith("JAVA_VERSION=\"")) continue;
                    String v = l.substring(14).replace("\"", "");
                    if (v.startsWith("1.")) v = v.substring(2); // 1.8.0_x is JDK 8
                    int end = 0;
                    while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
                    int major = end == 0 ? Integer.MAX_VALUE : Integer.parseInt(v.substring(0, end));
                    if (major < 25) return home;
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // fall through
        }
        Assumptions.abort("no JDK older than 25 under /usr/lib/jvm to build with");
        return null;
    }

    @Test
    void olderJdkIsToldItNeedsJdk25(@TempDir Path out) throws Exception {
        assumeMaven();
        Path jdk = olderJdk();
        Run r = run(List.of("mvn", "-B", "-o", "-q", "-DbuildDir=" + out, "validate"), jdk);
        assertNotEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("jnsjail needs JDK 25"), r.out());
        assertFalse(r.out().contains("invalid target release"), r.out());
    }

    /** ./build's own Maven wrapper (its MAVEN_OPTS and output filter), run on the validate phase. */
    @Test
    void buildScriptOutputIsPlain(@TempDir Path out) throws Exception {
        assumeMaven();
        List<String> lines = Files.readAllLines(ROOT.resolve("build"));
        List<String> wrapper = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("export MAVEN_OPTS=") || l.startsWith("mvn() ")) wrapper.add(l);
        }
        assertEquals(2, wrapper.size(), "./build no longer has its MAVEN_OPTS line and mvn() wrapper");
        String script = "set -euo pipefail\n" + String.join("\n", wrapper) + "\nmvn -B -o -Dstyle.color=never -DbuildDir="
                + out + " validate\n";
        Run r = run(List.of("bash", "-c", script), Path.of(System.getProperty("java.home")));
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("BUILD SUCCESS"), r.out());
        assertFalse(r.out().contains("\u001b"), () -> "raw ANSI escape in: " + r.out());
        assertFalse(r.out().contains("sun.misc.Unsafe"), r.out());
        assertFalse(r.out().startsWith("WARNING"), r.out());
    }
}
