package org.jnsjail.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Networking (reference §1.14, §3.13) against the real kernel. Every test builds its own network
 * namespace {@code jnsjail-t-<random>} holding a veth pair (p0, p1) as the MACVLAN parent, and runs
 * the CLI inside it ({@code ip netns exec}), so only that namespace, its 192.168.77.0/24 addresses
 * and the jails' own namespaces are ever touched. The namespace is deleted after each test.
 */
class NetTest {
    private static final String IP = "/usr/sbin/ip";
    private static final String SH = "/bin/sh";
    private static final String BB = ItEnv.BUSYBOX;

    private String ns;

    @BeforeEach
    void makeNamespace() {
        RunAs.ROOT.assume();
        if (!Files.isExecutable(Path.of(IP))) Assumptions.abort(IP + " (iproute2) is missing");
        if (!ItEnv.hasBusybox()) Assumptions.abort(BB + " is missing");
        ns = "jnsjail-t-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000, 0x7fffffff));
        run(IP, "netns", "add", ns);
        ipn("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        ipn("link", "set", "p0", "up");
        ipn("link", "set", "p1", "up");
    }

    @AfterEach
    void deleteNamespace() {
        if (ns != null) tryRun(IP, "netns", "del", ns);
    }

    // ---- MACVLAN ----

    @Test
    void macvlanHasAddressNetmaskMacModeAndDefaultRoute() {
        Result r = ok(jail(List.of("-I", "p0", "--macvlan_vs_ip", "192.168.77.2", "--macvlan_vs_nm", "255.255.255.0",
                "--macvlan_vs_gw", "192.168.77.1", "--macvlan_vs_ma", "02:11:22:33:44:55", "--macvlan_vs_mo", "BRIDGE"),
                SH, "-c", IP + " -o addr show vs; " + IP + " route; " + IP + " -d link show vs; echo --links--; " + IP + " -o link"));
        String out = r.stdout();
        assertTrue(out.contains("inet 192.168.77.2/24 brd 192.168.77.255 scope global vs"), r::describe);
        assertTrue(out.contains("default via 192.168.77.1 dev vs"), r::describe);
        assertTrue(out.contains("link/ether 02:11:22:33:44:55"), r::describe);
        assertTrue(out.contains("macvlan mode bridge"), r::describe);
        assertTrue(out.contains("state UP"), r::describe);
        // Only lo and vs: nothing else of the host's network.
        assertEquals(List.of("lo", "vs"), linkNames(out.substring(out.indexOf("--links--\n") + 10).lines().toList()));
        assertEquals(List.of("lo", "p0", "p1"), hostLinks(), "vs must never appear in (or stay on) the host");
    }

    @Test
    void macvlanWithAddressZeroIsLeftDownAndUnconfigured() {
        Result r = ok(jail(List.of("-I", "p0", "--macvlan_vs_ip", "0.0.0.0"), SH, "-c",
                IP + " -o addr show vs; " + IP + " -o link show vs; " + IP + " route"));
        assertFalse(r.stdout().contains("inet "), r::describe);
        assertTrue(r.stdout().contains("state DOWN"), r::describe);
        assertTrue(r.stdout().contains("macvlan") || r.stdout().contains("vs@"), r::describe);
        assertFalse(r.stdout().contains("default via"), r::describe);
    }

    /** The listener keeps its stdin open a moment: at stdin's EOF busybox nc may stop before it has read from-b. */
    @Test
    void twoBridgeModeJailsOnOneParentReachEachOther() {
        List<String> a = List.of("-t", "20", "-I", "p0", "--macvlan_vs_ip", "192.168.77.2", "--macvlan_vs_gw", "0.0.0.0",
                "--macvlan_vs_mo", "bridge");
        List<String> b = List.of("-I", "p0", "--macvlan_vs_ip", "192.168.77.3", "--macvlan_vs_gw", "0.0.0.0",
                "--macvlan_vs_mo", "bridge");
        try (NsjailCli.Running listener = cli(a, SH, "-c", "{ echo from-a; " + BB + " sleep 1; } | " + BB + " nc -l -p 7000").start()) {
            Result conn = ok(jail(b, SH, "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do"
                    + " echo from-b | " + BB + " nc 192.168.77.2 7000 && exit 0; sleep 0.25; done; exit 1"));
            assertTrue(conn.stdout().contains("from-a"), conn::describe);
            Result l = listener.await(Duration.ofSeconds(25));
            assertEquals(0, l.exitCode(), l::describe);
            assertTrue(l.stdout().contains("from-b"), l::describe);
        }
        assertEquals(List.of("lo", "p0", "p1"), hostLinks());
    }

    // ---- iface_own ----

    @Test
    void ifaceOwnMovesTheInterfaceInWhileTheJailRuns() {
        ipn("link", "add", "q0", "type", "veth", "peer", "name", "q1");
        try (NsjailCli.Running r = cli(List.of("--iface_own", "q1"), SH, "-c",
                IP + " -o link show q1; echo moved; " + BB + " sleep 3").start()) {
            r.awaitStdout(s -> s.contains("moved"), Duration.ofSeconds(20), "the jail's report");
            String seen = r.stdoutSoFar();
            assertTrue(seen.contains("q1@"), seen);
            // Moved, not configured and not brought up (as nsjail).
            assertTrue(seen.contains("state DOWN") && !seen.contains(",UP"), seen);
            assertFalse(hostLinks().contains("q1"), "q1 must be gone from the host while the jail runs");
            assertTrue(hostLinks().contains("q0"));
            Result done = r.await(Duration.ofSeconds(20));
            assertEquals(0, done.exitCode(), done::describe);
        }
        // The jail's namespace died: the kernel destroys a virtual device (and a veth's peer with it);
        // a physical one would move back to the initial namespace.
        assertEquals(List.of("lo", "p0", "p1"), waitForHostLinks(List.of("lo", "p0", "p1")));
    }

    // ---- traffic rules ----

    @Test
    void dropAndRejectRulesAsNsjail(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("rules.cfg");
        Files.writeString(cfg, """
                traffic_rule { dport: 7001 proto: TCP action: DROP }
                traffic_rule { dport: 7002 proto: TCP action: REJECT }
                traffic_rule { dport: 7003 dport_end: 7004 proto: TCP action: DROP }
                traffic_rule { dport: 7004 proto: TCP action: ALLOW }
                """);
        List<String> a = List.of("-t", "20", "-I", "p0", "--macvlan_vs_ip", "192.168.77.2", "--macvlan_vs_gw", "0.0.0.0",
                "--macvlan_vs_mo", "bridge");
        // -C first: a config replaces every setting given before it.
        List<String> b = List.of("-C", cfg.toString(), "-Mo", "-q", "--chroot", "/", "-I", "p0", "--macvlan_vs_ip",
                "192.168.77.3", "--macvlan_vs_gw", "0.0.0.0", "--macvlan_vs_mo", "bridge");
        try (NsjailCli.Running listener = cli(a, SH, "-c", BB + " nc -l -p 7004 & echo from-a | " + BB
                + " nc -l -p 7000; wait").start()) {
            String connect = "for p in 7001 7002 7003; do " + BB + " nc -w 5 192.168.77.2 $p </dev/null 2>&1;"
                    + " echo \"$p rc=$?\"; done; " + IP + " rule;"
                    + " for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do"
                    + " echo x | " + BB + " nc 192.168.77.2 7000 && break; sleep 0.25; done;"
                    + " echo y | " + BB + " nc -w 5 192.168.77.2 7004 && echo 7004 ok";
            long t0 = System.nanoTime();
            Result r = NsjailCli.as(RunAs.ROOT).wrappedBy(List.of(IP, "netns", "exec", ns)).args(b)
                    .args("--", SH, "-c", connect).run();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exitCode(), r::describe);
            String out = r.stdout();
            // DROP = blackhole: the route lookup fails with EINVAL; REJECT = unreachable: ENETUNREACH.
            assertTrue(out.contains("(192.168.77.2): Invalid argument\n7001 rc=1"), r::describe);
            assertTrue(out.contains("(192.168.77.2): Network is unreachable\n7002 rc=1"), r::describe);
            assertTrue(out.contains("Invalid argument\n7003 rc=1"), r::describe);
            // The last rule wins: 7004 ALLOW (32762) is consulted before 7003-7004 DROP (32763).
            assertTrue(out.contains("7004 ok"), r::describe);
            assertTrue(out.contains("from-a"), r::describe);
            assertTrue(out.contains("32765:\tfrom all ipproto tcp dport 7001 blackhole"), r::describe);
            assertTrue(out.contains("32764:\tfrom all ipproto tcp dport 7002 unreachable"), r::describe);
            assertTrue(out.contains("32762:\tfrom all ipproto tcp dport 7004 lookup main"), r::describe);
            assertTrue(ms < 15_000, "refusals must be immediate, not connect timeouts: " + ms + " ms");
            Result l = listener.await(Duration.ofSeconds(25));
            assertEquals(0, l.exitCode(), l::describe);
        }
    }

