package org.jnsjail.deploy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A command of the image and deployment tests (podman, kubectl, image/build.sh), run to its end with
 * stdout and stderr captured. One that outlives its timeout is killed with its process tree and fails the
 * test; none is left behind.
 */
final class Cmd {
    private Cmd() {}

    record Result(List<String> cmd, int rc, String out, String err) {
        /** The command, its exit code and its output, for assertion messages. */
        String describe() {
            return String.join(" ", cmd) + "\nexit code " + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        Result ok() {
            if (rc != 0) throw new AssertionError("failed: " + describe());
            return this;
        }
    }

    static Result run(Duration timeout, List<String> cmd) {
        return run(timeout, cmd, null);
    }

    static Result run(Duration timeout, List<String> cmd, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (dir != null) pb.directory(dir.toFile());
        // Package installs and tools must not wait for a question.
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread to = drain(p.getInputStream(), out);
            Thread te = drain(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError("did not finish in " + timeout + ": " + String.join(" ", cmd));
            }
            to.join();
            te.join();
            return new Result(List.copyOf(cmd), p.exitValue(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException e) {
                // the process is gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    static boolean onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    }

    /**
     * Installs the Debian packages of the commands this machine lacks (as root, with apt-get), or skips
     * the test naming what is missing and why it could not be installed.
     *
     * @param commandsAndPackages pairs: a command, then the package that brings it
     */
    static void ensureCommands(String... commandsAndPackages) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < commandsAndPackages.length; i += 2) {
            if (!onPath(commandsAndPackages[i]) && !missing.contains(commandsAndPackages[i + 1])) {
                missing.add(commandsAndPackages[i + 1]);
            }
        }
        if (missing.isEmpty()) return;
        if (!isRoot()) Assumptions.abort("needs " + missing + ", and only root can install them");
        if (!onPath("apt-get")) Assumptions.abort("needs " + missing + ", and there is no apt-get to install them");
        Result update = run(Duration.ofMinutes(5), List.of("apt-get", "update", "-qq"));
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
        install.addAll(missing);
        Result r = run(Duration.ofMinutes(15), install);
        if (r.rc() != 0) {
            Assumptions.abort("needs " + missing + "; apt-get install failed (update: exit " + update.rc() + "): "
                    + r.err().strip());
        }
        for (int i = 0; i < commandsAndPackages.length; i += 2) {
            if (!onPath(commandsAndPackages[i])) {
                Assumptions.abort(commandsAndPackages[i] + " is still missing after apt-get install " + missing);
            }
        }
    }

    static boolean isRoot() {
        return statusField("Uid:").split("\\s+")[1].equals("0");
    }

    /** Whether this process holds capability {@code bit} in its effective set (capabilities(7)). */
    static boolean hasCapability(int bit) {
        return ((Long.parseUnsignedLong(statusField("CapEff:"), 16) >>> bit) & 1) != 0;
    }

    private static String statusField(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(key)) return l.substring(key.length()).trim();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }
}
