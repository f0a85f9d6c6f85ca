package org.jnsjail.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * LISTEN mode (-Ml / --port) end to end through the CLI, on loopback only: relaying, half-close,
 * connection limits, signals, time limit, and no leak after thousands of connections. Also RERUN's
 * restart and exit code. The port is 0 (the kernel's pick), read from the "Listening on" log line.
 */
class ListenTest {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("Listening on \\[[^\\]]*\\]:(\\d+)");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static RunAs who() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        return as;
    }

    /** A LISTEN supervisor and its port. */
    private record Server(Running run, int port) implements AutoCloseable {
        @Override
        public void close() {
            run.close();
        }

        Socket connect() throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(LOOPBACK, port), 10_000);
            s.setSoTimeout(20_000);
            return s;
        }

        void awaitLog(Predicate p, String what) {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (!p.test(run.stderrSoFar())) {
                if (System.nanoTime() > deadline) fail("no " + what + " in the log:\n" + run.stderrSoFar());
                sleep(20);
            }
        }

        int count(String needle) {
            String s = run.stderrSoFar();
            int n = 0;
            for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
            return n;
        }
    }

    private interface Predicate {
        boolean test(String s);
    }

    private static Server listen(String... argsThenCommand) {
        Running run = NsjailCli.as(who()).args("-Ml", "--chroot", "/", "--port", "0").args(argsThenCommand)
                .timeout(Duration.ofMinutes(3)).start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        for (;;) {
            Matcher m = LISTENING.matcher(run.stderrSoFar());
            if (m.find()) return new Server(run, Integer.parseInt(m.group(1)));
            if (System.nanoTime() > deadline) {
                String err = run.stderrSoFar();
                run.close();
                fail("no 'Listening on' line:\n" + err);
            }
            sleep(20);
        }
    }

    private static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n';) b.append((char) c);
        return b.toString();
    }

    private static String echoRoundTrip(Socket s, String line) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readLine(s.getInputStream());
    }

    @Test
    void catEchoesTheClientsBytes() throws IOException {
        try (Server srv = listen("--", "/bin/cat"); Socket s = srv.connect()) {
            assertEquals("hello", echoRoundTrip(s, "hello"));
            assertEquals("again", echoRoundTrip(s, "again"));
            // 1 MiB through the pipes both ways, written by another thread while this one reads.
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + i % 26);
            Thread w = Thread.ofPlatform().start(() -> {
                try {
                    s.getOutputStream().write(big);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the read side reports it
                }
            });
            byte[] got = s.getInputStream().readAllBytes();
            join(w);
            assertEquals(big.length, got.length);
            assertTrue(java.util.Arrays.equals(big, got));
            srv.awaitLog(l -> l.contains("exited with status: 0, (PIDs left: 0)"), "exit line");
            String log = srv.run().stderrSoFar();
            assertTrue(Pattern.compile("New connection from: \\[::ffff:127\\.0\\.0\\.1\\]:\\d+ on: \\[::ffff:127\\.0\\.0\\.1\\]:"
                    + srv.port()).matcher(log).find(), log);
        }
    }

    /** Better than nsjail: after the client half-closes, the jail's whole reply still arrives. */
    @Test
    void halfCloseGetsTheFullReply() throws IOException {
        try (Server srv = listen("--", "/bin/sh", "-c", "cat; /bin/sleep 0.3; echo done")) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = srv.connect()) {
                    s.getOutputStream().write("abc\n".getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput();
                    assertEquals("abc\ndone\n", readAll(s));
                }
            }
        }
    }

    /** A client that resets the connection gets its jail killed. */
    @Test
    void clientGoingAwayKillsTheJail() throws IOException {
        try (Server srv = listen("--", "/bin/sh", "-c", "echo up; exec /bin/sleep 60")) {
            Socket s = srv.connect();
            assertEquals("up", readLine(s.getInputStream()));
            s.setSoLinger(true, 0); // close() sends RST
            s.close();
            srv.awaitLog(l -> l.contains("terminated with signal: SIGKILL (9), (PIDs left: 0)"), "the jail's SIGKILL");
        }
    }

    @Test
    void maxConnsRefusesTheNextClient() throws IOException {
        try (Server srv = listen("--max_conns", "2", "--", "/bin/cat");
                Socket a = srv.connect(); Socket b = srv.connect()) {
            assertEquals("a", echoRoundTrip(a, "a"));
            assertEquals("b", echoRoundTrip(b, "b"));
            try (Socket c = srv.connect()) {
                assertEquals(-1, c.getInputStream().read(), "refused: EOF");
            }
            srv.awaitLog(l -> l.contains("Rejecting connection, max_conns limit reached: 2"), "rejection");
            a.close();
            srv.awaitLog(l -> l.contains("(PIDs left: 1)"), "a's jail ending");
            try (Socket d = srv.connect()) {
                assertEquals("d", echoRoundTrip(d, "d"));
            }
        }
    }

    @Test
    void maxConnsPerIpRefusesTheSameAddressOnly() throws IOException {
        try (Server srv = listen("-i", "1", "--", "/bin/cat"); Socket a = srv.connect()) {
            assertEquals("a", echoRoundTrip(a, "a"));
            try (Socket b = srv.connect()) {
                assertEquals(-1, b.getInputStream().read(), "refused: EOF");
            }
            srv.awaitLog(l -> l.contains("max_conns_per_ip limit reached: 1"), "rejection");
            // Another loopback address is another client.
            try (Socket c = new Socket()) {
                c.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                c.connect(new InetSocketAddress(LOOPBACK, srv.port()), 10_000);
                c.setSoTimeout(20_000);
                assertEquals("c", echoRoundTrip(c, "c"));
            }
        }
    }

    @Test
    void timeLimitKillsTheJail() throws IOException {
        try (Server srv = listen("-t", "1", "--", "/bin/sh", "-c", "echo up; exec /bin/sleep 30"); Socket s = srv.connect()) {
            long t0 = System.nanoTime();
            assertEquals("up\n", readAll(s));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5000, "took " + ms + " ms");
            srv.awaitLog(l -> l.contains("run time >= time limit (1 >= 1)"), "time limit line");
        }
    }

    /** SIGUSR1 lists the running jails; SIGTERM kills them and ends LISTEN with 0. */
    @Test
    void sigusr1ListsAndSigtermStops() throws IOException {
        String marker = "jnsjail-it-" + UUID.randomUUID();
        Result r;
        try (Server srv = listen("--", "/bin/sh", "-c", "echo up; exec /bin/sleep 60", marker); Socket s = srv.connect()) {
            assertEquals("up", readLine(s.getInputStream()));
            srv.run().signal(Signals.SIGUSR1);
            srv.awaitLog(l -> l.contains("Total number of spawned namespaces: 1"), "the list");
            srv.awaitLog(l -> Pattern.compile("pid=\\d+, Remote host: \\[::ffff:127\\.0\\.0\\.1\\]:\\d+, Run time: \\d+ sec\\."
                    + " \\(time left: \\d+ s\\.\\)").matcher(l).find(), "the jail's line");
            srv.run().signal(Signals.SIGTERM);
            r = srv.run().await(STOP);
            assertEquals(-1, s.getInputStream().read(), "the client sees EOF");
        }
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Server stops due to fatal signal (15) caught. Exiting"), r::describe);
        CliSupervisorTest.assertNoneLeft(marker);
    }

    /**
     * Jails start on spawner threads and the loop relays meanwhile: eight concurrent clients each
     * get their reply while another client's jail is still running (a 3 s sleep).
     */
    @Test
    void eightConcurrentClientsAreServedWhileAnotherJailRunsLong() throws Exception {
        try (Server srv = listen("--", "/bin/sh", "-c", "read x; [ \"$x\" = slow ] && /bin/sleep 3; echo \"re $x\"");
                Socket slow = srv.connect()) {
            long t0 = System.nanoTime();
            slow.getOutputStream().write("slow\n".getBytes(StandardCharsets.UTF_8));
            List<Future<String>> replies = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int k = 0; k < 8; k++) {
                    String line = "fast" + k;
                    replies.add(pool.submit(() -> {
                        try (Socket s = srv.connect()) {
                            return echoRoundTrip(s, line);
                        }
                    }));
                }
                for (int k = 0; k < 8; k++) assertEquals("re fast" + k, replies.get(k).get());
            }
            long fastMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, slow.getInputStream().available(), "the slow jail has not replied yet");
            assertTrue(fastMs < 3000, "the eight replies took " + fastMs + " ms");
            assertEquals("re slow", readLine(slow.getInputStream()));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 3000, "the slow jail slept");
        }
    }

    /** --max_conns counts the connections whose jail is still starting: a burst gets exactly that many jails. */
    @Test
    void maxConnsCountsStartingJails() throws Exception {
        try (Server srv = listen("--max_conns", "3", "--", "/bin/sh", "-c", "echo up; exec /bin/sleep 60")) {
            List<Socket> socks = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) socks.add(srv.connect()); // all in the backlog before the first start ends
                int up = 0, refused = 0;
                for (Socket s : socks) {
                    String l = readLine(s.getInputStream());
                    if (l.equals("up")) up++;
                    else if (l.isEmpty()) refused++;
                }
                assertEquals(3, up, srv.run().stderrSoFar());
                assertEquals(5, refused);
                assertEquals(5, srv.count("Rejecting connection, max_conns limit reached: 3"));
            } finally {
                for (Socket s : socks) s.close();
            }
        }
    }

    /**
     * SIGTERM while a burst of clients connects: the loop waits for the starts in flight, and every
     * jail that was started is killed and reaped (one exit line per "Executing" line); none is left.
     */
    @Test
    void sigtermDuringABurstOfConnectsLeavesNoJail() throws Exception {
        String marker = "jnsjail-it-" + UUID.randomUUID();
        Result r;
        List<Socket> socks = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Server srv = listen("--", "/bin/sh", "-c", "/bin/sleep 60; :", marker)) {
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<?>> burst = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    burst.add(pool.submit(() -> {
                        for (int i = 0; i < 16; i++) {
                            try {
                                socks.add(srv.connect());
                            } catch (IOException e) {
                                return; // refused: the listening socket is closed
                            }
                        }
                    }));
                }
                srv.awaitLog(l -> srv.count("Executing '") >= 8, "eight starts");
                srv.run().signal(Signals.SIGTERM);
                for (Future<?> f : burst) f.get();
            }
            r = srv.run().await(STOP);
        } finally {
            for (Socket s : socks) s.close();
        }
        assertEquals(0, r.exitCode(), r::describe);
        String log = r.stderr();
        assertTrue(log.contains("Server stops due to fatal signal (15) caught. Exiting"), r::describe);
        int started = count(log, "Executing '"), reaped = count(log, " terminated with signal: SIGKILL (9)");
        assertTrue(started >= 8, r::describe);
        assertEquals(started, reaped, "every started jail was killed and reaped:\n" + log);
        CliSupervisorTest.assertNoneLeft(marker);
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void bindFailureExitsOne() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            Result r = NsjailCli.run(who(), "-Ml", "--chroot", "/", "--bindhost", "127.0.0.1", "--port",
                    Integer.toString(taken.getLocalPort()), "--", "/bin/true");
            assertEquals(1, r.exitCode(), r::describe);
            CliErrorsTest.assertNoStackTrace(r);
        }
    }

    /**
     * -d: the CLI returns 0 at once and a detached copy (new session, stdio on /dev/null) serves,
     * logging to the -l file; SIGTERM stops it.
     */
    @Test
    void daemonDetachesAndServes() throws Exception {
        String marker = "jnsjail-it-" + UUID.randomUUID();
        Path log = Files.createTempFile("jnsjail-daemon", ".log");
        try {
            Result r = NsjailCli.run(who(), "-d", "-l", log.toString(), "-Ml", "--chroot", "/", "--port", "0", "--",
                    "/bin/sh", "-c", "echo hi", marker);
            assertEquals(0, r.exitCode(), r::describe);
            long deadline = System.nanoTime() + STARTUP.toNanos();
            Matcher m;
            while (!(m = LISTENING.matcher(Files.readString(log))).find()) {
                if (System.nanoTime() > deadline) fail("no 'Listening on' in " + log + ":\n" + Files.readString(log));
                sleep(50);
            }
            List<Long> daemon = ItEnv.processesWith(marker);
            assertEquals(1, daemon.size(), "one detached supervisor: " + daemon);
            long pid = daemon.getFirst();
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(Long.toString(pid), f[3], "session leader (setsid)");
            assertEquals("0", f[4], "no controlling terminal");
            assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/1")).toString().equals("/dev/null"));
            try (Socket s = new Socket(LOOPBACK, Integer.parseInt(m.group(1)))) {
                s.setSoTimeout(20_000);
                assertEquals("hi\n", readAll(s));
            }
            org.jnsjail.sys.Libc.kill((int) pid, Signals.SIGTERM);
            CliSupervisorTest.assertNoneLeft(marker);
            assertTrue(Files.readString(log).contains("Server stops due to fatal signal (15) caught. Exiting"));
        } finally {
            for (long p : ItEnv.processesWith(marker)) org.jnsjail.sys.Libc.kill((int) p, Signals.SIGKILL);
            Files.deleteIfExists(log);
        }
    }

    /** RERUN: a new jail each time one ends; SIGTERM ends it with 143. */
    @Test
    void rerunRestartsAndSigtermGives143() {
        Result r;
        try (Running run = NsjailCli.as(who()).args("-Mr", "-q", "--chroot", "/", "--", "/bin/echo", "run").start()) {
            run.awaitStdout(s -> s.split("run\n", -1).length - 1 >= 5, STARTUP, "five runs");
            run.signal(Signals.SIGTERM);
            r = run.await(STOP);
        }
        assertEquals(143, r.exitCode(), r::describe);
    }

    /**
     * 2000 sequential and 2000 concurrent (batches of 8) connections to a jailed /bin/echo: every
     * client gets "hi", and afterwards the supervisor has as many fds and threads as after the first
     * few connections, and no child at all (so no zombie).
     */
    @Test
    void thousandsOfConnectionsLeakNothing() throws Exception {
        int seq = Integer.getInteger("jnsjail.listen.n", 2000), conc = seq;
        try (Server srv = listen("--", "/bin/echo", "hi")) {
            long pid = srv.run().pid();
            for (int i = 0; i < 16; i++) oneHi(srv);
            settle(srv, 16);
            int fds = count("/proc/" + pid + "/fd"), threads = count("/proc/" + pid + "/task");
            for (int i = 0; i < seq; i++) oneHi(srv);
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int done = 0; done < conc; done += 8) {
                    List<Future<?>> batch = new ArrayList<>();
                    for (int k = 0; k < 8; k++) batch.add(pool.submit(() -> {
                        oneHi(srv);
                        return null;
                    }));
                    for (Future<?> f : batch) f.get();
                }
            }
            settle(srv, 16 + seq + conc);
            assertEquals(fds, count("/proc/" + pid + "/fd"), "open fds of the supervisor");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (count("/proc/" + pid + "/task") != threads && System.nanoTime() < deadline) sleep(100);
            assertEquals(threads, count("/proc/" + pid + "/task"), "threads of the supervisor");
            List<String> children = childrenOf(pid);
            List<String> readied = children.stream().filter(c -> c.contains("(jnsjail-jail) S ")).toList();
            assertTrue(readied.size() <= Runtime.getRuntime().availableProcessors() + 1, () -> "readied jails: " + readied);
            children.removeAll(readied);
            assertEquals(List.of(), children, "children (zombies or not) of the supervisor");
        }
    }

    /** The supervisor's resident exec stub, which lives as long as the supervisor: not a leak. */
    private static boolean residentStub(String stat) {
        return stat.contains("(jnsjail-stub) S ");
    }

    private static void oneHi(Server srv) throws IOException {
        try (Socket s = srv.connect()) {
            assertEquals("hi\n", readAll(s));
        }
    }

    /** Waits until the log shows {@code n} jail exits. */
    private static void settle(Server srv, int n) {
        srv.awaitLog(l -> srv.count(" exited with status: ") >= n, n + " exits");
        assertEquals(n, srv.count(" exited with status: 0, "), "every jail exited with 0");
    }

    private static int count(String dir) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return (int) s.count();
        }
    }

    /** Processes whose parent is {@code pid} (field 4 of /proc/N/stat) but its resident stub, with their stat line. */
    private static List<String> childrenOf(long pid) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Long.parseLong(f[1]) == pid && !residentStub(stat)) out.add(p.getFileName() + " " + stat);
            }
        }
        return out;
    }

    private static void join(Thread t) {
        try {
            t.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
