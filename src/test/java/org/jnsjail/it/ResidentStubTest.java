package org.jnsjail.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.JailStatus;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.model.MountPt;
import org.jnsjail.args.CommandLine;
import org.jnsjail.supervisor.Prepared;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resident exec stub (issue 15) and jails readied ahead: a stub killed mid-run costs neither
 * the running jails nor later starts; a jail that dies during its plan is reaped; thousands of
 * sequential jails leave no fd, thread or zombie behind; a readied jail whose bind source was
 * replaced is never started.
 */
class ResidentStubTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void machineCanJail() {
        ItEnv.assumeUserNamespaces();
    }

    /** The CLI's default jail: nsjail's namespaces, --chroot /, a fresh /proc. */
    private static JailSpec cli(String... command) throws Exception {
        String[] argv = new String[4 + command.length];
        System.arraycopy(new String[] {"-Mo", "--chroot", "/", "--"}, 0, argv, 0, 4);
        System.arraycopy(command, 0, argv, 4, command.length);
        return CommandLine.parse(argv).spec();
    }

    private static void warmUp() throws Exception {
        try (JailHandle h = Spawner.get().start(cli("/bin/true"), JailIo.INHERIT)) {
            assertEquals(JailStatus.exited(0), h.waitFor());
        }
    }

    @Test
    void aKilledStubLeavesRunningJailsHeldAndNewJailsStart() throws Exception {
        warmUp();
        int stub = Spawner.stubPid();
        assertTrue(stub > 0, "a resident stub runs");
        try (JailHandle sleeper = Spawner.get().start(cli("/bin/sleep", "30"), JailIo.INHERIT)) {
            Libc.kill(stub, Signals.SIGKILL);
            // The running jail is still this JVM's child, held by its pidfd.
            assertEquals(null, sleeper.waitFor(0));
            try (JailHandle h = Spawner.get().start(cli("/bin/true"), JailIo.INHERIT)) {
                assertEquals(JailStatus.exited(0), h.waitFor());
            }
            assertNotEquals(stub, Spawner.stubPid(), "a new stub took over");
            assertTrue(sleeper.signal(Signals.SIGKILL));
            assertEquals(JailStatus.killed(Signals.SIGKILL), sleeper.waitFor());
        }
        assertEquals(List.of(), SpawnerTest.zombieChildren(), "zombie children remain");
    }

    /** Stubs killed again and again while jails start: each start runs or fails in one line; nothing leaks. */
    @Test
    void stubsKilledDuringStartsLeakNothing() throws Exception {
        warmUp();
        JailSpec spec = cli("/bin/true");
        List<String> fds = SpawnerTest.openFds();
        long threads = Thread.getAllStackTraces().size();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        Thread killer = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                int pid = Spawner.stubPid();
                if (pid > 0 && Libc.kill(pid, Signals.SIGKILL) == 0) kills.incrementAndGet();
                try {
                    Thread.sleep(7);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        int ok = 0;
        try {
            for (int i = 0; i < 200; i++) {
                try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                    JailStatus st = h.waitFor();
                    // The stub's death may reach the jail during its set-up: it then dies, never hangs.
                    if (st.equals(JailStatus.exited(0))) ok++;
                } catch (JailFailure e) {
                    assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("Exception"), e.getMessage());
                }
            }
        } finally {
            stop.set(true);
            killer.join();
        }
        assertTrue(kills.get() > 0 && ok > 0, "stubs killed: " + kills + ", jails run: " + ok);
        warmUp(); // and afterwards everything works again
        // As many as before: the new stub's socket may have another number than the first one's.
        assertEquals(fds.size(), SpawnerTest.fdsBackTo(fds).size(), "the JVM's open fds changed");
        assertTrue(Thread.getAllStackTraces().size() <= threads, "threads left");
        assertEquals(List.of(), SpawnerTest.zombieChildren(), "zombie children remain");
    }

    /** A jail killed while it stands in its plan (readied, waiting for its stdio) is reaped and reported. */
    @Test
    void aJailThatDiesDuringItsPlanIsReaped() throws Exception {
        warmUp();
        List<String> fds = SpawnerTest.openFds();
        Prepared p = Spawner.get().prepare(cli("/bin/true"), Caller.self());
        Libc.kill(p.pid(), Signals.SIGKILL);
        try (JailHandle h = p.start(JailIo.INHERIT)) {
            assertEquals(JailStatus.killed(Signals.SIGKILL), h.waitFor());
        } catch (JailFailure e) {
            // also fine: the jail was gone when its stdio was handed over
        }
        // A plan that fails at an op: one line naming it, and the jail reaped.
        JailFailure e = assertThrows(JailFailure.class, () -> Spawner.get().start(cli("/nonexistent/jnsjail-it"), JailIo.INHERIT));
        assertTrue(e.getMessage().contains("execve('/nonexistent/jnsjail-it') failed"), e.getMessage());
        assertEquals(fds, SpawnerTest.fdsBackTo(fds), "the JVM's open fds changed");
        assertEquals(List.of(), SpawnerTest.zombieChildren(), "zombie children remain");
    }

    @Test
    void tenThousandSequentialJailsLeakNothing() throws Exception {
        warmUp();
        JailSpec spec = cli("/bin/true");
        List<String> fds = SpawnerTest.openFds();
        long threads = Thread.getAllStackTraces().size();
        int stub = Spawner.stubPid();
        int n = Integer.getInteger("jnsjail.it.sequential", 10_000);
        for (int i = 0; i < n; i++) {
            try (JailHandle h = Spawner.get().start(spec, JailIo.INHERIT)) {
                assertEquals(JailStatus.exited(0), h.waitFor(), "jail " + i);
            }
        }
        assertEquals(stub, Spawner.stubPid(), "one stub served every jail");
        assertEquals(fds, SpawnerTest.openFds(), "the JVM's open fds changed");
        // Growth is the leak; a thread of an earlier test in this JVM may end meanwhile.
        assertTrue(Thread.getAllStackTraces().size() <= threads, "threads left");
        assertEquals(List.of(), SpawnerTest.zombieChildren(), "zombie children remain");
    }

    /** A readied jail pins its bind sources; one replaced before its start makes it stale, never run. */
    @Test
    void aReadiedJailWhoseBindSourceWasReplacedIsNotStarted() throws Exception {
        Path file = tmp.resolve("f");
        Files.writeString(file, "old\n");
        // Onto a file the root bind has (jnsjail creates no mount point on the host).
        JailSpec.Builder b = SpawnerTest.spec("/bin/cat", "/etc/hostname");
        b.mount(MountPt.bind(file.toString(), "/etc/hostname", false));
        JailSpec spec = b.build();
        Prepared p = Spawner.get().prepare(spec, Caller.self());
        Path next = tmp.resolve("f.new");
        Files.writeString(next, "new\n");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThrows(Prepared.Stale.class, () -> p.start(JailIo.INHERIT));
        // A fresh start sees the new file.
        assertEquals("new\n", output(spec));
        assertEquals(List.of(), SpawnerTest.zombieChildren(), "zombie children remain");
    }

    static String output(JailSpec spec) throws Exception {
        int[] pipe = Libc.pipe2(Fcntl.O_CLOEXEC);
        try {
            try (JailHandle h = Spawner.get().start(spec, new JailIo(0, pipe[1], 2))) {
                Libc.close(pipe[1]);
                pipe[1] = -1;
                String out = SpawnerTest.readAll(pipe[0]);
                assertEquals(JailStatus.exited(0), h.waitFor());
                return out;
            }
        } finally {
            Libc.close(pipe[0]);
            if (pipe[1] >= 0) Libc.close(pipe[1]);
        }
    }
}
