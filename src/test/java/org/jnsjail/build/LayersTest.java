package org.jnsjail.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The package map is a stack: every package depends only on packages of lower layers, so there is
 * no upward and no circular dependency. Checked twice: over the sources (imports, static imports and
 * fully-qualified names in code, which also catches a compile-time constant the compiler inlines),
 * and over the compiled classes with jdeps, run as {@code jdeps --module-path target/lib -verbose:package -e
 * 'org\.jnsjail\..*' target/classes} (the jar holds the same classes: {@code jdeps --module-path target/lib
 * -verbose:package target/jnsjail.jar} shows the same edges).
 */
class LayersTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    /**
     * The stack, bottom first; names relative to org.jnsjail. A package may use packages of the
     * layers below its own, never one of its own layer or above.
     */
    static final List<List<String>> LAYERS = List.of(
            // the kernel edges: FFM calls, syscall numbers, kernel constants; then the log
            List.of("sys"),
            List.of("log"),
            // data: the jail's description and outcome; generated protobuf messages
            List.of("model", "config.proto", "unotify.proto"),
            // the exec stub: its binary, its protocol (typed ops, plan encoding, reports)
            List.of("stub"),
            // the planner's pieces: pure builders and the host resources a jail holds
            List.of("seccomp", "mount", "user", "cgroup", "net.nstun", "config"),
            List.of("unotify", "net"),
            List.of("plan"),
            // running jails; reading nsjail command lines and config files (independent of each other)
            List.of("supervisor", "args"),
            // the public API
            List.of("api"),
            // front ends
            List.of("server"),
            List.of("cli", "seccomp.tool"));

    private static Map<String, Integer> layerOf() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) for (String p : LAYERS.get(i)) m.put("org.jnsjail." + p, i);
        return m;
    }

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A qualified name of ours: a package (lower-case segments), then a type (upper case) or a static-import star. */
    private static final Pattern QUALIFIED = Pattern.compile("\\borg\\.jnsjail((?:\\.[a-z_][\\w]*)+)\\.(?:[A-Z]|\\*)");

    /** Source dependencies: package -> package -> where ("File.java:line"). */
    static Map<String, Map<String, Set<String>>> sourceDependencies(Path srcRoot) throws IOException {
        Map<String, Map<String, Set<String>>> deps = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(srcRoot)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path f : files) {
            String code = withoutCommentsAndLiterals(Files.readString(f));
            Matcher pm = PACKAGE.matcher(code);
            if (!pm.find()) continue;
            String own = pm.group(1);
            deps.computeIfAbsent(own, k -> new TreeMap<>());
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                if (m.start() < pm.end()) continue;
                String used = "org.jnsjail" + m.group(1);
                if (used.equals(own)) continue;
                int line = 1;
                for (int i = 0; i < m.start(); i++) if (code.charAt(i) == '\n') line++;
                deps.get(own).computeIfAbsent(used, k -> new TreeSet<>()).add(f.getFileName() + ":" + line);
            }
        }
        return deps;
    }

    /** Comments, string, text-block and char literals blanked (newlines kept, so line numbers stay). */
    static String withoutCommentsAndLiterals(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (; i < end; i++) if (s.charAt(i) == '\n') b.append('\n');
            } else if (c == '"' && s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                for (; i < end; i++) if (s.charAt(i) == '\n') b.append('\n');
                b.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && s.charAt(i) != c && s.charAt(i) != '\n') i += s.charAt(i) == '\\' ? 2 : 1;
                i++;
                b.append(c).append(c);
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** Every edge that points to the same layer or up, one line each. */
    static List<String> violations(Map<String, Map<String, Set<String>>> deps) {
        Map<String, Integer> layer = layerOf();
        List<String> out = new ArrayList<>();
        for (var e : deps.entrySet()) {
            Integer from = layer.get(e.getKey());
            if (from == null) {
                out.add(e.getKey() + " is in no layer of LayersTest.LAYERS");
                continue;
            }
            for (var d : e.getValue().entrySet()) {
                Integer to = layer.get(d.getKey());
                if (to == null) {
                    out.add(d.getKey() + " (used by " + e.getKey() + ") is in no layer of LayersTest.LAYERS");
                } else if (to >= from) {
                    out.add(e.getKey() + " -> " + d.getKey() + (to.equals(from) ? " (same layer)" : " (upward)")
                            + " at " + d.getValue());
                }
            }
        }
        return out;
    }

    /** Package cycles, each as "a -> b -> ... -> a" (depth-first search over the package graph). */
    static List<String> cycles(Map<String, ? extends Map<String, ?>> deps) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 on the stack, 2 done
        List<String> stack = new ArrayList<>();
        for (String p : deps.keySet()) dfs(p, deps, state, stack, out);
        return out;
    }

    private static void dfs(String p, Map<String, ? extends Map<String, ?>> deps, Map<String, Integer> state,
            List<String> stack, List<String> out) {
        Integer st = state.get(p);
        if (st != null && st == 2) return;
        if (st != null && st == 1) {
            List<String> cyc = new ArrayList<>(stack.subList(stack.indexOf(p), stack.size()));
            cyc.add(p);
            out.add(String.join(" -> ", cyc));
            return;
        }
        state.put(p, 1);
        stack.add(p);
        Map<String, ?> next = deps.get(p);
        if (next != null) for (String q : next.keySet()) dfs(q, deps, state, stack, out);
        stack.removeLast();
        state.put(p, 2);
    }

    @Test
    void sourcesFollowTheStack() throws IOException {
        Path src = ROOT.resolve("src/main/java");
        if (!Files.isDirectory(src)) Assumptions.abort("not run from the project directory (no src/main/java)");
        Map<String, Map<String, Set<String>>> deps = sourceDependencies(src);
        assertTrue(deps.size() > 10, "found the packages: " + deps.keySet());
        assertEquals(List.of(), violations(deps));
        assertEquals(List.of(), cycles(deps));
    }

    /** Every package of the table exists (a renamed package must be renamed here too). */
    @Test
    void everyLayeredPackageExists() throws IOException {
        Path src = ROOT.resolve("src/main/java");
        if (!Files.isDirectory(src)) Assumptions.abort("not run from the project directory (no src/main/java)");
        Set<String> known = sourceDependencies(src).keySet();
        List<String> missing = new ArrayList<>();
        for (List<String> l : LAYERS) {
            for (String p : l) {
                if (!known.contains("org.jnsjail." + p) && !p.endsWith(".proto")) missing.add(p);
            }
        }
        assertEquals(List.of(), missing);
    }

    /** The compiled classes, through jdeps: the same stack, and no cycle. */
    @Test
    void jdepsSeesNoCycle() throws Exception {
        Path classes = Path.of(org.jnsjail.sys.Libc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElse(null);
        if (jdeps == null) Assumptions.abort("this JDK has no jdeps tool (module jdk.jdeps)");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        // The classes are a module (module-info.class): jdeps resolves what it requires from protobuf's jars.
        String modulePath = Path.of(com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()) + java.io.File.pathSeparator + Path.of(com.google.protobuf.util.JsonFormat.class
                .getProtectionDomain().getCodeSource().getLocation().toURI());
        int rc = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), "--module-path", modulePath, "-verbose:package", "-e", "org\\.jnsjail\\..*",
                classes.toString());
        assertEquals(0, rc, "jdeps failed: " + err.toString(StandardCharsets.UTF_8));
        Map<String, Map<String, Set<String>>> deps = new TreeMap<>();
        Pattern edge = Pattern.compile("^\\s+(org\\.jnsjail\\S*)\\s+->\\s+(org\\.jnsjail\\S*)\\s");
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            Matcher m = edge.matcher(line);
            if (!m.find() || m.group(1).equals(m.group(2))) continue;
            deps.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                    .computeIfAbsent(m.group(2), k -> new TreeSet<>()).add("(class file)");
            deps.computeIfAbsent(m.group(2), k -> new LinkedHashMap<>());
        }
        assertTrue(deps.size() > 10, "jdeps found the packages: " + out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(), cycles(deps), "package cycles in " + classes);
        assertEquals(List.of(), violations(deps));
    }

    /** The checker itself: an upward edge, a same-layer edge and a cycle are found. */
    @Test
    void checkerFindsWhatItMust() {
        Map<String, Map<String, Set<String>>> deps = new TreeMap<>();
        deps.put("org.jnsjail.model", new TreeMap<>(Map.of("org.jnsjail.supervisor", Set.of("X.java:3"))));
        deps.put("org.jnsjail.supervisor", new TreeMap<>(Map.of("org.jnsjail.model", Set.of("Y.java:4"))));
        deps.put("org.jnsjail.mount", new TreeMap<>(Map.of("org.jnsjail.user", Set.of("Z.java:5"))));
        List<String> v = violations(deps);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains("(upward)") && v.get(1).contains("(same layer)"), v.toString());
        assertEquals(List.of("org.jnsjail.model -> org.jnsjail.supervisor -> org.jnsjail.model"), cycles(deps));
        String code = withoutCommentsAndLiterals("package org.jnsjail.model;\n// org.jnsjail.cli.Main\n"
                + "/* org.jnsjail.cli.Main */ String s = \"org.jnsjail.cli.Main\";\n"
                + "int x = org.jnsjail.sys.Fcntl.O_RDONLY;\n");
        Matcher m = QUALIFIED.matcher(code);
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group(1));
        assertEquals(List.of(".sys"), found);
    }
}
