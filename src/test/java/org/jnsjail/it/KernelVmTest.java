package org.jnsjail.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernels users run, tested for real: boots Debian 12's kernel (6.1) in a VM with a pure cgroup
 * v2 hierarchy (src/test/vm/kernel-vm.sh) and runs the {@link #GUEST_CLASSES} there, in one JVM
 * ({@link VmGuest}) with the jails going through the resident test server, as the build's second
 * pass does. Each test's result comes back over the VM's writable share and is reported here as a
 * test of its own. Skipped, with the reason, only where the VM cannot run (not x86_64, qemu missing
 * and not installable, no Debian 12 kernel package in the apt sources).
 *
 * <p>Tagged "vm": the build runs it in its own surefire execution after the others. Its budget
 * ({@code -Djnsjail.vm.timeout}, seconds) kills the VM; what ran until then is still reported.
 */
@Tag("vm")
class KernelVmTest {
    /** What runs in the VM: the cgroup v2 and kernel-6.1 cases, and host suites that must pass there too. */
    static final List<String> GUEST_CLASSES = List.of(
            "org.jnsjail.it.CgroupV2VmTest",
            "org.jnsjail.it.Kernel61VmTest",
            "org.jnsjail.it.MountsTest");

    /** Under emulation a JVM starts about ten times slower: every run's timeout is scaled. */
    static final int TIMEOUT_SCALE = 8;

    @TestFactory
    Stream<DynamicNode> debian12Kernel() throws Exception {
        Path testClasses = Path.of(KernelVmTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path buildDir = testClasses.getParent();
        Path script = Path.of(System.getProperty("jnsjail.vm.script",
                buildDir.getParent().resolve("src/test/vm/kernel-vm.sh").toString()));
        Assumptions.assumeTrue(Files.isExecutable(script), script + " is missing");
        Path share = buildDir.resolve("kernel-vm");
        TestServers.deleteTree(share);
        Files.createDirectories(share);
        Path results = share.resolve("results.tsv");
        List<String> classes = System.getProperty("jnsjail.vm.tests") == null ? GUEST_CLASSES
                : List.of(System.getProperty("jnsjail.vm.tests").split(","));
        Files.writeString(share.resolve("job"), job(classes));

        long budget = Long.getLong("jnsjail.vm.timeout", 1200);
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "--timeout", Long.toString(budget)));
        // What the JVMs in the VM read all the time: the build's classes and the jars in Maven's repository.
        cmd.addAll(List.of("--cached", buildDir.getParent().toString()));
        Path repo = mavenRepository();
        if (repo != null) cmd.addAll(List.of("--cached", repo.toString()));
        cmd.add(share.toString());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // Should this JVM be stopped, the VM goes with it.
        Thread killVm = new Thread(() -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        Runtime.getRuntime().addShutdownHook(killVm);
        Deque<String> tail = new ArrayDeque<>();
        String cannot = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter console = new PrintWriter(Files.newBufferedWriter(share.resolve("console.log")))) {
            String line;
            while ((line = r.readLine()) != null) {
                // SeaBIOS and the kernel's console clear the screen: drop the escape sequences.
                line = line.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]|\u001bc|\r", "");
                console.println(line);
                System.out.println("[vm] " + line);
                if (line.startsWith("kernel-vm: cannot run: ")) cannot = line.substring("kernel-vm: cannot run: ".length());
                tail.addLast(line);
                if (tail.size() > 60) tail.removeFirst();
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("kernel-vm.sh did not end after its output did");
        }
        Runtime.getRuntime().removeShutdownHook(killVm);
        int rc = p.exitValue();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.println("kernel-vm: the VM part took " + seconds + " s (budget " + budget + " s), status " + rc);
        if (rc == 125) Assumptions.abort(cannot != null ? cannot : "the test VM cannot run here (see the output)");

        Map<String, List<DynamicNode>> byClass = new LinkedHashMap<>();
        boolean ended = false;
        for (String l : Files.exists(results) ? Files.readAllLines(results) : List.<String>of()) {
            String[] f = l.split("\t", -1);
            if (f[0].equals("END")) ended = true;
            if (!f[0].equals("RESULT") || f.length != 6) continue;
            String status = f[1], cls = f[2], name = f[3], msg = new String(Base64.getDecoder().decode(f[5]),
                    StandardCharsets.UTF_8);
            byClass.computeIfAbsent(cls.substring(cls.lastIndexOf('.') + 1), k -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(name + " (" + f[4] + " ms in the VM)", () -> report(status, msg)));
        }
        List<DynamicNode> out = new ArrayList<>();
        byClass.forEach((cls, tests) -> out.add(DynamicContainer.dynamicContainer(cls + " on Linux 6.1", tests)));
        boolean complete = ended && (rc == 0 || rc == 1);
        String why = "the VM's run " + (rc == 124 ? "outlived its budget of " + budget + " s" : "ended with status " + rc)
                + (ended ? "" : ", before every test had run") + "; the console's last lines:\n" + String.join("\n", tail);
        out.add(DynamicTest.dynamicTest("the VM ran every test (" + seconds + " s)", () -> {
            if (!complete) fail(why);
        }));
        return out.stream();
    }

    private static void report(String status, String msg) {
        switch (status) {
            case "PASSED" -> { }
            case "FAILED" -> fail("in the VM (Linux 6.1, cgroup v2):\n" + msg);
            default -> Assumptions.abort(msg.lines().findFirst().orElse("skipped in the VM"));
        }
    }

    /** The local Maven repository the test class path's jars come from, or null. */
    private static Path mavenRepository() throws URISyntaxException {
        Path jar = Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path p = jar.getParent(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals("repository") && Files.isDirectory(p.resolve("org"))) {
                return p;
            }
        }
        return null;
    }

    /** The VM's job: one JVM running the guest classes, with this build's class path and JDK. */
    private static String job(List<String> classes) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djnsjail.vm=guest", "-Djnsjail.it.server=1", "-Djnsjail.it.timeoutScale=" + TIMEOUT_SCALE,
                "-Djnsjail.client=" + TestServers.client(), "-cp", System.getProperty("java.class.path"),
                VmGuest.class.getName(), "results.tsv"));
        cmd.addAll(classes);
        StringBuilder b = new StringBuilder("#!/bin/sh\n# Written by KernelVmTest: run by the test VM's stage 2 (src/test/vm/guest.sh).\nexec");
        for (String a : cmd) b.append(' ').append('\'').append(a.replace("'", "'\\''")).append('\'');
        return b.append('\n').toString();
    }
}
