package org.jnsjail.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OCI images of image/build.sh (./build image) run for real under podman (issue 21): a one-shot jail
 * in the jnsjail image, and the example LISTEN-mode service of deploy/k8s answering on a port published
 * on 127.0.0.1. The container gets the least that jails need ({@link #LEAST_PRIVILEGE}), and the test
 * shows that the two relaxations in it are needed. Installs podman and runc when they are missing.
 * Root only: rootful podman, and the image build's training jail.
 */
class ImageTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path SECCOMP = ROOT.resolve("deploy/seccomp/jnsjail.json");

    /**
     * How the container runs: the same settings as deploy/k8s/deployment.yaml. Each, and why:
     * <ul>
     * <li>{@code --runtime runc}: crun refuses this VM's hybrid cgroup layout.</li>
     * <li>{@code --user 65534:65534}: jnsjail runs as nobody, as nsjail does for any unprivileged user:
     * each jail is a new user namespace mapping the jail's one id to the caller's, which needs no
     * capability (user_namespaces(7)).</li>
     * <li>{@code --cap-drop ALL}: so no capability at all in the container.</li>
     * <li>{@code --security-opt no-new-privileges}: nothing in the container gains privileges by execve;
     * jnsjail sets it for its jails anyway.</li>
     * <li>{@code --uidmap/--gidmap}: the container in a user namespace of its own (Kubernetes: hostUsers:
     * false), so its ids, nobody included, are unprivileged ids on the host. Not needed by jails, but what
     * makes the next one safe: unmasked /proc/sys of a container in the host's user namespace would let
     * its root write the host's sysctls.</li>
     * <li>{@code --security-opt unmask=/proc/*}: every jail mounts a new procfs for its PID namespace, and
     * the kernel refuses that mount (EPERM) while any part of the container's procfs is covered by another
     * mount (fs/namespace.c, mount_too_revealing); the runtime covers /proc/kcore, /proc/keys, /proc/sys
     * and more. Kubernetes: procMount: Unmasked.</li>
     * <li>{@code --security-opt seccomp=deploy/seccomp/jnsjail.json}: podman's default profile refuses
     * sethostname and setns without CAP_SYS_ADMIN (Docker's and containerd's also mount, unshare and the
     * namespace flags of clone); jails need them in the namespaces their own user namespace owns.</li>
     * <li>{@code --read-only --read-only-tmpfs=false}: jnsjail writes nothing, not even to /tmp.</li>
     * </ul>
     * AppArmor: this kernel has none; where it has, the runtime's default profile denies mount(2), and the
     * container needs {@code --security-opt apparmor=unconfined} or a profile that allows mounts.
     */
    static final List<String> LEAST_PRIVILEGE = List.of("--runtime", "runc", "--user", "65534:65534",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
            "--security-opt", "unmask=/proc/*", "--security-opt", "seccomp=" + SECCOMP,
            "--read-only", "--read-only-tmpfs=false");

    private static final Duration RUN = Duration.ofMinutes(3);
    private static Path classes;
    private static Path buildDir;
    private static Path out;
    private static String image;
    private static String example;
    private static Path payload;
    private static final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void buildAndLoad() throws IOException {
        if (!Cmd.isRoot()) Assumptions.abort("needs root: rootful podman, and the image build's training jail");
        Cmd.ensureCommands("podman", "podman", "runc", "runc");
        containersConfWithoutUlimits();
        Cmd.Result info = Cmd.run(Duration.ofMinutes(2), List.of("podman", "--runtime", "runc", "info"));
        if (info.rc() != 0) Assumptions.abort("podman cannot run here: " + info.err().strip());

        classes = classesDir();
        buildDir = classes.getParent();
        out = buildDir.resolve("image");
        long t0 = System.nanoTime();
        Cmd.Result built = Cmd.run(Duration.ofMinutes(20), List.of(ROOT.resolve("image/build.sh").toString(),
                classes.toString(), buildDir.resolve("lib").toString(), out.toString()), ROOT).ok();
        System.out.print(built.out());
        System.out.printf("ImageTest: image/build.sh took %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
        image = load("jnsjail");
        example = load("jnsjail-example");

        // The jail root a one-shot jail runs in: a static busybox, mounted read-only into the container.
        // Host ids 100000+ (the container's) must read it: the directory is world-readable.
        Path busybox = Path.of("/bin/busybox");
        Assumptions.assumeTrue(Files.isExecutable(busybox), "needs /bin/busybox (busybox-static)");
        payload = Files.createTempDirectory(buildDir, "image-it-payload");
        Files.setPosixFilePermissions(payload, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("bin", "proc", "tmp")) Files.createDirectories(payload.resolve(d));
        Files.copy(busybox, payload.resolve("bin/busybox"));
        Files.setPosixFilePermissions(payload.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        for (String c : containers) Cmd.run(RUN, List.of("podman", "rm", "-f", "-t", "0", c));
        if (payload != null) {
            try (Stream<Path> s = Files.walk(payload)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /** podman's default rlimits raise hard limits, which needs CAP_SYS_RESOURCE: this VM has none. */
    private static void containersConfWithoutUlimits() throws IOException {
        if (Cmd.hasCapability(24 /* CAP_SYS_RESOURCE */)) return;
        Path conf = Path.of("/etc/containers/containers.conf");
        String text = Files.exists(conf) ? Files.readString(conf) : "";
        if (text.lines().anyMatch(l -> l.strip().startsWith("default_ulimits"))) return;
        String line = "default_ulimits = []  # jnsjail's ImageTest: no CAP_SYS_RESOURCE to raise limits with\n";
        if (text.lines().anyMatch(l -> l.strip().equals("[containers]"))) {
            text = text.replaceFirst("(?m)^\\s*\\[containers\\]\\s*$", "[containers]\n" + line.strip());
        } else {
            text = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "[containers]\n" + line;
        }
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, text);
    }

    private static Path classesDir() {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p.resolve("org/jnsjail/cli/Main.class"))) return p.toAbsolutePath();
        }
        throw new IllegalStateException("no class path directory holds org/jnsjail/cli/Main.class");
    }

    /** Loads NAME-image.tar unless podman has its image id already, and drops the older images of that name. */
    private static String load(String name) throws IOException {
        String id = Files.readString(out.resolve(name + ".id")).strip();
        String shortId = id.substring("sha256:".length());
        if (Cmd.run(RUN, List.of("podman", "image", "exists", shortId)).rc() != 0) {
            List<String> older = Cmd.run(RUN, List.of("podman", "images", "-q", "--no-trunc", "--filter",
                    "reference=localhost/" + name)).ok().out().lines().filter(s -> !s.isBlank()).toList();
            Cmd.run(Duration.ofMinutes(10), List.of("podman", "load", "-q", "-i",
                    out.resolve(name + "-image.tar").toString())).ok();
            for (String o : older) {
                if (!o.equals(id)) Cmd.run(RUN, List.of("podman", "rmi", "-f", o));
            }
        }
        return shortId;
    }

    private static List<String> podmanRun(List<String> options, String img, String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "run", "--rm"));
        cmd.addAll(options);
        cmd.add(img);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    private static List<String> without(List<String> base, String option, String value) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            if (base.get(i).equals(option) && i + 1 < base.size() && base.get(i + 1).equals(value)) {
                i++;
                continue;
            }
            l.add(base.get(i));
        }
        assertNotEquals(base, l, option + " " + value + " is not among the options");
        return l;
    }

    private static final String ONE_SHOT = "echo \"pid=$$ uid=$(id -u) host=$(hostname)\" $(ls /); exit 3";

    @Test
    void oneShotJailRunsInTheImage() {
        // -Xshare:on: the JVM stops unless it maps the image's class-data archive.
        List<String> opts = with(LEAST_PRIVILEGE, "--network", "none", "-e", "JDK_JAVA_OPTIONS=-Xshare:on",
                "-v", payload + ":/srv/jail:ro");
        Cmd.Result r = Cmd.run(RUN, podmanRun(opts, image, "-Mo", "--chroot", "/srv/jail", "-q", "--",
                "/bin/busybox", "sh", "-c", ONE_SHOT));
        assertEquals(3, r.rc(), r.describe());
        assertEquals("pid=1 uid=65534 host=NSJAIL bin proc tmp\n", r.out(), r.describe());
        assertFalse(r.err().contains("[E]"), r.describe());
    }

    /** Each relaxation of {@link #LEAST_PRIVILEGE} is needed: without it the jail does not start. */
    @Test
    void withoutUnmaskedProcTheJailCannotMountProc() {
        Cmd.Result r = Cmd.run(RUN, podmanRun(with(without(LEAST_PRIVILEGE, "--security-opt", "unmask=/proc/*"),
                "--network", "none", "-v", payload + ":/srv/jail:ro"), image,
                "-Mo", "--chroot", "/srv/jail", "-q", "--", "/bin/busybox", "true"));
        assertNotEquals(0, r.rc(), r.describe());
        assertTrue(r.err().contains("Mount: '/proc' type:'proc'") && r.err().contains("Operation not permitted"),
                r.describe());
    }

    @Test
    void withTheDefaultSeccompProfileTheJailCannotSetItsHostname() {
        Cmd.Result r = Cmd.run(RUN, podmanRun(with(without(LEAST_PRIVILEGE, "--security-opt", "seccomp=" + SECCOMP),
                "--network", "none", "-v", payload + ":/srv/jail:ro"), image,
                "-Mo", "--chroot", "/srv/jail", "-q", "--", "/bin/busybox", "true"));
        assertNotEquals(0, r.rc(), r.describe());
        assertTrue(r.err().contains("sethostname('NSJAIL') failed: Operation not permitted"), r.describe());
    }

    @Test
    void listenServiceAnswersThroughThePublishedPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String name = "jnsjail-it-" + ProcessHandle.current().pid() + "-" + port;
        containers.add(name);
        // The image's own command: the service deploy/k8s runs (KubernetesManifestsTest compares them).
        List<String> cmd = new ArrayList<>(List.of("podman", "run", "-d", "--name", name));
        cmd.addAll(LEAST_PRIVILEGE);
        cmd.addAll(List.of("-e", "JDK_JAVA_OPTIONS=-Xmx64m", "-p", "127.0.0.1:" + port + ":9000", example));
        Cmd.run(RUN, cmd).ok();

        String session = "echo ready-$((6*7)); hostname; id -u; echo $$; ls /\nexit\n";
        String expected = "ready-42\njail\n65534\n1\nbin\ndev\nproc\ntmp\n";
        assertEquals(expected, converse(port, session, name));
        // A second connection gets a jail of its own: PID 1 again, in a PID namespace of its own.
        assertEquals(expected, converse(port, session, name));
        Cmd.Result log = Cmd.run(RUN, List.of("podman", "logs", name)).ok();
        String logs = log.out() + log.err();
        assertTrue(logs.contains("Mode: LISTEN_TCP") && logs.contains("New connection from"), logs);
        Cmd.run(RUN, List.of("podman", "stop", "-t", "10", name)).ok();
    }

    /** Sends {@code input} to the service and reads its answer; waits for the container to listen. */
    private static String converse(int port, String input, String container) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(60_000);
                OutputStream o = s.getOutputStream();
                o.write(input.getBytes(StandardCharsets.UTF_8));
                o.flush();
                InputStream in = s.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (!answer.isEmpty()) return answer;
                last = new IOException("no answer");
            } catch (IOException e) {
                last = e;
            }
            Cmd.Result state = Cmd.run(RUN, List.of("podman", "inspect", "-f", "{{.State.Running}}", container));
            if (!state.out().strip().equals("true")) {
                throw new AssertionError("the container stopped: "
                        + Cmd.run(RUN, List.of("podman", "logs", container)).describe());
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no answer on 127.0.0.1:" + port + ": " + last + "\n"
                + Cmd.run(RUN, List.of("podman", "logs", container)).describe());
    }

    /** The jnsjail image: its entry point is the launcher's JVM flags, and it holds no shell, package manager or compiler. */
    @Test
    void imageIsTheJvmTheJarAndLibcOnly() throws IOException {
        Path layout = out.resolve("oci/jnsjail");
        JsonObject index = JsonParser.parseString(Files.readString(layout.resolve("index.json"))).getAsJsonObject();
        JsonObject manifest = blob(layout, index.getAsJsonArray("manifests").get(0).getAsJsonObject());
        JsonObject config = blob(layout, manifest.getAsJsonObject("config")).getAsJsonObject("config");
        assertEquals("65534:65534", config.get("User").getAsString());

        List<String> entrypoint = strings(config.getAsJsonArray("Entrypoint"));
        List<String> flags = launcherFlags();
        assertEquals("/opt/java/bin/java", entrypoint.get(0));
        assertEquals(flags, entrypoint.subList(1, 1 + flags.size()), "the launcher's flags=\"...\" line");
        assertEquals(List.of("-jar", "/opt/jnsjail/jnsjail.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
        assertTrue(entrypoint.contains("-XX:SharedArchiveFile=/opt/jnsjail/jnsjail.jsa"), entrypoint.toString());

        Set<String> forbidden = Set.of("sh", "bash", "dash", "ash", "busybox", "apt", "apt-get", "dpkg", "gcc",
                "cc", "g++", "ld", "as", "make", "javac", "jshell", "jlink", "jar", "perl", "python3");
        List<String> entries = new ArrayList<>();
        long compressed = 0;
        for (JsonElement l : manifest.getAsJsonArray("layers")) {
            String digest = l.getAsJsonObject().get("digest").getAsString().substring("sha256:".length());
            compressed += l.getAsJsonObject().get("size").getAsLong();
            entries.addAll(Cmd.run(RUN, List.of("tar", "-tzf", layout.resolve("blobs/sha256/" + digest).toString()))
                    .ok().out().lines().toList());
        }
        for (String e : entries) {
            if (e.endsWith("/")) continue; // a directory (var/lib/dpkg/status.d holds the packages' control data)
            String base = Path.of(e).getFileName() == null ? e : Path.of(e).getFileName().toString();
            assertFalse(forbidden.contains(base), "the image holds " + e);
            assertFalse(e.matches("(\\./)?(usr/)?s?bin/.*"), "the image holds " + e);
        }
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("opt/jnsjail/jnsjail.jsa")), "no class-data archive");
        System.out.printf("ImageTest: jnsjail image %s: %d bytes in compressed layers, %d entries%n",
                Files.readString(out.resolve("jnsjail.digest")).strip(), compressed, entries.size());
    }

    private static JsonObject blob(Path layout, JsonObject descriptor) throws IOException {
        String d = descriptor.get("digest").getAsString().substring("sha256:".length());
        return JsonParser.parseString(Files.readString(layout.resolve("blobs/sha256/" + d))).getAsJsonObject();
    }

    private static List<String> strings(JsonArray a) {
        List<String> l = new ArrayList<>();
        for (JsonElement e : a) l.add(e.getAsString());
        return l;
    }

    /** The JVM flags of ./nsjail's flags="..." line, as bench/launcher-flags.sh reads them. */
    static List<String> launcherFlags() throws IOException {
        for (String l : Files.readAllLines(ROOT.resolve("nsjail"))) {
            if (l.startsWith("flags=\"") && l.endsWith("\"")) {
                return List.of(l.substring("flags=\"".length(), l.length() - 1).trim().split("\\s+"));
            }
        }
        throw new IllegalStateException("./nsjail has no flags=\"...\" line");
    }

    /** deploy/seccomp/jnsjail.json is what image/seccomp.sh makes of jnsjail's syscall table. */
    @Test
    void seccompProfileIsTheGeneratorsOutput() throws IOException {
        Cmd.ensureCommands("scmp_sys_resolver", "seccomp");
        Cmd.Result r = Cmd.run(RUN, List.of(ROOT.resolve("image/seccomp.sh").toString())).ok();
        assertEquals(Files.readString(SECCOMP), r.out(), "regenerate it: image/seccomp.sh > deploy/seccomp/jnsjail.json");
    }

    /** Reproducible: a second build from the same inputs, into another directory, gives the same digests. */
    @Test
    void sameInputsGiveTheSameDigests() throws IOException {
        Path again = Files.createTempDirectory(buildDir, "image-again");
        try {
            Cmd.run(Duration.ofMinutes(20), List.of(ROOT.resolve("image/build.sh").toString(),
                    classes.toString(), buildDir.resolve("lib").toString(), again.toString()), ROOT).ok();
            for (String name : List.of("jnsjail", "jnsjail-example")) {
                assertEquals(Files.readString(out.resolve(name + ".digest")), Files.readString(again.resolve(name + ".digest")), name);
                assertEquals(-1L, Files.mismatch(out.resolve(name + "-image.tar"), again.resolve(name + "-image.tar")), name);
            }
        } finally {
            try (Stream<Path> s = Files.walk(again)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }
}