    // ---- errors: one line, 255, nothing left behind ----

    @Test
    void badParentInterface() {
        oneLineFailure(jail(List.of("-I", "nosuch0"), "/bin/true"), "nosuch0");
    }

    @Test
    void badAddress() {
        oneLineFailure(jail(List.of("-I", "p0", "--macvlan_vs_ip", "192.168.77"), "/bin/true"), "192.168.77");
        oneLineFailure(jail(List.of("-I", "p0", "--macvlan_vs_nm", "255.0.255.0"), "/bin/true"), "255.0.255.0");
        oneLineFailure(jail(List.of("-I", "p0", "--macvlan_vs_ma", "02:11"), "/bin/true"), "02:11");
    }

    @Test
    void badMode() {
        oneLineFailure(jail(List.of("-I", "p0", "--macvlan_vs_mo", "source"), "/bin/true"), "source");
    }

    @Test
    void failureAfterTheMacvlanExistsLeavesNothing() {
        // The gateway is outside 192.168.0.0/24: the kernel refuses the route after vs was made.
        oneLineFailure(jail(List.of("-I", "p0", "--macvlan_vs_ip", "192.168.0.2", "--macvlan_vs_gw", "192.168.77.1"),
                "/bin/true"), "192.168.77.1");
    }

    @Test
    void failureAfterIfaceOwnMovedAVethDestroysIt() {
        // The move happens, then the route fails: the jail's namespace dies before the jail ran, and
        // the kernel destroys the moved veth (and its peer q0) rather than returning it.
        ipn("link", "add", "q0", "type", "veth", "peer", "name", "q1");
        Result r = jail(List.of("--iface_own", "q1", "-I", "p0", "--macvlan_vs_ip", "192.168.0.2", "--macvlan_vs_gw",
                "192.168.77.1"), "/bin/true");
        assertEquals(List.of("lo", "p0", "p1"), waitForHostLinks(List.of("lo", "p0", "p1")));
        oneLineFailure(r, "192.168.77.1");
    }

