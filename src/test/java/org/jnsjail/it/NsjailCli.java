package org.jnsjail.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.sys.Libc;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the jnsjail CLI ({@code org.jnsjail.cli.Main}) as a subprocess, optionally as uid 65534,
 * and captures stdout, stderr and the exit code. A run that outlives its timeout is killed with
 * its whole process tree and fails the test: no process is ever left behind.
 */
final class NsjailCli {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Every timeout of a run is multiplied by {@code -Djnsjail.it.timeoutScale=N} (default 1): the
     * test VM (KernelVmTest) emulates its CPUs in software, where a JVM starts ten times slower.
     */
    static Duration scaled(Duration t) {
        String s = System.getProperty("jnsjail.it.timeoutScale");
        return s == null ? t : t.multipliedBy(Long.parseLong(s));
    }

    /** The "UID/GID 0 in the global user namespace" warnings nsjail prints whenever an outside id is 0. */
    static final Pattern ROOT_MAPPING_WARNING =
            Pattern.compile("Process will be (UID/EUID|GID/EGID)=0 in the global user namespace");

    private final RunAs as;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean openFd5;
    private boolean pipedStdin;
    private List<String> wrapper = List.of();
    /** Through the test server (see {@link TestServers}): by default in the suite's server pass. */
    private boolean served = TestServers.throughServer();

    private NsjailCli(RunAs as) {
        this.as = as;
    }

    static NsjailCli as(RunAs as) {
        return new NsjailCli(as);
    }

    /** Shorthand: run {@code args} as {@code as} with the default timeout. */
    static Result run(RunAs as, String... args) {
        return as(as).args(args).run();
    }

    NsjailCli args(String... a) {
        args.addAll(Arrays.asList(a));
        return this;
    }

    NsjailCli args(List<String> a) {
        args.addAll(a);
        return this;
    }

    /** An extra variable in the CLI's (the supervisor's) environment. */
    NsjailCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    NsjailCli timeout(Duration t) {
        timeout = t;
        return this;
    }

    /** Always the JVM itself, even in the suite's server pass (server control, cases about the JVM). */
    NsjailCli cold() {
        served = false;
        return this;
    }

    /** Through the test server, whatever the pass. */
    NsjailCli served() {
        served = true;
        return this;
    }

    /** A command that execs the rest ("$@"), put before everything else (e.g. a shell that sets a trap). */
    NsjailCli wrappedBy(List<String> wrapper) {
        this.wrapper = List.copyOf(wrapper);
        return this;
    }

    /** The CLI's stdin is a pipe the test writes with {@link Running#send(String)}, instead of /dev/null. */
    NsjailCli withPipedStdin() {
        pipedStdin = true;
        return this;
    }

