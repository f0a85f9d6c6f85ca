package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Running;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 17 item 1: a jail that shares a writable bind with another cannot redirect the other's mount
 * set-up out of its new root. A racing jail swaps a directory of the shared bind with symlinks to the
 * roots the set-up could reach ("/" is the scratch tmpfs or, with --no_pivotroot, the host's root;
 * "/old" and "../../old" the host's root after the first pivot_root) in a tight loop of
 * renameat2(RENAME_EXCHANGE), while a LISTEN supervisor builds, for every connection, a jail with
 * {@code -B shared:/data:rw -T /data/t -R /etc/hostname:/data/t/NAME}: its set-up creates the file
 * NAME inside the tmpfs at /data/t. With path-based set-up steps that file appears in the host's
 * root (or in the shared directory) whenever a swap lands between two steps; nothing named NAME may
 * exist anywhere on the host afterwards. Thousands of set-ups per identity and mode, some of which
 * the race makes fail (a failure is fine: the jail is refused, the host is untouched).
 */
class MountRaceTest {
    private static final int SETUPS = Integer.getInteger("jnsjail.it.raceSetups", 1000);
    private static final Pattern LISTENING = Pattern.compile("Listening on \\[[^\\]]*\\]:(\\d+)");
    /** What the shared directory's "t" is swapped with: the ways out of the new root a symlink could name. */
    private static final List<String> LINKS = List.of("/", "/old", "../../old", "../../../..");

    /** A world-readable directory with the static test program (racer, or "ok" printer). */
    private static Path dir;

    @BeforeAll
    static void program() throws Exception {
        dir = Files.createTempDirectory("jnsjail-race");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = dir.resolve("race.c");
        Files.writeString(src, """
                #define _GNU_SOURCE
                #include <fcntl.h>
                #include <string.h>
                #include <sys/syscall.h>
                #include <unistd.h>
                #define RENAME_EXCHANGE 2
                /* race DIR LINK...: in DIR, swap "t" with each LINK and back, forever. Else print "ok". */
                int main(int argc, char **argv) {
                    if (argc > 2 && !strcmp(argv[1], "race")) {
                        if (chdir(argv[2]))
                            return 2;
                        write(1, "racing\\n", 7);
                        for (;;)
                            for (int i = 3; i < argc; i++) {
                                syscall(SYS_renameat2, AT_FDCWD, "t", AT_FDCWD, argv[i], RENAME_EXCHANGE);
                                syscall(SYS_renameat2, AT_FDCWD, "t", AT_FDCWD, argv[i], RENAME_EXCHANGE);
                            }
                    }
                    write(1, "ok\\n", 3);
                    return 0;
                }
                """);
        List<String> cmd = List.of("gcc", "-static", "-O2", "-o", dir.resolve("race").toString(), src.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("gcc is missing (needed to build the racing program)");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("gcc -static could not build the racing program: " + out);
        }
        Files.setPosixFilePermissions(dir.resolve("race"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    enum Mode { PIVOT_ROOT, NO_PIVOT_ROOT }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void aRacingJailCannotMakeAnotherJailsSetUpCreateFilesOnTheHost(RunAs as) throws Exception {
        as.assume();
        for (Mode mode : Mode.values()) race(as, mode);
    }

    private void race(RunAs as, Mode mode) throws Exception {
        String name = "jnsjail-race-" + UUID.randomUUID();
        Path shared = Files.createDirectory(dir.resolve("shared-" + as + "-" + mode));
        Files.createDirectory(shared.resolve("t"));
        List<String> links = new ArrayList<>();
        for (int i = 0; i < LINKS.size(); i++) {
            Files.createSymbolicLink(shared.resolve("s" + i), Path.of(LINKS.get(i)));
            links.add("s" + i);
        }
        for (Path p : List.of(shared, shared.resolve("t"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Set<String> before = listing(shared);
        String prog = dir.resolve("race").toString();

        List<String> racer = new ArrayList<>(List.of("-q", "-Mo", "-B", shared + ":/data:rw", "--execute_fd", "--",
                prog, "race", "/data"));
        racer.addAll(links);
        List<String> victim = new ArrayList<>(List.of("-Ml", "--port", "0", "-B", shared + ":/data:rw", "-T", "/data/t",
                "-R", "/etc/hostname:/data/t/" + name, "--execute_fd"));
        if (mode == Mode.NO_PIVOT_ROOT) victim.add("--no_pivotroot");
        victim.addAll(List.of("--", prog));

        int ok = 0, failed = 0;
        try (Running r = NsjailCli.as(as).args(racer).timeout(Duration.ofMinutes(30)).start();
                Running v = NsjailCli.as(as).args(victim).timeout(Duration.ofMinutes(30)).start()) {
            r.awaitStdout(s -> s.contains("racing"), Duration.ofSeconds(60), "the racer's start");
            int port = port(v);
            for (int i = 0; i < SETUPS; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                    s.setSoTimeout(60_000);
                    String out = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (out.equals("ok\n")) ok++;
                    else failed++;
                }
            }
            assertTrue(r.stdoutSoFar().contains("racing") && ItEnv.processesWith(prog + " race").size() > 0,
                    "the racer ran all along");
        }
        String found = hostFilesNamed(name);
        assertEquals("", found, as + " " + mode + ": the set-up created files on the host");
        Set<String> after = listing(shared);
        assertEquals(before, after, as + " " + mode + ": the shared directory holds only what it held");
        // Not vacuous: the swaps did land between set-up steps (refused set-ups), and set-ups did complete.
        assertTrue(failed > 0, as + " " + mode + ": no set-up was disturbed by the race (" + ok + " ok)");
        assertTrue(ok > 0, as + " " + mode + ": no set-up completed (" + failed + " failed)");
    }

    private static int port(Running v) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (;;) {
            Matcher m = LISTENING.matcher(v.stderrSoFar());
            if (m.find()) return Integer.parseInt(m.group(1));
            if (System.nanoTime() > deadline) fail("no 'Listening on' line:\n" + v.stderrSoFar());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /**
     * What the shared directory holds, recursively without following symlinks: which name is the
     * directory and which a symlink depends on where the racer was stopped, so entries count by kind
     * (symlinks by target), and anything else by its path.
     */
    private static Set<String> listing(Path shared) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(shared)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) out.add("link -> " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) out.add(p.equals(shared) ? "." : "a directory");
                else out.add("file " + shared.relativize(p));
            }
        }
        return out;
    }

    /** Every file system a redirected step could reach: the root's, and the host's tmpfs mounts. */
    private static String hostFilesNamed(String name) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String top : List.of("/", "/tmp", "/run", "/dev/shm", "/mnt")) {
            if (!Files.isDirectory(Path.of(top))) continue;
            Process p = new ProcessBuilder("find", top, "-xdev", "-name", name).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.getErrorStream().readAllBytes();
            p.waitFor(120, TimeUnit.SECONDS);
            b.append(out);
        }
        return b.toString();
    }
}
