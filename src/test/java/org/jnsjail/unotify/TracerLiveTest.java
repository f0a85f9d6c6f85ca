package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tracer on real notifications (see {@link SelfTraced}): decoding, answers, hostile input, speed, exit. */
@Timeout(120)
class TracerLiveTest {
    static final long SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MPROTECT = 10, SYS_MUNMAP = 11, SYS_SOCKET = 41, SYS_CONNECT = 42, SYS_EXECVE = 59,
            SYS_OPENAT = 257, SYS_NEWFSTATAT = 262, SYS_MKDIRAT = 258, SYS_UNLINKAT = 263;
    static final long AT_FDCWD = -100;

    private static Snapshot.FsAccess fs(Snapshot s, String path) {
        return s.fs().stream().filter(f -> f.path().path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no fs_access for " + path + " in " + s));
    }

    @Test
    void filesSocketsAndExecAreObservedAndTheSyscallsRunUnchanged(@TempDir Path dir) throws Exception {
        Stats stats = new Stats(Stats.DEFAULT_MAX_BYTES);
        long[] results = new long[8];
        int[] errnos = new int[8];
        Tracer t = SelfTraced.run(stats, () -> {
            try (Arena a = Arena.ofConfined()) {
                results[0] = Libc.sys(SYS_OPENAT, AT_FDCWD, a.allocateFrom("/etc/hostname").address(), 02000000, 0, 0, 0);
                if (results[0] >= 0) Libc.sys(SYS_CLOSE, results[0], 0, 0, 0, 0, 0);
                MemorySegment st = a.allocate(144, 8);
                results[1] = Libc.sys(SYS_NEWFSTATAT, AT_FDCWD, a.allocateFrom("/nonexistent-jnsjail").address(),
                        st.address(), 0, 0, 0);
                errnos[1] = Libc.errno();
                results[2] = Libc.sys(SYS_MKDIRAT, AT_FDCWD, a.allocateFrom(dir + "/sub").address(), 0750, 0, 0, 0);
                results[3] = Libc.sys(SYS_UNLINKAT, AT_FDCWD, a.allocateFrom(dir + "/sub").address(), 0x200, 0, 0, 0);
                int s = (int) Libc.sys(SYS_SOCKET, 2, 1 | 02000000, 0, 0, 0, 0);
                MemorySegment sin = a.allocate(16, 4);
                sin.set(JAVA_SHORT, 0, (short) 2);
                sin.set(JAVA_BYTE, 2, (byte) 0);
                sin.set(JAVA_BYTE, 3, (byte) 9);
                sin.set(JAVA_BYTE, 4, (byte) 127);
                sin.set(JAVA_BYTE, 7, (byte) 1);
                results[4] = Libc.sys(SYS_CONNECT, s, sin.address(), 16, 0, 0, 0);
                errnos[4] = Libc.errno();
                Libc.sys(SYS_CLOSE, s, 0, 0, 0, 0, 0);
                MemorySegment argv = Libc.strings(a, new String[] {"prog", "arg one"});
                MemorySegment envp = Libc.strings(a, new String[] {"K=V"});
                results[5] = Libc.sys(SYS_EXECVE, a.allocateFrom("/nonexistent-jnsjail/prog").address(), argv.address(),
                        envp.address(), 0, 0, 0);
                errnos[5] = Libc.errno();
            }
        });
        assertTrue(results[0] >= 0, "openat worked");
        assertEquals(-1, results[1]);
        assertEquals(Errno.ENOENT, errnos[1]);
        assertEquals(0, results[2], "mkdirat worked");
        assertEquals(0, results[3], "unlinkat worked");
        assertEquals(-1, results[4]);
        assertEquals(111, errnos[4], "ECONNREFUSED from the real connect");
        assertEquals(Errno.ENOENT, errnos[5]);
        assertTrue(t.received() >= 7, "received " + t.received());

        Snapshot s = stats.drain();
        Snapshot.FsAccess host = fs(s, "/etc/hostname");
        assertEquals(new PathInfo("/etc/hostname", PathType.REGULAR, PathType.REGULAR, OpenMode.RDONLY, "O_CLOEXEC"), host.path());
        assertEquals(List.of(new Snapshot.SyscallCount("openat", "dirfd=AT_FDCWD mode_extra=O_CLOEXEC ", 1)), host.syscalls());
        assertEquals(PathType.NONEXISTENT, fs(s, "/nonexistent-jnsjail").path().jailType());
        assertEquals("newfstatat", fs(s, "/nonexistent-jnsjail").syscalls().get(0).name());
        // Looked up before the syscall ran: missing when created, a directory when removed.
        List<Snapshot.FsAccess> sub = s.fs().stream().filter(f -> f.path().path().equals(dir + "/sub")).toList();
        assertEquals(2, sub.size());
        assertEquals(PathType.NONEXISTENT, sub.get(0).path().jailType());
        assertEquals(List.of(new Snapshot.SyscallCount("mkdirat", "dirfd=AT_FDCWD mode=0750 ", 1)), sub.get(0).syscalls());
        assertEquals(PathType.DIR, sub.get(1).path().mainType());
        assertEquals(List.of(new Snapshot.SyscallCount("unlinkat", "dirfd=AT_FDCWD ", 1)), sub.get(1).syscalls());
        assertEquals("argv[0]=prog argv[1]=arg one envp[0]=K=V ",
                fs(s, "/nonexistent-jnsjail/prog").syscalls().get(0).args());
        assertEquals(1, s.net().size(), "socket() itself names no resource: " + s.net());
        Snapshot.NetAccess n = s.net().get(0);
        assertEquals(new NetInfo(NetType.IPV4, "127.0.0.1", 9, null), n.net());
        assertEquals(List.of(new Snapshot.SyscallCount("connect", "type=SOCK_STREAM (IPPROTO_TCP) ", 1)), n.syscalls(),
                "the socket kind of a non-leader thread's socket");
    }

    @Test
    void hostilePointersAndHugeArraysAreSurvived() throws Exception {
        Stats stats = new Stats(Stats.DEFAULT_MAX_BYTES);
        int[] errnos = new int[4];
        SelfTraced.run(stats, () -> {
            try (Arena a = Arena.ofConfined()) {
                Libc.sys(SYS_OPENAT, AT_FDCWD, 1, 0, 0, 0, 0);
                errnos[0] = Libc.errno();
                // A path that runs into an inaccessible page without a NUL: the kernel says EFAULT,
                // the tracer reports what was readable. (PROT_NONE rather than munmap: another JVM
                // thread could map the freed page at once.)
                long map = Libc.sys(SYS_MMAP, 0, 8192, 3, 0x22, -1, 0);
                MemorySegment page = MemorySegment.ofAddress(map).reinterpret(4096);
                byte[] tail = "/tmp/abcde".getBytes();
                MemorySegment.copy(tail, 0, page, JAVA_BYTE, 4096 - tail.length, tail.length);
                Libc.sys(SYS_MPROTECT, map + 4096, 4096, 0, 0, 0, 0);
                Libc.sys(SYS_NEWFSTATAT, AT_FDCWD, map + 4096 - tail.length, a.allocate(144, 8).address(), 0, 0, 0);
                errnos[1] = Libc.errno();
                Libc.sys(SYS_MUNMAP, map, 8192, 0, 0, 0, 0);
                // 1000 arguments of 5000 bytes, and a bad pointer among the environment
                String big = "x".repeat(5000);
                String[] many = new String[1000];
                java.util.Arrays.fill(many, big);
                MemorySegment argv = Libc.strings(a, many);
                MemorySegment envp = a.allocate(ADDRESS, 3);
                envp.setAtIndex(ADDRESS, 0, MemorySegment.ofAddress(8));
                envp.setAtIndex(ADDRESS, 1, a.allocateFrom("A=B"));
                envp.setAtIndex(ADDRESS, 2, MemorySegment.NULL);
                Libc.sys(SYS_EXECVE, a.allocateFrom("/nonexistent-jnsjail/x").address(), argv.address(), envp.address(), 0, 0, 0);
                errnos[2] = Libc.errno();
                // argv itself unreadable
                Libc.sys(SYS_EXECVE, a.allocateFrom("/nonexistent-jnsjail/y").address(), 16, 0, 0, 0, 0);
                errnos[3] = Libc.errno();
            }
        });
        assertEquals(14, errnos[0], "EFAULT");
        assertEquals(14, errnos[1], "EFAULT");
        assertTrue(errnos[2] == 7 || errnos[2] == Errno.ENOENT, "E2BIG or ENOENT: " + errnos[2]);
        assertTrue(errnos[3] == 14 || errnos[3] == Errno.ENOENT, "EFAULT or ENOENT (the file is looked up first): " + errnos[3]);
        Snapshot s = stats.drain();
        assertEquals(PathType.NONEXISTENT, fs(s, "<invalid_ptr>").path().jailType());
        fs(s, "/tmp/abcde");
        String args = fs(s, "/nonexistent-jnsjail/x").syscalls().get(0).args();
        assertEquals(128, args.split("argv\\[").length - 1, "at most 128 arguments");
        assertTrue(args.contains("argv[127]=" + "x".repeat(4095) + " "), "strings cut at 4095 bytes");
        assertTrue(args.endsWith("envp[0]=<invalid_ptr> envp[1]=A=B "), args.substring(args.length() - 60));
        assertEquals("", fs(s, "/nonexistent-jnsjail/y").syscalls().get(0).args());
    }

    @Test
    void thousandsOfNotificationsPerSecond() throws Exception {
        Stats stats = new Stats(Stats.DEFAULT_MAX_BYTES);
        int n = 20_000;
        AtomicLong nanos = new AtomicLong();
        SelfTraced.run(stats, () -> {
            try (Arena a = Arena.ofConfined()) {
                long path = a.allocateFrom("/etc/hostname").address();
                long st = a.allocate(144, 8).address();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) Libc.sys(SYS_NEWFSTATAT, AT_FDCWD, path, st, 0, 0, 0);
                nanos.set(System.nanoTime() - t0);
            }
        });
        double perSecond = n / (nanos.get() / 1e9);
        System.out.printf("unotify: %d traced stat calls in %.1f ms: %.0f notifications/s%n", n, nanos.get() / 1e6, perSecond);
        assertTrue(perSecond > 2000, "at least thousands per second: " + perSecond);
        Snapshot s = stats.drain();
        assertEquals(n, fs(s, "/etc/hostname").count());
    }

