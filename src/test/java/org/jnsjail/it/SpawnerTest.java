package org.jnsjail.it;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.JailStatus;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.model.MountPt;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor's own starts in this JVM (what the public API and the CLI modes use): real jails started with {@link Spawner#start}. */
class SpawnerTest {
    @BeforeAll
    static void machineCanJail() {
        ItEnv.assumeUserNamespaces();
    }

    /** {@code --chroot / } with a fresh procfs, mapped to this JVM's own ids. */
    static JailSpec.Builder spec(String... argv) {
        JailSpec.Builder b = JailSpec.builder().command(argv);
        b.mount(MountPt.bind("/", "/", false));
        b.mount(MountPt.fs("", "/proc", "proc", "", false, true));
        b.uidMaps.add(new IdMap(Libc.getuid(), Libc.getuid(), 1, false));
        b.gidMaps.add(new IdMap(Libc.getgid(), Libc.getgid(), 1, false));
        return b;
    }

    @Test
    void fiftySequentialJailsLeakNothing() throws Exception {
        JailSpec spec = spec("/bin/true").build();
        // Warm-up: the first start creates the exec stub's memfd and the spawner thread, which stay.
        try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
            assertEquals(JailStatus.exited(0), h.waitFor());
        }
        List<String> fdsBefore = openFds();
        for (int i = 0; i < 50; i++) {
            try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                JailStatus st = h.waitFor();
                assertEquals(JailStatus.exited(0), st, "run " + i);
                assertTrue(h.pid() > 0);
            }
        }
        assertEquals(fdsBefore, openFds(), "the JVM's open fds changed");
        assertEquals(List.of(), zombieChildren(), "zombie children remain");
    }

    /**
     * user_net per jail: the handed-over TUN and netlink fds, the stack's threads and host sockets,
     * or the pasta process, are all gone when the jail is (also after a failed start).
     */
    @Test
    void userNetJailsLeakNothing() throws Exception {
        ItEnv.assumeRoot();
        List<org.jnsjail.model.UserNet> kinds = new ArrayList<>(List.of(org.jnsjail.model.UserNet.DEFAULT));
        if (Files.isExecutable(Path.of("/usr/bin/pasta"))) {
            var d = org.jnsjail.model.UserNet.DEFAULT;
            kinds.add(new org.jnsjail.model.UserNet(org.jnsjail.model.UserNet.Backend.PASTA, d.ip4(), d.gw4(), d.ip6(),
                    d.gw6(), d.nsIface(), List.of(), List.of(), org.jnsjail.model.UserNet.Pasta.DEFAULT));
        } else {
            System.out.println("userNetJailsLeakNothing: /usr/bin/pasta missing, NSTUN only");
        }
        for (var un : kinds) {
            JailSpec.Builder b = spec("/bin/sh", "-c", "ip -o -4 addr show dev eth0 | grep -q 10.255.255.2");
            b.net = org.jnsjail.model.NetConfig.NONE.withUserNet(un);
            JailSpec spec = b.build();
            try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                assertEquals(JailStatus.exited(0), h.waitFor(), un.backend() + " warm-up");
            }
            List<String> fdsBefore = settledFds();
            long threadsBefore = Thread.getAllStackTraces().size();
            for (int i = 0; i < 10; i++) {
                try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                    assertEquals(JailStatus.exited(0), h.waitFor(), un.backend() + " run " + i);
                }
            }
            // A jail that fails after the hand-over (bad program) releases everything too.
            JailSpec.Builder bad = spec("/nonexistent/jnsjail-it");
            bad.net = org.jnsjail.model.NetConfig.NONE.withUserNet(un);
            assertThrows(JailFailure.class, () -> Spawner.get().start(bad.build(), JailIo.INHERIT));
            assertEquals(fdsBefore, fdsBackTo(fdsBefore), un.backend() + ": the JVM's open fds changed");
            assertEquals(threadsBefore, Thread.getAllStackTraces().size(), un.backend() + ": threads left");
            assertEquals(List.of(), zombieChildren(), "zombie children remain");
        }
    }

    @Test
    void pipesCaptureStdout() throws Exception {
        int[] p = Libc.pipe2(Fcntl.O_CLOEXEC);
        try {
            JailStatus st;
            try (JailHandle h = Spawner.get().start(spec("/bin/echo", "hi").build(), new JailIo(0, p[1], 2))) {
                Libc.close(p[1]);
                p[1] = -1;
                String out = readAll(p[0]); // EOF once the jail (the only writer left) exits
                assertEquals("hi\n", out);
                st = h.waitFor();
            }
            assertEquals(JailStatus.exited(0), st);
        } finally {
            if (p[1] >= 0) Libc.close(p[1]);
            Libc.close(p[0]);
        }
    }

    @Test
    void exitCodeAndSignalStatus() throws Exception {
        try (JailHandle h = Spawner.get().start(spec("/bin/sh", "-c", "exit 42").build(), JailIo.INHERIT)) {
            JailStatus st = h.waitFor();
            assertEquals(42, st.code());
            assertEquals(0, st.signal());
            assertEquals("exited with status: 42", st.describe());
        }
    }

    @Test
    void waitForWithTimeoutAndSignal() throws Exception {
        try (JailHandle h = Spawner.get().start(spec("/bin/sleep", "30").build(), JailIo.INHERIT)) {
            assertNull(h.waitFor(0), "still running: waitFor(0) just checks");
            assertNull(h.waitFor(200), "still running after 200 ms");
            assertTrue(h.signal(Signals.SIGKILL));
            JailStatus st = h.waitFor(10_000);
            assertNotNull(st, "SIGKILL did not end the jail within 10 s");
            assertEquals(JailStatus.killed(9), st);
            assertEquals(137, st.code());
            assertTrue(st.signaled());
            assertEquals("terminated with signal: SIGKILL (9)", st.describe());
            // Once ended, the status is kept and signals report failure.
            assertSame(st, h.waitFor(0));
            assertSame(st, h.waitFor());
            assertEquals(false, h.signal(Signals.SIGKILL));
        }
        assertEquals(List.of(), zombieChildren());
    }

    @Test
    void waitForReturnsStatusAfterNormalExit() throws Exception {
        try (JailHandle h = Spawner.get().start(spec("/bin/true").build(), JailIo.INHERIT)) {
            JailStatus st = h.waitFor(10_000);
            assertEquals(JailStatus.exited(0), st);
        }
    }

    /** close() on a running jail kills and reaps it. */
    @Test
    void closeKillsARunningJail() throws Exception {
        int pid;
        try (JailHandle h = Spawner.get().start(spec("/bin/sleep", "30").build(), JailIo.INHERIT)) {
            pid = h.pid();
            assertNull(h.waitFor(0));
        }
        assertTrue(!Files.exists(Path.of("/proc/" + pid)) || !isOurChild(pid), "jail " + pid + " still exists");
        assertEquals(List.of(), zombieChildren());
    }

    /** The jail sees what the spec says: PID 1, hostname, empty environment unless given one. */
    @Test
    void specIsApplied() throws Exception {
        JailSpec.Builder b = spec("/bin/sh", "-c", "echo $$ $(/bin/hostname) $FOO");
        b.hostname = "apihost";
        b.env = new ArrayList<>(List.of("FOO=bar"));
        int[] p = Libc.pipe2(Fcntl.O_CLOEXEC);
        try (JailHandle h = Spawner.get().start(b.build(), new JailIo(0, p[1], 2))) {
            Libc.close(p[1]);
            p[1] = -1;
            assertEquals("1 apihost bar\n", readAll(p[0]));
            assertEquals(JailStatus.exited(0), h.waitFor());
        } finally {
            if (p[1] >= 0) Libc.close(p[1]);
            Libc.close(p[0]);
        }
    }

    @Test
    void stdinFromAPipe() throws Exception {
        int[] in = Libc.pipe2(Fcntl.O_CLOEXEC);
        int[] out = Libc.pipe2(Fcntl.O_CLOEXEC);
        try {
            try (JailHandle h = Spawner.get().start(spec("/bin/cat").build(), new JailIo(in[0], out[1], 2))) {
                Libc.close(in[0]);
                in[0] = -1;
                Libc.close(out[1]);
                out[1] = -1;
                try (Arena a = Arena.ofConfined()) {
                    Libc.writeFully(in[1], a.allocateFrom("abc\n", StandardCharsets.UTF_8).asSlice(0, 4));
                }
                Libc.close(in[1]);
                in[1] = -1;
                assertEquals("abc\n", readAll(out[0]));
                assertEquals(JailStatus.exited(0), h.waitFor());
            }
        } finally {
            for (int fd : new int[] {in[0], in[1], out[0], out[1]}) if (fd >= 0) Libc.close(fd);
        }
    }

    /** A failed start (exec ENOENT) is a JailFailure with nsjail's message, and leaks neither fds nor children. */
    @Test
    void failedStartsLeakNothing() throws Exception {
        JailSpec bad = spec("/nonexistent/jnsjail-it").build();
        try (JailHandle h = Spawner.get().start(spec("/bin/true").build(), JailIo.INHERIT)) {
            h.waitFor(); // warm-up
        }
        List<String> fdsBefore = openFds();
        for (int i = 0; i < 10; i++) {
            JailFailure e = assertThrows(JailFailure.class, () -> Spawner.get().start(bad, JailIo.INHERIT));
            assertTrue(e.getMessage().contains("execve('/nonexistent/jnsjail-it') failed: No such file or directory"),
                    e.getMessage());
        }
        assertEquals(fdsBefore, openFds(), "the JVM's open fds changed");
        assertEquals(List.of(), zombieChildren(), "zombie children remain");
    }

    /** Starts from several threads at once all succeed (they run on the spawner pool). */
    @Test
    void concurrentStarts() throws Exception {
        JailSpec spec = spec("/bin/sh", "-c", "exit 5").build();
        List<Thread> threads = new ArrayList<>();
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5; i++) {
                    try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                        results.add(h.waitFor());
                    } catch (JailFailure e) {
                        results.add(e);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join(60_000);
        assertEquals(20, results.size(), results::toString);
        for (Object r : results) assertEquals(JailStatus.exited(5), r);
        assertEquals(List.of(), zombieChildren());
    }

    /**
     * startAsync: eight starts in flight at once all complete with their jail, a failed one completes
     * with the JailFailure, and the pool's threads are made once (no thread per start).
     */
    @Test
    void asyncStartsRunOnThePool() throws Exception {
        JailSpec spec = spec("/bin/sh", "-c", "exit 7").build();
        try (JailHandle h = Spawner.get().startAsync(spec, JailIo.INHERIT).get()) {
            h.waitFor(); // warm-up: the pool exists from here on
        }
        int pool = Math.max(2, Runtime.getRuntime().availableProcessors());
        assertEquals(pool, spawnerThreads());
        for (int round = 0; round < 3; round++) {
            List<java.util.concurrent.CompletableFuture<JailHandle>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) fs.add(Spawner.get().startAsync(spec, JailIo.INHERIT));
            for (var f : fs) {
                try (JailHandle h = f.get()) {
                    assertEquals(JailStatus.exited(7), h.waitFor());
                }
            }
        }
        var bad = Spawner.get().startAsync(spec("/nonexistent/jnsjail-it").build(), JailIo.INHERIT);
        var e = assertThrows(java.util.concurrent.ExecutionException.class, bad::get);
        assertTrue(e.getCause() instanceof JailFailure, e::toString);
        assertEquals(pool, spawnerThreads(), "spawner threads");
        assertEquals(List.of(), zombieChildren());
    }

    // ---- helpers ----

    private static long spawnerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("jnsjail-spawner-")).count();
    }

    /**
     * The open fds once they stopped changing: NSTUN closes TUN fds on a background thread, since
     * unregistering a TUN device takes ~30 ms of RCU grace periods.
     */
    static List<String> settledFds() throws IOException, InterruptedException {
        // Stable for 600 ms: longer than the closer's backlog (8 devices of ~30-40 ms each) takes.
        List<String> last = openFds();
        int stable = 0;
        for (int i = 0; i < 200 && stable < 6; i++) {
            Thread.sleep(100);
            List<String> now = openFds();
            stable = now.equals(last) ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** Waits (up to 10 s) for the open fds to be {@code expected} again; returns what they are then. */
    static List<String> fdsBackTo(List<String> expected) throws IOException, InterruptedException {
        List<String> now = openFds();
        for (int i = 0; i < 100 && !now.equals(expected); i++) {
            Thread.sleep(100);
            now = openFds();
        }
        return now;
    }

    static List<String> openFds() throws IOException {
        // The directory stream's own fd is listed too; it gets the same number each time.
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(q -> q.getFileName().toString()).sorted().toList();
        }
    }

    /** Children of this JVM in state Z. */
    static List<Long> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path d : s.toList()) {
                String n = d.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                String stat;
                try {
                    stat = Files.readString(d.resolve("stat"));
                } catch (IOException e) {
                    continue;
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f[0].equals("Z") && Long.parseLong(f[1]) == self) out.add(Long.parseLong(n));
            }
        }
        return out;
    }

    private static boolean isOurChild(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]) == ProcessHandle.current().pid();
        } catch (IOException e) {
            return false;
        }
    }

    static String readAll(int fd) throws ErrnoException {
        StringBuilder sb = new StringBuilder();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            for (;;) {
                long n = Libc.read(fd, buf, 4096);
                if (n <= 0) break;
                sb.append(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