    /** The CLI starts with fd 5 open (on /dev/null), for --pass_fd tests. */
    NsjailCli withFd5() {
        openFd5 = true;
        return this;
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>(as.prefix());
        // The launcher's flags that matter for behaviour: -XX:-MaxFDLimit keeps the caller's RLIMIT_NOFILE.
        List<String> jvm = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-MaxFDLimit",
                "-cp", as.prefix().isEmpty() ? System.getProperty("java.class.path") : readableClasspath(),
                "org.jnsjail.cli.Main"));
        if (served) {
            // The client falls back to exactly this JVM command when the server does not take the run.
            cmd.addAll(List.of(TestServers.client(), TestServers.serverFor(as).socket(), TestServers.identity(),
                    Integer.toString(jvm.size())));
        }
        cmd.addAll(jvm);
        cmd.addAll(args);
        if (openFd5) {
            // ProcessBuilder cannot hand over extra fds: a shell opens fd 5 and execs the rest.
            List<String> sh = new ArrayList<>(List.of("/bin/sh", "-c", "exec 5</dev/null; exec \"$@\"", "sh"));
            sh.addAll(cmd);
            cmd = sh;
        }
        if (!wrapper.isEmpty()) {
            List<String> w = new ArrayList<>(wrapper);
            w.addAll(cmd);
            cmd = w;
        }
        return cmd;
    }

    private static String readableCp;

    /**
     * The class path for uid 65534: jars it cannot read (e.g. protobuf under root's 0700 ~/.m2, which
     * -C loads) are copied once into a world-readable directory, removed when the test JVM exits.
     */
    static synchronized String readableClasspath() {
        if (readableCp != null) return readableCp;
        try {
            Path dir = java.nio.file.Files.createTempDirectory("jnsjail-it-cp");
            java.nio.file.Files.setPosixFilePermissions(dir,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            dir.toFile().deleteOnExit();
            List<String> out = new ArrayList<>();
            int n = 0;
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (!java.nio.file.Files.isRegularFile(p)) {
                    out.add(e);
                    continue;
                }
                Path copy = dir.resolve((n++) + "-" + p.getFileName());
                java.nio.file.Files.copy(p, copy);
                java.nio.file.Files.setPosixFilePermissions(copy,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                copy.toFile().deleteOnExit();
                out.add(copy.toString());
            }
            readableCp = String.join(File.pathSeparator, out);
            return readableCp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the CLI; the caller must close the returned process (try-with-resources). */
    Running start() {
        ProcessBuilder pb = new ProcessBuilder(command());
        pb.environment().putAll(env);
        if (!pipedStdin) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new Running(pb.start(), String.join(" ", args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the CLI to completion; fails the test (after killing everything) on timeout. */
    Result run() {
        try (Running r = start()) {
            return r.await(timeout);
        }
    }

    /** What a finished run produced. */
    record Result(int exitCode, String stdout, String stderr, long millis, String what) {
        List<String> stdoutLines() {
            return lines(stdout);
        }

        List<String> stderrLines() {
            return lines(stderr);
        }

        /** stderr without nsjail's root-mapping warnings (which depend only on who runs the CLI). */
        List<String> significantStderrLines() {
            return stderrLines().stream().filter(l -> !ROOT_MAPPING_WARNING.matcher(l).find()).toList();
        }

        /** A description for assertion messages. */
        String describe() {
            return "`" + what + "` exit=" + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }

        private static List<String> lines(String s) {
            return s.lines().toList();
        }
    }

    /** A running CLI process with its output being collected. */
    static final class Running implements AutoCloseable {
        private final Process p;
        private final String what;
        private final long startNanos = System.nanoTime();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump, errPump;

        Running(Process p, String what) {
            this.p = p;
            this.what = what;
            outPump = pump(p.getInputStream(), out, "stdout");
            errPump = pump(p.getErrorStream(), err, "stderr");
        }

        private Thread pump(InputStream in, ByteArrayOutputStream sink, String name) {
            return Thread.ofPlatform().daemon().name("nsjail-cli-" + name).start(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (sink) {
                            sink.write(buf, 0, n);
                            sink.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // stream closed: the process is gone
                }
            });
        }

        long pid() {
            return p.pid();
        }

        String stdoutSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderrSoFar() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until stdout satisfies {@code cond}; fails (and kills everything) after {@code timeout}. */
        void awaitStdout(Predicate<String> cond, Duration timeout, String description) {
            long deadline = System.nanoTime() + scaled(timeout).toNanos();
            synchronized (out) {
                while (!cond.test(out.toString(StandardCharsets.UTF_8))) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!p.isAlive() && !outPump.isAlive())) {
                        String so = out.toString(StandardCharsets.UTF_8);
                        killAll();
                        fail("waiting for " + description + " in the stdout of `" + what + "`"
                                + (p.isAlive() ? " timed out" : ": the process ended") + "\n--- stdout ---\n" + so
                                + "\n--- stderr ---\n" + stderrSoFar());
                    }
                    try {
                        out.wait(Math.max(1, Math.min(200, left / 1_000_000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        killAll();
                        fail("interrupted");
                    }
                }
            }
        }

        /** Writes to the CLI's stdin (see {@link NsjailCli#withPipedStdin()}). */
        void send(String text) {
            try {
                p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Closes the CLI's stdin: EOF for the jail reading it. */
        void closeStdin() {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Sends a signal to the CLI process (the supervisor). */
        void signal(int sig) {
            Libc.kill((int) p.pid(), sig);
        }

        /** Waits for the CLI to exit and its output to be drained. */
        Result await(Duration unscaled) {
            Duration timeout = scaled(unscaled);
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killAll();
                    fail("`" + what + "` did not finish within " + timeout + "; killed it\n--- stdout ---\n"
                            + stdoutSoFar() + "\n--- stderr ---\n" + stderrSoFar());
                }
                long millis = (System.nanoTime() - startNanos) / 1_000_000;
                // Jailed grandchildren could keep the pipes open; they die with the supervisor.
                outPump.join(10_000);
                errPump.join(10_000);
                return new Result(p.exitValue(), stdoutSoFar(), stderrSoFar(), millis, what);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** SIGKILL to the whole tree, children first (they would die by PDEATHSIG anyway). */
        private void killAll() {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            if (p.isAlive() || p.descendants().findAny().isPresent()) killAll();
        }
    }
}