    @Test
    void aSpawnedProcessTreeIsTracedAndItsExitStatusIsItsOwn() throws Exception {
        Stats stats = new Stats(Stats.DEFAULT_MAX_BYTES);
        AtomicInteger status = new AtomicInteger(-1);
        Tracer t = SelfTraced.run(stats, () -> {
            int pid = spawnQuiet("/bin/sh", "-c", "cat /etc/hostname; ls /nonexistent-jnsjail; exit 3");
            status.set(Libc.waitpid(pid, 0));
        });
        assertEquals(3 << 8, status.get(), "exit status 3");
        Snapshot s = stats.drain();
        assertEquals("argv[0]=/bin/sh argv[1]=-c argv[2]=cat /etc/hostname; ls /nonexistent-jnsjail; exit 3 envp[0]=PATH=/usr/bin:/bin ",
                fs(s, "/bin/sh").syscalls().get(0).args());
        assertEquals(OpenMode.RDONLY, fs(s, "/etc/hostname").path().mode());
        // glibc's fstat(2) is newfstatat(fd, "", AT_EMPTY_PATH): nsjail looks "" up as /proc/PID/root itself
        assertEquals(PathType.LINK, fs(s, "").path().jailType());
        assertEquals(PathType.NONEXISTENT, fs(s, "").path().mainType());
        // ls(1) looks its argument up with statx, which is not traced; its exec is.
        assertTrue(fs(s, "/usr/bin/ls").syscalls().stream().anyMatch(c -> c.name().equals("execve")
                && c.args().startsWith("argv[0]=ls argv[1]=/nonexistent-jnsjail ")), s.toString());
        assertTrue(t.recorded() > 5);
    }

