package org.jnsjail.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * user_net (reference §3.13) in real jails: the NSTUN stack and the pasta backend, as root and as
 * uid 65534. The "host" side is this test JVM: TCP and UDP servers on the machine's own
 * non-loopback IPv4 address (and on 127.0.0.1 for the gateway cases).
 *
 * <p>Unprivileged user_net needs /dev/net/tun to be usable by the caller (as on most distributions,
 * mode 0666). Where it is root-only, the NOBODY runs get a fixture: a private mount namespace with a
 * tmpfs on /dev/net holding a 0666 tun node (unshare(1), mknod(1)); the host is not changed.
 */
class UserNetTest {
    private static final String BASH = "/bin/bash";
    private static final String PY = "/usr/bin/python3";

    @TempDir
    Path dir;

    private final List<AutoCloseable> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable c : servers) c.close();
        assertFalse(pastaRunning(), "a pasta process was left behind");
    }

    // ---- NSTUN ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void nstunInterfaceHasNsjailsAddressesAndRoutes(RunAs as) {
        Result r = jail(as, config(""), "ip -o addr show dev eth0; ip -o link show dev eth0; ip route; ip -6 route");
        assertEquals(0, r.exitCode(), r::describe);
        String out = r.stdout();
        assertTrue(out.contains("inet 10.255.255.2 peer 10.255.255.1/32"), out);
        assertTrue(out.contains("inet6 fc00::2/128"), out);
        assertTrue(out.contains("mtu 64512"), out);
        assertTrue(out.contains("default dev eth0"), out);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void nstunCarriesTcpToTheHost(RunAs as) throws Exception {
        String host = hostAddress();
        int port = tcpServer(InetAddress.getByName(host), "hello from the host");
        Result r = jail(as, config(""), tcpClient(host, port));
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("hello from the host", "echo:ping"), r.stdoutLines(), r::describe);
    }

    @Test
    void nstunCarriesABigTransferIntact() throws Exception {
        RunAs.ROOT.assume();
        String host = hostAddress();
        byte[] blob = new byte[8 << 20];
        new java.util.Random(42).nextBytes(blob);
        int port = blobServer(InetAddress.getByName(host), blob);
        Result r = jail(RunAs.ROOT, config(""), "exec 3<>/dev/tcp/" + host + "/" + port + "; sha256sum <&3");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(sha256(blob) + "  -", r.stdout().strip(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void nstunCarriesUdp(RunAs as) throws Exception {
        String host = hostAddress();
        int port = udpEchoServer(InetAddress.getByName(host));
        // bash's read takes one byte per read(2), which would drop the rest of a datagram: head reads it whole.
        Result r = jail(as, config(""), "exec 3<>/dev/udp/" + host + "/" + port
                + "; echo datagram >&3; echo \"got:$(timeout 5 head -c 14 <&3)\"");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("got:echo:datagram"), r.stdoutLines(), r::describe);
    }

    /** jnsjail differs from nsjail on purpose: the gateway is not the host's loopback unless a rule says so. */
    @Test
    void gatewayReachesHostLoopbackOnlyThroughAnExplicitRule() throws Exception {
        RunAs.ROOT.assume();
        int port = tcpServer(InetAddress.getLoopbackAddress(), "loopback service");
        Result denied = jail(RunAs.ROOT, config(""), tcpClient("10.255.255.1", port) + " || echo refused");
        assertEquals(List.of("refused"), lastLines(denied, 1), denied::describe);
        Result allowed = jail(RunAs.ROOT, config("rule4 { action: ALLOW dst_ip: \"10.255.255.1\" }"),
                tcpClient("10.255.255.1", port));
        assertEquals(List.of("loopback service", "echo:ping"), allowed.stdoutLines(), allowed::describe);
    }

    @Test
    void rulesRejectDropAndRedirect() throws Exception {
        RunAs.ROOT.assume();
        String host = hostAddress();
        int a = tcpServer(InetAddress.getByName(host), "server a");
        int b = tcpServer(InetAddress.getByName(host), "server b");
        // First match wins: port a is rejected, port b dropped, and port 1 redirected to a.
        String rules = "rule4 { action: REJECT proto: TCP dport: " + a + " }\n"
                + "rule4 { action: DROP proto: TCP dst_ip: \"" + host + "/32\" dport: " + b + " }\n"
                + "rule4 { action: REDIRECT proto: TCP dport: 1 redirect_ip: \"" + host + "\" redirect_port: " + a + " }";
        String script = "(" + tcpClient(host, a) + ") 2>/dev/null || echo a-rejected; "
                + "timeout 2 " + BASH + " -c '" + tcpClient(host, b) + "' 2>/dev/null; echo b-status=$?; "
                + tcpClient(host, 1);
        Result r = jail(RunAs.ROOT, config(rules), script);
        assertEquals(List.of("a-rejected", "b-status=124", "server a", "echo:ping"), r.stdoutLines(), r::describe);
    }

    @Test
    void hostToGuestRedirectReachesAServerInTheJail() throws Exception {
        RunAs.ROOT.assume();
        if (!Files.isExecutable(Path.of(PY))) Assumptions.abort(PY + " is missing");
        int hostPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            hostPort = probe.getLocalPort();
        }
        String rule = "rule4 { direction: HOST_TO_GUEST action: REDIRECT proto: TCP src_ip: \"127.0.0.1\" dport: "
                + hostPort + " redirect_port: 8000 }";
        String server = PY + " -c \"import socket\ns=socket.socket()\ns.bind(('0.0.0.0',8000))\ns.listen()\n"
                + "print('listening',flush=True)\nc,a=s.accept()\nc.sendall(b'from the jail '+a[0].encode()+b'\\\\n')\n"
                + "c.close()\"";
        try (NsjailCli.Running run = NsjailCli.as(RunAs.ROOT).args(cli(config(rule), server)).start()) {
            run.awaitStdout(s -> s.contains("listening"), java.time.Duration.ofSeconds(20), "the jail's server");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), hostPort)) {
                s.setSoTimeout(10_000);
                String line = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                // The host's peer shows up as the gateway, never as a host address.
                assertEquals("from the jail 10.255.255.1", line);
            }
            Result r = run.await(java.time.Duration.ofSeconds(20));
            assertEquals(0, r.exitCode(), r::describe);
        }
    }

    @Test
    void pingOfTheGatewayIsAnsweredByTheStack() {
        RunAs.ROOT.assume();
        if (!ItEnv.hasBusybox()) Assumptions.abort(ItEnv.BUSYBOX + " is missing");
        // A raw ICMP socket needs CAP_NET_RAW in the jail's user namespace: keep the caps.
        Result r = jail(RunAs.ROOT, config(""), ItEnv.BUSYBOX + " ping -c 1 -W 5 10.255.255.1", "--keep_caps");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().contains("1 packets received"), r::describe);
    }

    @Test
    void withoutTunAccessTheJailFailsInOneLine() throws IOException {
        RunAs.NOBODY.assume();
        if (!ItEnv.isRoot()) Assumptions.abort("needs root to run as uid 65534 without the tun fixture");
        if (Files.getPosixFilePermissions(Path.of("/dev/net/tun")).contains(PosixFilePermission.OTHERS_WRITE)) {
            Assumptions.abort("/dev/net/tun is usable by everyone on this machine");
        }
        Result r = NsjailCli.as(RunAs.NOBODY).args(cli(config(""), "true")).run();
        assertEquals(255, r.exitCode(), r::describe);
        List<String> lines = r.significantStderrLines();
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.getFirst().contains("open('/dev/net/tun') for user_net failed: Permission denied"),
                r::describe);
    }

    @Test
    void userNetFlagGivesTheDefaults() {
        RunAs.ROOT.assume();
        Result r = NsjailCli.run(RunAs.ROOT, "-Mo", "-q", "--chroot", "/", "--user_net", "--", BASH, "-c",
                "ip -o -4 addr show dev eth0");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().contains("inet 10.255.255.2 peer 10.255.255.1/32"), r::describe);
    }

    // ---- pasta ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void pastaConfiguresTheJailAndCarriesTcp(RunAs as) throws Exception {
        assumePasta();
        String host = hostAddress();
        int port = tcpServer(InetAddress.getByName(host), "hello via pasta");
        Result r = jail(as, pastaConfig(""), "ip -o -4 addr show dev eth0; " + tcpClient(host, port));
        assertEquals(0, r.exitCode(), r::describe);
        List<String> lines = r.stdoutLines();
        assertTrue(lines.getFirst().contains("inet 10.255.255.2/24"), r::describe);
        assertEquals(List.of("hello via pasta", "echo:ping"), lines.subList(1, lines.size()), r::describe);
    }

    @Test
    void pastaFailureIsOneLineWithPastasReason() {
        RunAs.ROOT.assume();
        assumePasta();
        Result r = jail(RunAs.ROOT, pastaConfig("tcp_map_in: \"not-a-port-spec\""), "true");
        assertEquals(255, r.exitCode(), r::describe);
        List<String> lines = r.significantStderrLines();
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.getFirst().contains("user_net: pasta exited"), r::describe);
    }

    /** A supervisor killed by SIGKILL takes the jail and pasta along (PR_SET_PDEATHSIG on both). */
    @Test
    void killedSupervisorLeavesNeitherJailNorPasta() throws Exception {
        RunAs.ROOT.assume();
        assumePasta();
        String marker = "61.25";
        try (NsjailCli.Running run = NsjailCli.as(RunAs.ROOT).args(cli(pastaConfig(""),
                "echo ready; exec /bin/sleep " + marker)).start()) {
            run.awaitStdout(s -> s.contains("ready"), java.time.Duration.ofSeconds(20), "the jail");
            assertTrue(alive(p -> cmdline(p).contains("sleep " + marker)), "the jail runs");
            run.signal(9);
            long end = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < end && (alive(p -> cmdline(p).contains("sleep " + marker))
                    || pastaRunning())) {
                Thread.sleep(50);
            }
            assertFalse(alive(p -> cmdline(p).contains("sleep " + marker)), "the jail outlived its supervisor");
            assertFalse(pastaRunning(), "pasta outlived its supervisor");
        }
    }

    // ---- helpers ----

    private Path config(String rules) {
        return write("user_net {\n" + rules + "\n}\n");
    }

    private Path pastaConfig(String pastaOptions) {
        return write("user_net {\nbackend: PASTA\npasta {\n" + pastaOptions + "\n}\n}\n");
    }

    private Path write(String userNet) {
        try {
            Path f = Files.createTempFile(dir, "user-net", ".cfg");
            Files.writeString(f, "mode: ONCE\nmount { src: \"/\" dst: \"/\" is_bind: true }\n"
                    + "mount { dst: \"/proc\" fstype: \"proc\" }\ntime_limit: 60\n" + userNet);
            // setpriv's uid 65534 must read it
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> cli(Path cfg, String script, String... extra) {
        List<String> a = new ArrayList<>(List.of("-q", "-C", cfg.toString()));
        a.addAll(List.of(extra));
        a.addAll(List.of("--", BASH, "-c", script));
        return a;
    }

    private Result jail(RunAs as, Path cfg, String script, String... extra) {
        as.assume();
        NsjailCli c = NsjailCli.as(as).args(cli(cfg, script, extra));
        if (as == RunAs.NOBODY) c.wrappedBy(tunFixture());
        return c.run();
    }

    /** For uid 65534 where /dev/net/tun is root-only: a private mount namespace with a usable tun node. */
    private static List<String> tunFixture() {
        try {
            if (!ItEnv.isRoot()
                    || Files.getPosixFilePermissions(Path.of("/dev/net/tun")).contains(PosixFilePermission.OTHERS_WRITE)) {
                return List.of();
            }
        } catch (IOException e) {
            Assumptions.abort("/dev/net/tun is missing: " + e.getMessage());
        }
        return List.of("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o mode=755 tmpfs /dev/net && mknod -m 666 /dev/net/tun c 10 200 && exec \"$@\"", "sh");
    }

    /** Reads the server's greeting line, sends "ping", prints the reply. */
    private static String tcpClient(String host, int port) {
        return "exec 3<>/dev/tcp/" + host + "/" + port + " && read -t 10 greeting <&3 && echo \"$greeting\""
                + " && echo ping >&3 && read -t 10 reply <&3 && echo \"$reply\"";
    }

    /** The machine's first non-loopback IPv4 address: the jail's traffic must leave through the stack. */
    private static String hostAddress() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        Assumptions.abort("this machine has no non-loopback IPv4 address to serve the jail from");
        return null;
    }

    /** Greets each client with a line, then answers each line with "echo:" + line. */
    private int tcpServer(InetAddress addr, String greeting) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, addr);
        servers.add(ss);
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            OutputStream out = s.getOutputStream();
                            out.write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
                            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                            String line;
                            while ((line = in.readLine()) != null) out.write(("echo:" + line + "\n").getBytes());
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss.getLocalPort();
    }

    private int blobServer(InetAddress addr, byte[] blob) throws IOException {
        ServerSocket ss = new ServerSocket(0, 5, addr);
        servers.add(ss);
        Thread.ofVirtual().start(() -> {
            try (Socket s = ss.accept()) {
                s.getOutputStream().write(blob);
            } catch (IOException e) {
                // test fails on the checksum
            }
        });
        return ss.getLocalPort();
    }

    private int udpEchoServer(InetAddress addr) throws IOException {
        DatagramSocket ds = new DatagramSocket(new InetSocketAddress(addr, 0));
        servers.add(ds);
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!ds.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    ds.receive(p);
                    byte[] reply = ("echo:" + new String(buf, 0, p.getLength(), StandardCharsets.UTF_8)).getBytes();
                    ds.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ds.getLocalPort();
    }

    private static List<String> lastLines(Result r, int n) {
        List<String> l = r.stdoutLines();
        return l.subList(Math.max(0, l.size() - n), l.size());
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void assumePasta() {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(d, "pasta"))) return;
        }
        Assumptions.abort("pasta(1) is missing (Debian package 'passt')");
    }

    /** A live (not zombie) pasta: it re-execs itself as passt.avx2 where the CPU allows. */
    private static boolean pastaRunning() {
        return alive(p -> {
            String comm = read(p.resolve("comm"));
            return comm.equals("pasta") || comm.startsWith("passt");
        });
    }

    /** Whether a process that is not a zombie (which init may not have reaped yet) matches. */
    private static boolean alive(java.util.function.Predicate<Path> match) {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> match.test(p) && !read(p.resolve("stat")).matches("\\d+ \\(.*\\) Z .*"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String cmdline(Path proc) {
        return read(proc.resolve("cmdline")).replace('\0', ' ');
    }

    private static String read(Path f) {
        try {
            return Files.readString(f).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
