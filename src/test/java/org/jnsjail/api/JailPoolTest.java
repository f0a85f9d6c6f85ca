package org.jnsjail.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jails readied ahead for the API ({@link Jail#readyAhead}): each start is a fresh jail with its own
 * stdio, a host file replaced after the readying is seen, the time limit counts from the start, a
 * readying that failed is reported by the start, and close() leaves no process or fd behind.
 */
class JailPoolTest {
    @BeforeAll
    static void machineCanJail() throws IOException {
        ApiTest.machineCanJail();
    }

    private static JailBuilder jail(String... command) {
        return new JailBuilder(command).readOnlyRoot();
    }

    private static String text(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Runs /bin/cat from the pool with {@code input} on its stdin; returns its stdout. */
    private static String cat(JailPool pool, String input) throws Exception {
        JailProcess p = pool.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = text(p.getInputStream());
        JailResult r = p.result();
        assertEquals(JailResult.Cause.EXITED, r.cause(), r::toString);
        return out;
    }

    @Test
    void eachStartIsAFreshJailWithItsOwnStdio() throws Exception {
        try (JailPool pool = jail("/bin/cat").build().readyAhead(2)) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                JailProcess p = pool.start();
                pids.add(p.pid());
                try (OutputStream in = p.getOutputStream()) {
                    in.write(("input " + i).getBytes(StandardCharsets.UTF_8));
                }
                assertEquals("input " + i, text(p.getInputStream()));
                assertEquals(0, p.waitFor());
                assertEquals(JailResult.Cause.EXITED, p.result().cause());
            }
            assertEquals(12, pids.size(), "a jail was started twice");
        }
    }

    @Test
    void theSameJailAsAStartOnDemand() throws Exception {
        // Namespaces, hostname, credentials and limits as Jail.start gives them: the same plan, run earlier.
        Jail jail = jail("/bin/sh", "-c", "echo $(hostname) $(id -u) $(ulimit -n) $$; ls /proc/self/ns | wc -l")
                .hostname("pooled").rlimit(Rlimit.RLIMIT_NOFILE, 77).build();
        String direct = text(jail.start().getInputStream());
        try (JailPool pool = jail.readyAhead(1)) {
            Thread.sleep(200); // readied, waiting
            assertEquals(direct, text(pool.start().getInputStream()));
            assertEquals(direct, text(pool.start().getInputStream()));
        }
        assertTrue(direct.startsWith("pooled 0 77 1\n"), direct);
    }

    @Test
    void aBindSourceReplacedAfterTheReadyingIsSeen(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Files.writeString(dir.resolve("data"), "old");
        try (JailPool pool = jail("/bin/cat", "/mnt/data").bind(dir, "/mnt", JailBuilder.Access.READ_ONLY).build()
                .readyAhead(1)) {
            assertEquals("old", text(pool.start().getInputStream()));
            Thread.sleep(300); // the next one is readied with the old directory bound
            Path next = Files.createDirectory(tmp.resolve("next"));
            Files.writeString(next.resolve("data"), "new");
            Files.move(dir, tmp.resolve("old"));
            Files.move(next, dir);
            assertEquals("new", text(pool.start().getInputStream()));
        }
    }

    @Test
    void theTimeLimitCountsFromTheStart() throws Exception {
        try (JailPool pool = jail("/bin/sleep", "0.3").timeLimit(Duration.ofSeconds(1)).build().readyAhead(1)) {
            Thread.sleep(1500); // longer than the limit: a clock started at the readying would kill it
            JailResult r = pool.start().result();
            assertEquals(JailResult.Cause.EXITED, r.cause(), r::toString);
            assertTrue(r.wallTime().toMillis() < 1000, r::toString);
        }
        try (JailPool pool = jail("/bin/sleep", "5").timeLimit(Duration.ofMillis(300)).build().readyAhead(1)) {
            JailResult killed = pool.start().result();
            assertTrue(killed.timedOut(), killed::toString);
        }
    }

    @Test
    void aReadyingThatFailedIsReportedByTheStart(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("gone"));
        Jail jail = jail("/bin/true").bind(dir, "/mnt", JailBuilder.Access.READ_ONLY).build();
        Files.delete(dir);
        try (JailPool pool = jail.readyAhead(2)) {
            for (int i = 0; i < 2; i++) {
                JailException e = assertThrows(JailException.class, pool::start);
                assertEquals(JailException.Step.MOUNT, e.step(), e::getMessage);
                assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            }
            Files.createDirectory(dir);
            assertEquals(0, pool.start().waitFor(), "the pool works again once the source is back");
        }
    }

    @Test
    void closeKillsTheReadiedJailsAndLeavesNothing() throws Exception {
        try (JailPool warm = jail("/bin/true").build().readyAhead(1)) {
            warm.start().waitFor(); // warm-up: the exec stub and the spawn pool's threads stay
        }
        List<String> fds = ApiTest.openFds();
        List<Long> children = children();
        JailPool pool = jail("/bin/cat").build().readyAhead(3);
        assertEquals("x", cat(pool, "x"));
        // Starts that find none ready make the pool ready more: several are readied or under way now.
        for (int i = 0; i < 4; i++) pool.start().destroy();
        pool.close();
        assertEquals(children, children(), "a readied jail outlived close()");
        for (int i = 0; i < 50 && !ApiTest.openFds().equals(fds); i++) Thread.sleep(20); // reapers of the destroyed ones
        assertEquals(fds, ApiTest.openFds(), () -> "the JVM's open fds changed: " + fdTargets());
        pool.close(); // again: nothing
        assertThrows(IllegalStateException.class, pool::start);
    }

    private static String fdTargets() {
        StringBuilder b = new StringBuilder();
        try {
            for (String fd : ApiTest.openFds()) {
                try {
                    b.append(fd).append("->").append(Files.readSymbolicLink(Path.of("/proc/self/fd", fd))).append(' ');
                } catch (IOException gone) {
                    // the listing's own fd
                }
            }
        } catch (IOException e) {
            b.append(e);
        }
        return b.toString();
    }

    @Test
    void aPoolDroppedUnclosedHasItsReadiedJailsKilled() throws Exception {
        try (JailPool warm = jail("/bin/true").build().readyAhead(1)) {
            warm.start().waitFor(); // warm-up: the exec stub and the spawn pool's threads stay
        }
        List<String> fds = ApiTest.openFds();
        List<Long> children = children();
        startOneAndDrop();
        for (int i = 0; i < 100 && !(children().equals(children) && ApiTest.openFds().equals(fds)); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(children, children(), "a dropped pool's readied jail outlived its collection");
        assertEquals(fds, ApiTest.openFds(), () -> "a dropped pool's readied jail kept fds: " + fdTargets());
    }

    /**
     * A pool with one jail readied (none still under way: each was given time to be readied), and
     * no reference to it left once this returns.
     */
    private static void startOneAndDrop() throws Exception {
        JailPool pool = jail("/bin/true").build().readyAhead(1);
        Thread.sleep(300); // readied: the start takes it, and the pool keeps readying one at a time
        assertEquals(0, pool.start().waitFor());
        Thread.sleep(300); // the next one readied
    }

    /** This JVM's children (readied and running jails are: CLONE_PARENT), the exec stub among them. */
    private static List<Long> children() throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String c;
                try {
                    c = Files.readString(t.resolve("children")).trim();
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // a thread that ended meanwhile
                }
                if (!c.isEmpty()) for (String pid : c.split(" ")) out.add(Long.parseLong(pid));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void startsFromSeveralThreads() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try (JailPool pool = jail("/bin/cat").build().readyAhead(4)) {
            List<Future<String>> outs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String input = "t" + i;
                outs.add(ex.submit(() -> cat(pool, input)));
            }
            for (int i = 0; i < 16; i++) assertEquals("t" + i, outs.get(i).get());
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void misuse() throws Exception {
        Jail jail = jail("/bin/true").build();
        assertThrows(IllegalArgumentException.class, () -> jail.readyAhead(0));
        assertThrows(IllegalArgumentException.class, () -> jail.readyAhead(JailPool.MAX_READIED + 1));
        IllegalStateException own = assertThrows(IllegalStateException.class,
                () -> jail("/bin/true").moveInterface("jnsjail-none0").build().readyAhead(1));
        assertTrue(own.getMessage().contains("host interface"), own.getMessage());
        try (JailPool pool = jail.readyAhead(1)) {
            assertEquals(jail, pool.jail());
            assertEquals(0, pool.start().waitFor());
        }
    }
}