    @Test
    void aProcessKilledWhileItsSyscallsStreamInEndsTheTracerCleanly() throws Exception {
        Stats stats = new Stats(Stats.DEFAULT_MAX_BYTES);
        long t0 = System.nanoTime();
        Tracer t = SelfTraced.run(stats, () -> {
            int pid = spawnQuiet("/bin/sh", "-c", "while :; do [ -e /etc/hostname ]; [ -e /nonexistent ]; done");
            Thread.sleep(500);
            Libc.kill(pid, 9);
            Libc.waitpid(pid, 0);
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(t.received() > 100, "received " + t.received());
        assertTrue(ms < 10_000, "tracer ended " + ms + " ms after the start");
        assertTrue(fs(stats.drain(), "/etc/hostname").count() > 50);
    }

    /** posix_spawn with stdin, stdout and stderr on /dev/null. */
    static int spawnQuiet(String... argv) throws Exception {
        int devnull = Libc.open("/dev/null", 02, 0);
        try {
            return Libc.posixSpawn(argv[0], argv, new String[] {"PATH=/usr/bin:/bin"},
                    List.of(Libc.FdAction.dup2(devnull, 0), Libc.FdAction.dup2(devnull, 1), Libc.FdAction.dup2(devnull, 2)), 3);
        } finally {
            Libc.close(devnull);
        }
    }

    @Test
    void aFailureWhileRecordingStillLetsTheSyscallRun() throws Exception {
        long[] fd = new long[1];
        Tracer t = SelfTraced.run(o -> {
            throw new IllegalStateException("recording failed");
        }, () -> {
            try (Arena a = Arena.ofConfined()) {
                fd[0] = Libc.sys(SYS_OPENAT, AT_FDCWD, a.allocateFrom("/etc/hostname").address(), 0, 0, 0, 0);
                if (fd[0] >= 0) Libc.sys(SYS_CLOSE, fd[0], 0, 0, 0, 0, 0);
            }
        });
        assertTrue(fd[0] >= 0, "openat answered and done");
        assertEquals(1, t.received());
        assertEquals(0, t.recorded());
    }

    @Test
    void closeIsIdempotentAndNeverThrows() throws Exception {
        Tracer t = SelfTraced.run(new Stats(Stats.DEFAULT_MAX_BYTES), () -> { });
        t.close();
        t.close();
        assertTrue(Files.exists(Path.of("/proc/self")));
    }
}
