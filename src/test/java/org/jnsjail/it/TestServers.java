package org.jnsjail.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jnsjail.it.ItEnv.RunAs;

/**
 * Resident jnsjail servers for the tests, one per identity, each in a private directory of its own
 * (never the user's default one, which a developer's own server may use). Started on first use,
 * stopped when the test JVM exits; nothing is left behind.
 *
 * <p>With {@code -Djnsjail.it.server=1} (the build's second pass over the CLI suites) every
 * {@link NsjailCli} run goes through the native client and the server, so the one-shot cases show
 * that a served run behaves exactly as a cold one.
 */
final class TestServers {
    private TestServers() {}

    /** Whether the CLI runs of this test JVM go through the server. */
    static boolean throughServer() {
        return System.getProperty("jnsjail.it.server") != null;
    }

    /** The client binary (built by Maven next to the jar). */
    static String client() {
        return System.getProperty("jnsjail.client", "target/jnsjail-client");
    }

    /** Which jnsjail build the client claims: where org.jnsjail.cli.Main comes from, as the server sees itself. */
    static String identity() {
        try {
            return Path.of(org.jnsjail.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A running server: its directory and pid. */
    record Running(Path dir, long pid) {
        String socket() {
            return dir.resolve("server.sock").toString();
        }
    }

    private static final Map<RunAs, Running> RUNNING = new EnumMap<>(RunAs.class);
    private static Path top;

    /** The server for {@code as}, started if needed. */
    static synchronized Running serverFor(RunAs as) {
        Running r = RUNNING.get(as);
        if (r != null) return r;
        try {
            if (top == null) {
                top = Files.createTempDirectory("jnsjail-it-server");
                Files.setPosixFilePermissions(top, PosixFilePermissions.fromString("rwx--x--x"));
                Runtime.getRuntime().addShutdownHook(new Thread(TestServers::stopAll));
            }
            Path home = top.resolve(as.name().toLowerCase(java.util.Locale.ROOT));
            Files.createDirectory(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            if (as.uid() != ItEnv.euid()) chown(home, as.uid(), as.gid());
            r = start(as, home.resolve("jnsjail"));
            RUNNING.put(as, r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code nsjail --server ACTION --server_dir DIR} as {@code as}; exit code and output. */
    static NsjailCli.Result control(RunAs as, Path dir, String action, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server", action, "--server_dir", dir.toString()));
        args.addAll(List.of(extra));
        return NsjailCli.as(as).cold().args(args).run();
    }

    private static Running start(RunAs as, Path dir) {
        NsjailCli.Result r = control(as, dir, "start", "--server_idle_timeout", "1800");
        Matcher m = Pattern.compile("started, pid (\\d+)").matcher(r.stdout());
        if (r.exitCode() != 0 || !m.find()) throw new IllegalStateException("the test server did not start: " + r.describe());
        return new Running(dir, Long.parseLong(m.group(1)));
    }

    /** Stops a server and waits until its process is gone (SIGKILL after 10 s). */
    static void stop(RunAs as, Running r) {
        control(as, r.dir(), "stop");
        ProcessHandle.of(r.pid()).ifPresent(p -> {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    private static synchronized void stopAll() {
        for (Map.Entry<RunAs, Running> e : RUNNING.entrySet()) {
            // How many runs the server took, and how many it handed back to run cold.
            System.out.println("test server for " + e.getKey() + ": " + control(e.getKey(), e.getValue().dir(), "status")
                    .stdout().trim());
            stop(e.getKey(), e.getValue());
        }
        RUNNING.clear();
        if (top != null) deleteTree(top);
    }

    static void chown(Path p, int uid, int gid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", gid);
    }

    static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
