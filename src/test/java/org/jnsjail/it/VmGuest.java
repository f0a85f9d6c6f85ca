package org.jnsjail.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The test runner inside the test VM (see {@link KernelVmTest}): runs the given test classes in
 * this one JVM (a JVM start costs seconds under emulation) and appends one line per test to a
 * results file on the host's share as soon as the test ends, so that a VM killed for its time
 * budget still reports what ran. Progress goes to stdout, the VM's serial console.
 *
 * <p>Usage: {@code VmGuest RESULTS CLASS...}. Lines, tab-separated: {@code RESULT status class
 * name millis base64(message)} with status PASSED, FAILED, ABORTED (skipped with a reason) or
 * SKIPPED (disabled); and last {@code END passed failed skipped}. Exit status 0 when nothing failed.
 */
public final class VmGuest {
    private VmGuest() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: VmGuest RESULTS CLASS...");
            System.exit(2);
        }
        AtomicInteger passed = new AtomicInteger(), failed = new AtomicInteger(), skipped = new AtomicInteger();
        try (FileChannel out = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            TestExecutionListener listener = new TestExecutionListener() {
                private final java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

                @Override
                public void executionStarted(TestIdentifier id) {
                    started.put(id.getUniqueId(), System.nanoTime());
                    if (id.isTest()) System.out.println("vm-test: " + name(id) + " ... (at " + uptime() + " s)");
                }

                @Override
                public void executionSkipped(TestIdentifier id, String reason) {
                    skipped.incrementAndGet();
                    write(out, "SKIPPED", id, 0, reason);
                }

                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                    long ms = (System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime())) / 1_000_000;
                    // A container only reports when it failed itself (e.g. in @BeforeAll): its tests did not run.
                    if (!id.isTest() && r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                    String status = switch (r.getStatus()) {
                        case SUCCESSFUL -> "PASSED";
                        case ABORTED -> "ABORTED";
                        case FAILED -> "FAILED";
                    };
                    (switch (r.getStatus()) {
                        case SUCCESSFUL -> passed;
                        case ABORTED -> skipped;
                        case FAILED -> failed;
                    }).incrementAndGet();
                    String msg = r.getThrowable().map(VmGuest::describe).orElse("");
                    write(out, status, id, ms, msg);
                    System.out.println("vm-test: " + name(id) + " " + status + " (" + ms + " ms)"
                            + (status.equals("PASSED") ? "" : ": " + firstLine(msg)));
                }
            };
            LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
            for (String c : List.of(args).subList(1, args.length)) b.selectors(DiscoverySelectors.selectClass(c));
            LauncherDiscoveryRequest req = b.build();
            LauncherFactory.create().execute(req, listener);
            line(out, "END\t" + passed + "\t" + failed + "\t" + skipped);
        }
        System.out.println("vm-test: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
        System.out.flush();
        // No shutdown hooks: stopping the test servers costs a JVM start each under emulation, and the
        // VM's PID 1 kills whatever is left when this job ends.
        Runtime.getRuntime().halt(failed.get() == 0 ? 0 : 1);
    }

    /** "Class.method" for a test method, else the display name. */
    static String name(TestIdentifier id) {
        Optional<MethodSource> m = id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast);
        if (m.isPresent()) {
            String cls = m.get().getClassName();
            return cls.substring(cls.lastIndexOf('.') + 1) + "." + m.get().getMethodName();
        }
        return id.getDisplayName();
    }

    private static String className(TestIdentifier id) {
        return id.getSource().map(s -> s instanceof MethodSource m ? m.getClassName()
                : s instanceof ClassSource c ? c.getClassName() : s.toString()).orElse(id.getDisplayName());
    }

    private static void write(FileChannel out, String status, TestIdentifier id, long ms, String msg) {
        String method = id.getSource().filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName())
                .orElse(id.getDisplayName());
        line(out, String.join("\t", "RESULT", status, className(id), method, Long.toString(ms),
                Base64.getEncoder().encodeToString(msg.getBytes(StandardCharsets.UTF_8))));
    }

    /** Appended and flushed to the host at once: the 9p share writes through. */
    private static synchronized void line(FileChannel out, String s) {
        try {
            out.write(java.nio.ByteBuffer.wrap((s + "\n").getBytes(StandardCharsets.UTF_8)));
            out.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Seconds since this JVM started, for the console. */
    private static long uptime() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    }

    private static String describe(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