    @Test
    void ifaceOwnOfAMissingInterface() {
        oneLineFailure(jail(List.of("--iface_own", "nosuch1"), "/bin/true"), "nosuch1");
    }

    @Test
    void needsANetworkNamespaceAndASupervisor() {
        oneLineFailure(jail(List.of("-N", "-I", "p0"), "/bin/true"), "network namespace");
        Result r = NsjailCli.as(RunAs.ROOT).wrappedBy(List.of(IP, "netns", "exec", ns))
                .args("-Me", "-q", "--chroot", "/", "--iface_own", "p1", "--", "/bin/true").run();
        oneLineFailure(r, "-Me");
    }

    // ---- helpers ----

    private void oneLineFailure(Result r, String mention) {
        assertEquals(255, r.exitCode(), r::describe);
        // nsjail follows a failed start with its generic "Couldn't launch the child process".
        List<String> lines = r.significantStderrLines().stream()
                .filter(l -> !l.endsWith("Couldn't launch the child process")).toList();
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.getFirst().contains(mention), r::describe);
        assertFalse(r.stderr().contains("Exception"), r::describe);
        assertEquals(List.of("lo", "p0", "p1"), hostLinks(), "no interface may be left behind");
    }

    private NsjailCli cli(List<String> extra, String... cmd) {
        List<String> a = new ArrayList<>(List.of("-Mo", "-q", "--chroot", "/"));
        a.addAll(extra);
        a.add("--");
        a.addAll(Arrays.asList(cmd));
        return NsjailCli.as(RunAs.ROOT).wrappedBy(List.of(IP, "netns", "exec", ns)).args(a);
    }

    private Result jail(List<String> extra, String... cmd) {
        return cli(extra, cmd).run();
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    private List<String> hostLinks() {
        return linkNames(run(IP, "-n", ns, "-o", "link").lines().toList());
    }

    private List<String> waitForHostLinks(List<String> want) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> now = hostLinks();
        while (!now.equals(want) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = hostLinks();
        }
        return now;
    }

    /** "3: p0@p1: <...>" → "p0", sorted. */
    private static List<String> linkNames(List<String> lines) {
        return lines.stream().map(l -> l.split(":\\s+", 3)[1].replaceAll("@.*", "")).sorted().toList();
    }

    private void ipn(String... args) {
        List<String> c = new ArrayList<>(List.of(IP, "-n", ns));
        c.addAll(Arrays.asList(args));
        run(c.toArray(String[]::new));
    }

    private static String run(String... cmd) {
        String[] r = exec(cmd);
        if (!r[0].equals("0")) fail(String.join(" ", cmd) + " failed (" + r[0] + "): " + r[1]);
        return r[1];
    }

    private static void tryRun(String... cmd) {
        exec(cmd);
    }

    private static String[] exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new String[] {"timeout", out};
            }
            return new String[] {Integer.toString(p.exitValue()), out};
        } catch (IOException e) {
            return new String[] {"io", e.toString()};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new String[] {"interrupted", ""};
        }
    }
}
