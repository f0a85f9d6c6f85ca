package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jnsjail.args.Help;
import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.jnsjail.it.NsjailCli.Running;
import org.jnsjail.sys.Signals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nsjail's project page, word for word: its examples (including the older flag names it uses) run
 * against a small busybox chroot, plus the examples of --help. The page's interactive shells get
 * their commands on stdin (or over the TCP connection in LISTEN mode).
 */
class ProjectPageExamplesTest {
    private static final Duration STEP = Duration.ofSeconds(20);
    private static Path chroot;

    /** A busybox chroot: bin/busybox, a relative link per applet, and the directories the examples need. */
    @BeforeAll
    static void buildChroot() throws IOException, InterruptedException {
        if (!ItEnv.hasBusybox()) Assumptions.abort(ItEnv.BUSYBOX + " is missing (Debian package busybox-static)");
        chroot = Files.createTempDirectory("jnsjail-busybox-");
        Path bin = Files.createDirectories(chroot.resolve("bin"));
        Files.copy(Path.of(ItEnv.BUSYBOX), bin.resolve("busybox"));
        Process p = new ProcessBuilder(ItEnv.BUSYBOX, "--list").redirectErrorStream(true).start();
        String list = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        for (String applet : list.split("\n")) {
            if (applet.isBlank() || applet.equals("busybox")) continue;
            Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
        }
        for (String d : List.of("proc", "dev", "tmp", "etc")) Files.createDirectories(chroot.resolve(d));
        Files.setPosixFilePermissions(chroot, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void removeChroot() throws IOException {
        if (chroot == null) return;
        try (var walk = Files.walk(chroot)) {
            for (Path q : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(q);
        }
    }

    /** Example 1: a LISTEN server on port 9000; the client sees only lo and the shell as PID 1, uid 99999. */
    @Test
    void listenOnPort9000() throws IOException {
        RunAs.ROOT.assume();
        try (var probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 9000));
        } catch (IOException e) {
            Assumptions.abort("port 9000 is in use on this machine: " + e.getMessage());
        }
        try (Running srv = NsjailCli.as(RunAs.ROOT).args("-Ml", "--port", "9000", "--chroot", chroot.toString(),
                "--user", "99999", "--group", "99999", "--", "/bin/sh", "-i").start()) {
            awaitListening(srv);
            String out = talk(9000, "ifconfig -a\nps wuax\nexit\n");
            List<String> ifaces = new ArrayList<>();
            for (String l : out.split("\n")) {
                // the shell's prompt may precede the first line of a command's output
                Matcher m = Pattern.compile("(?:^|\\$ )([a-z0-9]+)\\s+Link encap").matcher(l);
                if (m.find()) ifaces.add(m.group(1));
            }
            assertEquals(List.of("lo"), ifaces, out);
            Matcher ps = Pattern.compile("(?m)^\\s*1\\s+(\\S+)\\s.*?/bin/sh -i\\s*$").matcher(out);
            assertTrue(ps.find(), () -> "PID 1 is /bin/sh -i:\n" + out);
            assertEquals("99999", ps.group(1), out);
            srv.signal(Signals.SIGTERM);
            assertEquals(0, srv.await(STEP).exitCode());
        }
    }

    /** Example 2: ONCE, and `id` inside. */
    @Test
    void onceShowsTheMappedIds() {
        RunAs.ROOT.assume();
        try (Running r = NsjailCli.as(RunAs.ROOT).withPipedStdin().args("-Mo", "--chroot", chroot.toString(), "--user",
                "99999", "--group", "99999", "--", "/bin/sh", "-i").start()) {
            r.send("id\nexit\n");
            r.closeStdin();
            Result res = r.await(STEP);
            assertEquals(0, res.exitCode(), res::describe);
            assertTrue(res.stdout().contains("uid=99999 gid=99999"), res::describe);
        }
    }

    /** Example 3: RERUN starts the shell again after `exit`. */
    @Test
    void rerunStartsAgainAfterExit() {
        RunAs.ROOT.assume();
        try (Running r = NsjailCli.as(RunAs.ROOT).withPipedStdin().args("-Mr", "--chroot", chroot.toString(), "--user",
                "99999", "--group", "99999", "--", "/bin/sh", "-i").start()) {
            r.send("echo first-run\nexit\n");
            r.awaitStdout(s -> s.contains("first-run\n"), STEP, "first-run");
            r.send("echo second-run\nexit\n");
            r.awaitStdout(s -> s.contains("second-run\n"), STEP, "second-run: the shell ran again");
            r.signal(Signals.SIGTERM);
            assertEquals(143, r.await(STEP).exitCode());
        }
    }

    /**
     * Example 4: the page's MACVLAN flags (--iface, --iface_vs_ip/_nm/_gw), run inside a test network
     * namespace whose parent link is one end of a veth pair. No packet leaves that namespace.
     */
    @Test
    void macvlanWithThePagesOlderFlagNames() {
        RunAs.ROOT.assume();
        String ip = "/usr/sbin/ip";
        if (!Files.isExecutable(Path.of(ip))) Assumptions.abort(ip + " (iproute2) is missing");
        String ns = "jnsjail-t-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000, 0x7fffffff));
        sh(ip, "netns", "add", ns);
        try {
            sh(ip, "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
            sh(ip, "-n", ns, "link", "set", "p0", "up");
            sh(ip, "-n", ns, "link", "set", "p1", "up");
            try (Running r = NsjailCli.as(RunAs.ROOT).withPipedStdin().wrappedBy(List.of(ip, "netns", "exec", ns))
                    .args("--user", "9999", "--group", "9999", "--iface", "p0", "--chroot", chroot.toString(), "-Mo",
                            "--iface_vs_ip", "192.168.0.44", "--iface_vs_nm", "255.255.255.0", "--iface_vs_gw",
                            "192.168.0.1", "--", "/bin/sh", "-i").start()) {
                r.send("ip addr\nip route\nexit\n");
                r.closeStdin();
                Result res = r.await(STEP);
                assertEquals(0, res.exitCode(), res::describe);
                assertTrue(res.stdout().contains("inet 192.168.0.44/24"), res::describe);
                assertTrue(Pattern.compile("\\d+: vs@").matcher(res.stdout()).find(), res::describe);
                assertTrue(res.stdout().contains("default via 192.168.0.1 dev vs"), res::describe);
            }
        } finally {
            sh(ip, "netns", "del", ns);
        }
    }

    /** Example 5: the page's bind-mount jail; `ls -l /` and `ls -l /dev/` list what the page shows. */
    @Test
    void bindMountedSystemWithKeepCaps() {
        RunAs.ROOT.assume();
        try (Running r = NsjailCli.as(RunAs.ROOT).withPipedStdin().args("-Mo", "--user", "0", "--group", "99999", "-R",
                "/bin/", "-R", "/lib", "-R", "/lib64/", "-R", "/usr/", "-R", "/sbin/", "-T", "/dev", "-R", "/dev/urandom",
                "--keep_caps", "--", "/bin/bash", "-i").start()) {
            r.send("ls -l /\necho ===\nls -l /dev/\necho ===\nid\nexit\n");
            r.closeStdin();
            Result res = r.await(STEP);
            assertEquals(0, res.exitCode(), res::describe);
            String[] parts = res.stdout().split("===\n");
            List<String> root = names(parts[0]);
            assertEquals(List.of("bin", "dev", "lib", "lib64", "proc", "sbin", "usr"), root, res::describe);
            assertEquals(List.of("urandom"), names(parts[1]), res::describe);
            assertTrue(parts[2].contains("uid=0") && parts[2].contains("gid=99999"), res::describe);
        }
    }

    /** The four examples of --help. */
    @Test
    void helpExamples() throws IOException {
        RunAs.ROOT.assume();
        for (String ex : List.of("-Ml --port 31337 --chroot / -- /bin/sh -i", "-Mr --chroot / -- /bin/echo \"ABC\"",
                "-Mo --chroot / -- /bin/echo \"ABC\"", "-Me --chroot / --disable_proc -- /bin/echo \"ABC\"")) {
            assertTrue(Help.usage().contains(ex), "--help shows: " + ex);
        }
        Result once = NsjailCli.run(RunAs.ROOT, "-Mo", "--chroot", "/", "--", "/bin/echo", "ABC");
        assertEquals("ABC\n", once.stdout(), once::describe);
        assertEquals(0, once.exitCode());
        Result exec = NsjailCli.run(RunAs.ROOT, "-Me", "--chroot", "/", "--disable_proc", "--", "/bin/echo", "ABC");
        assertEquals("ABC\n", exec.stdout(), exec::describe);
        try (Running rerun = NsjailCli.as(RunAs.ROOT).args("-Mr", "--chroot", "/", "--", "/bin/echo", "ABC").start()) {
            rerun.awaitStdout(s -> s.split("ABC\n", -1).length > 3, STEP, "ABC three times");
            rerun.signal(Signals.SIGTERM);
            assertEquals(143, rerun.await(STEP).exitCode());
        }
        boolean free = true;
        try (var probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 31337));
        } catch (IOException e) {
            free = false;
        }
        if (!free) return; // port taken here: the three runs above still count
        try (Running srv = NsjailCli.as(RunAs.ROOT).args("-Ml", "--port", "31337", "--chroot", "/", "--", "/bin/sh", "-i")
                .start()) {
            awaitListening(srv);
            String out = talk(31337, "echo $((6*7))\nexit\n");
            assertTrue(out.contains("42"), out);
            srv.signal(Signals.SIGTERM);
            assertEquals(0, srv.await(STEP).exitCode());
        }
    }

    /** `ls -l` lines → the names (the last field), without "total". */
    private static List<String> names(String ls) {
        List<String> out = new ArrayList<>();
        for (String l : ls.split("\n")) {
            if (l.isBlank() || l.startsWith("total")) continue;
            String[] f = l.trim().split("\\s+");
            out.add(f[f.length - 1]);
        }
        return out;
    }

    private static void awaitListening(Running srv) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!srv.stderrSoFar().contains("Listening on")) {
            if (System.nanoTime() > deadline) fail("no 'Listening on' line:\n" + srv.stderrSoFar());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Connects to 127.0.0.1:port, sends the script, half-closes, reads everything back. */
    private static String talk(int port, String script) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout((int) STEP.toMillis());
            OutputStream o = s.getOutputStream();
            o.write(script.getBytes(StandardCharsets.UTF_8));
            o.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private static void sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) fail(String.join(" ", cmd) + ": " + out);
        } catch (IOException e) {
            fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
