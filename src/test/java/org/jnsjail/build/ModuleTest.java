package org.jnsjail.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as a module (src/main/java/module-info.java), seen by a consumer on the module path: the
 * API is exported, nothing else is reachable, and a program that uses the API compiles and runs a
 * jail. The build runs this in its package phase, once the jar exists.
 */
class ModuleTest {
    private static Path build;

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsTheJar() {
        String client = System.getProperty("jnsjail.client");
        if (client == null) Assumptions.abort("not run by the build (no jnsjail.client property)");
        build = Path.of(client).getParent();
        if (!Files.isRegularFile(build.resolve("jnsjail.jar"))) {
            Assumptions.abort("needs the packaged jar (the build runs this test in its package phase)");
        }
    }

    /** The jar and its runtime dependencies (target/lib), as a module path. */
    private static String modulePath() throws IOException {
        List<String> p = new ArrayList<>(List.of(build.resolve("jnsjail.jar").toString()));
        try (Stream<Path> s = Files.list(build.resolve("lib"))) {
            s.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> p.add(f.toString()));
        }
        return String.join(File.pathSeparator, p);
    }

    private record Compiled(int rc, String out) {}

    /** Compiles a module "consumer" with one class, consumer.Main, against the jar on the module path. */
    private Compiled compile(String mainBody) throws IOException {
        Path src = tmp.resolve("src/consumer");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires org.jnsjail; }\n");
        Files.writeString(src.resolve("consumer/Main.java"), "package consumer;\n" + mainBody);
        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        if (javac == null) Assumptions.abort("this JDK has no javac tool (module jdk.compiler)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        // -cp: javac in this JVM would take its class path (the classes, unnamed) by default
        int rc = javac.run(ps, ps, "--release", "25", "-cp", src.toString(), "--module-path", modulePath(), "-d",
                tmp.resolve("out/consumer").toString(), src.resolve("module-info.java").toString(),
                src.resolve("consumer/Main.java").toString());
        return new Compiled(rc, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void internalPackagesAreNotReachable() throws Exception {
        Compiled c = compile("""
                public class Main {
                    public static void main(String[] a) { System.out.println(org.jnsjail.sys.Libc.getuid()); }
                }
                """);
        assertTrue(c.rc() != 0, "a consumer compiled against an internal class: " + c.out());
        assertTrue(c.out().contains("package org.jnsjail.sys is declared in module org.jnsjail, which does not export it"),
                c.out());
        for (String pkg : List.of("org.jnsjail.model.JailSpec", "org.jnsjail.supervisor.Spawner", "org.jnsjail.cli.Main")) {
            Compiled d = compile("public class Main { static " + pkg + " x; public static void main(String[] a) {} }\n");
            assertTrue(d.rc() != 0 && d.out().contains("does not export it"), pkg + ": " + d.out());
        }
    }

    @Test
    void theApiCompilesAndRunsAJail() throws Exception {
        Compiled c = compile("""
                import java.time.Duration;
                import org.jnsjail.api.JailBuilder;
                import org.jnsjail.api.JailProcess;

                public class Main {
                    public static void main(String[] a) throws Exception {
                        JailProcess p = new JailBuilder("/bin/echo", "from a module").readOnlyRoot()
                                .timeLimit(Duration.ofSeconds(5)).start();
                        System.out.print(new String(p.getInputStream().readAllBytes()));
                        System.out.println(p.result().cause());
                        // reflection stops at the module's boundary too
                        try {
                            Class.forName("org.jnsjail.sys.Libc").getMethod("getuid").invoke(null);
                            System.out.println("internal class reached");
                        } catch (IllegalAccessException e) {
                            System.out.println("internal class refused");
                        }
                    }
                }
                """);
        assertEquals(0, c.rc(), c.out());
        if (!Files.isReadable(Path.of("/proc/sys/user/max_user_namespaces"))
                || Long.parseLong(Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).trim()) == 0) {
            Assumptions.abort("user namespaces are disabled: the consumer compiled, its jail cannot run here");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=org.jnsjail", "--module-path",
                modulePath() + File.pathSeparator + tmp.resolve("out"), "-m", "consumer/consumer.Main")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("from a module\nEXITED\ninternal class refused\n", out);
        assertFalse(out.contains("WARNING"), out);
    }
}
