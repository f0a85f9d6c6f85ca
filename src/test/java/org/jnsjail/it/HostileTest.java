package org.jnsjail.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile programs (issue 10) against jails made with nothing but the defaults, and with
 * {@code --chroot /}, run by root and by uid 65534: every attempt to change the host, see it, reach it
 * or leave the jail's limits must fail.
 *
 * <p>Most attempts run in one busybox shell script per jail (one CHECK line each); the supervisor is
 * started with extra fds open (7 and 8) to check that none leaks into the jail. With the defaults the
 * jail's root is an empty tmpfs, so the static busybox is started through {@code --execute_fd}. What
 * is out of scope because the user's own flags grant it ({@code -B} of a host path, {@code --keep_caps},
 * the default {@code -u 0} of a root caller reading root's files) is not tested as a failure.
 *
 * <p>Names created by a successful attempt carry a random id and are removed (and reported) afterwards.
 */
class HostileTest {
    enum Setup { DEFAULTS, CHROOT }

    /** The words an attempt that failed prints. */
    private static final Pattern FAILED_TEXT = Pattern.compile(
            "(?i)not permitted|permission denied|read-only|can't|cannot|no such|refused|unreachable|invalid|denied");
    private static final Pattern CHECK = Pattern.compile("^CHECK (\\S+) rc=(\\S+) ?(.*)$");
    private static final String PYTHON = "/usr/bin/python3";

    private static final String ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static final String NAME = "jnsjail-hostile-" + ID;

    /** Host directories the jail sees read-only (with --chroot /) and must not write. */
    private static final List<String> WRITE_DIRS = List.of("/", "/etc", "/dev", "/dev/shm", "/run", "/tmp", "/var/tmp",
            "/root", "/home", "/sys/fs/cgroup", "/proc/sys/kernel");

    private static ServerSocket tcp;
    private static Process abstractServer;
    private static String abstractName;
    private static String abstractProblem;
    private static Path dir;
    private static Path probe;
    private static String probeProblem;

    @BeforeAll
    static void setUp() throws Exception {
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        tcp.setSoTimeout(1);
        dir = Files.createTempDirectory("jnsjail-hostile");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            probe = SeccompJailTest.assemble(dir, "probe", PROBE_SRC, false);
        } catch (IOException e) {
            probeProblem = e.getMessage();
        }
        startAbstractServer();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (tcp != null) tcp.close();
        if (abstractServer != null) {
            abstractServer.destroyForcibly();
            abstractServer.waitFor(5, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        // Anything a successful attempt created (each test also asserts there is none).
        for (Path p : hostLeftovers()) {
            if (Files.isDirectory(p)) Files.deleteIfExists(p);
            else Files.deleteIfExists(p);
        }
    }

    /** An abstract unix socket bound on the host (needs python3: Java cannot bind abstract names). */
    private static void startAbstractServer() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            abstractProblem = PYTHON + " is missing: no way to bind an abstract unix socket from Java";
            return;
        }
        abstractName = NAME + "-abs";
        abstractServer = new ProcessBuilder(PYTHON, "-c", """
                import socket, sys, time
                s = socket.socket(socket.AF_UNIX)
                s.bind('\\0' + sys.argv[1])
                s.listen(50)
                print('ready', flush=True)
                time.sleep(600)
                """, abstractName).redirectErrorStream(true).start();
        InputStream in = abstractServer.getInputStream();
        byte[] ready = in.readNBytes(6);
        if (!new String(ready, StandardCharsets.UTF_8).startsWith("ready")) {
            abstractProblem = "the abstract socket server did not start: " + new String(ready, StandardCharsets.UTF_8);
            return;
        }
        // Positive control: reachable from the host's network namespace.
        Process c = new ProcessBuilder(PYTHON, "-c",
                "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('\\0'+sys.argv[1]); print('ok')",
                abstractName).redirectErrorStream(true).start();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!c.waitFor(10, TimeUnit.SECONDS) || !out.contains("ok")) {
            abstractProblem = "the abstract socket is not reachable even from the host: " + out;
        }
    }

    // ------------------------------------------------------------------ the shell script

    /**
     * $1 host pid (the test JVM, the supervisor's parent), $2 TCP port on 127.0.0.1, $3 unique name.
     * Each attempt prints "CHECK name rc=N output"; "INFO" lines are documented, not asserted.
     */
    private static final String SCRIPT = """
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            HP=$1; PORT=$2; NAME=$3
            chk() { n=$1; shift; out=$("$@" 2>&1); rc=$?; echo "CHECK $n rc=$rc $(echo $out | tr '\\n' ' ' | cut -c1-160)"; }
            for f in /proc/$$/fd/*; do [ -L "$f" ] && echo "FD ${f##*/} $(readlink "$f")"; done
            while read -r a b c d mp opts rest; do echo "MOUNT $mp $opts"; done < /proc/self/mountinfo
            for p in /proc/[0-9]*; do echo "PID ${p#/proc/}"; done
            for d in / /etc /dev /dev/shm /run /tmp /var/tmp /root /home /sys/fs/cgroup /sys/fs/cgroup/* /proc/sys/kernel; do
              [ -d "$d" ] || continue
              chk "create:$d" sh -c 'echo x > "$1"' sh "$d/$NAME"
              chk "mkdir:$d" mkdir "$d/$NAME.d"
            done
            for f in /etc/hostname /etc/passwd; do [ -f $f ] && chk "overwrite:$f" sh -c 'cat "$1" > "$1.tmp" || exit 1; cat "$1" >> "$1"' sh $f; done
            for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/*/cgroup.procs /sys/fs/cgroup/*/tasks; do
              [ -f "$f" ] && chk "cgroup-move:$f" sh -c 'echo $$ > "$1"' sh "$f"
            done
            # Knobs: write back the current value, harmless should it ever succeed.
            for f in /proc/sys/kernel/hostname /proc/sys/kernel/domainname /proc/sys/kernel/core_pattern \\
                     /proc/sys/kernel/printk /proc/sys/vm/swappiness /sys/kernel/rcu_expedited /sys/kernel/mm/ksm/run \\
                     /sys/kernel/profiling; do
              [ -f "$f" ] && chk "knob:$f" sh -c 'v=$(cat "$1") && echo "$v" > "$1"' sh "$f"
            done
            [ -f /proc/sys/vm/drop_caches ] && chk "knob:/proc/sys/vm/drop_caches" sh -c 'echo 1 > /proc/sys/vm/drop_caches'
            [ -c /dev/kmsg ] && chk "read-dev-kmsg" head -c 1 /dev/kmsg
            for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda /dev/mem /dev/port; do [ -e $d ] && chk "read-dev:$d" head -c 1 $d; done
            # A uid 0 that is the host's root (root's default -u) may write /dev/kmsg: the user's choice, not asserted.
            [ -c /dev/kmsg ] && [ "$(id -u)" != 0 ] && chk "write-dev-kmsg" sh -c 'echo "jnsjail HostileTest: this line must not appear" > /dev/kmsg'
            chk "kill-host-pid" kill -0 "$HP"
            chk "ls-host-pid" ls -d "/proc/$HP"
            chk "tcp-host-listener" nc -w 2 127.0.0.1 "$PORT"
            chk "raw-socket-ping" ping -c 1 -W 1 127.0.0.1
            chk "dmesg" dmesg
            chk "set-clock" date -s "@$(date +%s)"
            chk "mount-tmpfs" mount -t tmpfs none /tmp
            chk "umount-proc" umount /proc
            chk "umount-lazy-root" umount -l /
            chk "remount-root-rw" mount -o remount,rw /
            chk "mknod" mknod "/tmp/$NAME.null" c 1 3
            chk "chroot" chroot / true
            chk "sethostname" hostname "$NAME"
            chk "nsenter-host-net" nsenter -t "$HP" -n true
            chk "setns-pid1" nsenter -t 1 -m true
            # Nested user namespaces are allowed by default (as in nsjail): documented, not asserted.
            out=$(unshare -Urm sh -c 'mount -t tmpfs none /tmp && echo mounted-in-nested-userns' 2>&1); echo "INFO nested-userns rc=$? $(echo $out | tr '\\n' ' ' | cut -c1-160)"
            echo DONE
            """;

    static Stream<Arguments> setups() {
        List<Arguments> out = new ArrayList<>();
        for (Setup s : Setup.values()) for (RunAs as : RunAs.values()) out.add(Arguments.of(s, as));
        return out.stream();
    }

    /** Options (before "--") and the command that runs {@code program} (a busybox applet) in the setup. */
    private static List<String> command(Setup setup, List<String> extra, String applet, String... args) {
        List<String> a = new ArrayList<>(List.of("-Mo", "-q"));
        if (setup == Setup.CHROOT) a.addAll(List.of("--chroot", "/"));
        else a.addAll(List.of("--execute_fd", "-x", ItEnv.BUSYBOX));
        a.addAll(extra);
        a.add("--");
        if (setup == Setup.CHROOT) a.addAll(List.of(ItEnv.BUSYBOX, applet));
        else a.add(applet);
        a.addAll(List.of(args));
        return a;
    }

    private static Result run(RunAs as, List<String> args) {
        return NsjailCli.as(as).args(args)
                .wrappedBy(List.of("/bin/sh", "-c", "exec 7</etc/hostname 8>/dev/null; exec \"$@\"", "sh"))
                .run();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("setups")
    void hostileShellFailsEverywhere(Setup setup, RunAs as) {
        as.assume();
        Assumptions.assumeTrue(ItEnv.hasBusybox(), ItEnv.BUSYBOX + " is missing (busybox-static)");
        Result r = run(as, command(setup, List.of(), "sh", "-c", SCRIPT, "sh",
                Long.toString(ProcessHandle.current().pid()), Integer.toString(tcp.getLocalPort()), NAME));
        List<String> out = r.stdoutLines();
        assertTrue(out.contains("DONE"), () -> "the script did not finish\n" + r.describe());

        // fd hygiene: only 0, 1, 2 (the supervisor had 7 and 8 open, and its own sockets and files).
        List<String> fds = out.stream().filter(l -> l.startsWith("FD ")).map(l -> l.split(" ")[1]).toList();
        assertEquals(List.of("0", "1", "2"), fds, () -> "fds seen in the jail\n" + r.describe());

        // Every mount read-only (nobody asked for a writable one).
        List<String> mounts = out.stream().filter(l -> l.startsWith("MOUNT ")).toList();
        assertFalse(mounts.isEmpty(), r::describe);
        for (String m : mounts) {
            String[] f = m.split(" ");
            assertTrue(List.of(f[2].split(",")).contains("ro"), () -> "writable mount in the jail: " + m + "\n" + r.describe());
        }

        // Only the jail's processes: a few small pids, not the host's.
        List<Long> pids = out.stream().filter(l -> l.startsWith("PID ")).map(l -> Long.parseLong(l.substring(4))).toList();
        assertTrue(pids.contains(1L), () -> "pid 1 missing from the jail's /proc\n" + r.describe());
        assertTrue(pids.size() <= 8, () -> "too many processes visible: " + pids + "\n" + r.describe());
        assertFalse(pids.contains(ProcessHandle.current().pid()), r::describe);

        Map<String, String> checks = checks(out);
        for (String must : List.of("create:/", "mkdir:/", "create:/proc/sys/kernel", "kill-host-pid", "ls-host-pid",
                "tcp-host-listener", "raw-socket-ping", "dmesg", "set-clock", "mount-tmpfs", "umount-proc",
                "remount-root-rw", "mknod", "chroot", "sethostname")) {
            assertTrue(checks.containsKey(must), () -> "no CHECK " + must + "\n" + r.describe());
        }
        if (setup == Setup.CHROOT) {
            for (String must : List.of("create:/etc", "create:/dev/shm", "create:/tmp", "create:/var/tmp", "create:/run",
                    "create:/sys/fs/cgroup", "knob:/proc/sys/vm/drop_caches", "knob:/proc/sys/kernel/hostname",
                    "overwrite:/etc/hostname")) {
                assertTrue(checks.containsKey(must), () -> "no CHECK " + must + "\n" + r.describe());
            }
        }
        List<String> succeeded = new ArrayList<>();
        checks.forEach((name, line) -> {
            if (!attemptFailed(line)) succeeded.add(name + ": " + line);
        });
        assertEquals(List.of(), succeeded, () -> "hostile attempts that succeeded\n" + r.describe());
        assertTrue(checks.get("kill-host-pid").contains("No such process"), r::describe);
        assertTrue(tcpUntouched(), "the jail reached the host's TCP listener");
        assertEquals(List.of(), hostLeftovers(), "files the jail created on the host");
        out.stream().filter(l -> l.startsWith("INFO ")).forEach(l -> System.out.println("HostileTest " + setup + "/" + as + ": " + l));
    }

    /** --disable_proc: no /proc at all, and a host pid is still out of reach (ESRCH). */
    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("setups")
    void withoutProcHostProcessesStayInvisible(Setup setup, RunAs as) {
        as.assume();
        Assumptions.assumeTrue(ItEnv.hasBusybox(), ItEnv.BUSYBOX + " is missing (busybox-static)");
        String script = """
                [ -d "/proc/$0" ] && echo "HOST-PID-VISIBLE /proc/$0: $(tr '\\0' ' ' < /proc/$0/cmdline | cut -c1-80)"
                if [ -d /proc ]; then set -- /proc/*; echo "PROC-ENTRIES $# $1"; else echo "PROC-ENTRIES 0 none"; fi
                kill -0 "$0" 2>&1 && echo KILL-OK
                kill -9 "$0" 2>&1
                echo DONE
                """;
        Result r = run(as, command(setup, List.of("--disable_proc"), "sh", "-c", script,
                Long.toString(ProcessHandle.current().pid())));
        List<String> out = r.stdoutLines();
        assertTrue(out.contains("DONE"), r::describe);
        // --chroot / binds the host's tree recursively: the host's own procfs at /proc must not come along.
        assertFalse(out.stream().anyMatch(l -> l.startsWith("HOST-PID-VISIBLE")),
                () -> "the host's /proc is visible in the jail (it came with the recursive bind of --chroot /)\n" + r.describe());
        // /proc/* with no match stays the literal pattern: count 1 and "/proc/*".
        assertTrue(out.contains("PROC-ENTRIES 0 none") || out.contains("PROC-ENTRIES 1 /proc/*"), r::describe);
        assertFalse(out.contains("KILL-OK"), r::describe);
        assertEquals(2, out.stream().filter(l -> l.contains("No such process")).count(), r::describe);
        assertTrue(ProcessHandle.current().isAlive());
    }

    /** Root-only files: unreadable as uid 65534, and as root with -u/-g 99999. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void rootOnlyFilesStayUnreadable(RunAs as) throws IOException {
        as.assume();
        Assumptions.assumeTrue(ItEnv.hasBusybox(), ItEnv.BUSYBOX + " is missing (busybox-static)");
        Assumptions.assumeTrue(Files.exists(Path.of("/etc/shadow")), "/etc/shadow is missing");
        // inside:outside, so that the jail's uid is an unprivileged host uid (-u 99999 alone maps 99999 to
        // the caller, root: the user's choice, with nsjail's warning).
        List<String> extra = as == RunAs.ROOT ? List.of("-u", "99999:99999", "-g", "99999:99999") : List.of();
        Result r = run(as, command(Setup.CHROOT, extra, "sh", "-c",
                "id -u; cat /etc/shadow >/dev/null && echo READ-OK; ls /root >/dev/null && echo LS-ROOT-OK; echo DONE"));
        List<String> out = r.stdoutLines();
        assertTrue(out.contains("DONE"), r::describe);
        assertEquals(as == RunAs.ROOT ? "99999" : Integer.toString(as.uid()), out.getFirst(), r::describe);
        assertFalse(out.contains("READ-OK"), r::describe);
        assertTrue(r.stderr().contains("Permission denied"), r::describe);
    }

    /**
     * The static probe (assembled; no libc) is the jail's program, started by path with --chroot / and
     * through --execute_fd with the defaults. Exit status bits: one per attempt that succeeded.
     */
    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("setups")
    void privilegedSyscallsFail(Setup setup, RunAs as) {
        as.assume();
        Assumptions.assumeTrue(probe != null, () -> "cannot assemble the probe: " + probeProblem);
        List<String> a = new ArrayList<>(List.of("-Mo", "-q"));
        if (setup == Setup.CHROOT) a.addAll(List.of("--chroot", "/", "--", probe.toString()));
        else a.addAll(List.of("--execute_fd", "--", probe.toString()));
        Result r = run(as, a);
        List<String> bits = new ArrayList<>();
        String[] names = {"init_module", "socket(AF_INET, SOCK_RAW)", "socket(AF_PACKET, SOCK_RAW)",
                "syslog(SYSLOG_ACTION_READ_ALL)", "clock_settime(CLOCK_REALTIME)", "settimeofday", "mount",
                "unshare(CLONE_NEWNS) without a new user namespace"};
        for (int i = 0; i < names.length; i++) if ((r.exitCode() & (1 << i)) != 0) bits.add(names[i]);
        assertTrue(r.exitCode() < 256, r::describe);
        assertEquals(List.of(), bits, () -> "succeeded in the jail (exit " + r.exitCode() + ")\n" + r.describe());
    }

    /** Python 3 in the jail (--chroot /): abstract unix socket, ptrace of a host pid, raw sockets, modules. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void pythonCannotReachTheHost(RunAs as) {
        as.assume();
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing");
        String py = """
                import ctypes, os, socket, sys
                hp, port, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                def sc(nr, *a):
                    r = libc.syscall(ctypes.c_long(nr), *a)
                    if r == -1:
                        e = ctypes.get_errno()
                        raise OSError(e, os.strerror(e))
                    return r
                def chk(n, f):
                    try:
                        print('CHECK %s rc=0 succeeded: %r' % (n, f()), flush=True)
                    except OSError as e:
                        print('CHECK %s rc=%s %s' % (n, e.errno, e.strerror), flush=True)
                def unix():
                    s = socket.socket(socket.AF_UNIX)
                    s.connect('\\0' + name)
                    return 'connected'
                if name != '-':
                    chk('abstract-unix', unix)
                chk('tcp-host-listener', lambda: socket.create_connection(('127.0.0.1', port), 2) and 'connected')
                chk('raw-socket', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) and 'opened')
                chk('icmp-dgram-socket', lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP) and 'opened')
                chk('packet-socket', lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0) and 'opened')
                chk('ptrace-attach-host', lambda: sc(101, ctypes.c_long(16), ctypes.c_long(hp), None, None))
                chk('kill-host', lambda: os.kill(hp, 0) or 'signalled')
                chk('init_module', lambda: sc(175, None, ctypes.c_ulong(0), ctypes.c_char_p(b'')))
                chk('finit_module', lambda: sc(313, ctypes.c_int(0), ctypes.c_char_p(b''), ctypes.c_int(0)))
                chk('syslog-read-all', lambda: sc(103, ctypes.c_int(3), ctypes.create_string_buffer(4096), ctypes.c_int(4096)))
                ts = (ctypes.c_long * 2)()
                libc.clock_gettime(0, ts)
                chk('clock_settime', lambda: sc(227, ctypes.c_int(0), ts))
                chk('chroot', lambda: os.chroot('/') or 'chrooted')
                chk('setuid-0', lambda: os.setuid(0) if os.getuid() != 0 else (_ for _ in ()).throw(OSError(1, 'already 0: skipped')))
                print('DONE', flush=True)
                """;
        String abs = abstractName != null && abstractProblem == null ? abstractName : "-";
        if (abs.equals("-")) System.out.println("HostileTest: abstract unix socket case skipped: " + abstractProblem);
        Result r = run(as, List.of("-Mo", "-q", "--chroot", "/", "--", PYTHON, "-c", py,
                Long.toString(ProcessHandle.current().pid()), Integer.toString(tcp.getLocalPort()), abs));
        List<String> out = r.stdoutLines();
        assertTrue(out.contains("DONE"), r::describe);
        Map<String, String> checks = checks(out);
        List<String> succeeded = new ArrayList<>();
        checks.forEach((n, l) -> {
            if (l.contains("rc=0 ")) succeeded.add(n + ": " + l);
        });
        assertEquals(List.of(), succeeded, () -> "hostile attempts that succeeded\n" + r.describe());
        assertTrue(checks.get("ptrace-attach-host").contains("rc=3 "), r::describe); // ESRCH
        // EPERM; ENOSYS on kernels built without module support
        assertTrue(checks.get("init_module").matches("rc=(1|38) .*"), r::describe);
        assertTrue(tcpUntouched(), "the jail reached the host's TCP listener");
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, String> checks(List<String> out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : out) {
            Matcher c = CHECK.matcher(l);
            if (c.matches()) m.put(c.group(1), "rc=" + c.group(2) + " " + c.group(3));
        }
        return m;
    }

    /** "rc=N text": failed when N is not 0, or the text says so (busybox date -s exits 0 when it cannot set). */
    static boolean attemptFailed(String line) {
        return !line.startsWith("rc=0 ") || FAILED_TEXT.matcher(line).find();
    }

    /** True when nobody connected to the host listener since the last call. */
    private static boolean tcpUntouched() {
        try (Socket s = tcp.accept()) {
            return s == null;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> hostLeftovers() {
        List<Path> found = new ArrayList<>();
        List<String> dirs = new ArrayList<>(WRITE_DIRS);
        try (Stream<Path> cg = Files.list(Path.of("/sys/fs/cgroup"))) {
            cg.forEach(p -> dirs.add(p.toString()));
        } catch (IOException e) {
            // no cgroup fs
        }
        for (String d : dirs) {
            for (String n : List.of(NAME, NAME + ".d", NAME + ".null")) {
                Path p = Path.of(d, n);
                if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) found.add(p);
            }
        }
        return found;
    }

    /**
     * A static x86_64 program, no libc: each attempt that succeeds sets one bit of the exit status.
     * init_module(NULL, 0, "") must fail; raw and packet sockets, reading the kernel log,
     * setting the clock (to the time it reads first: harmless), mounting a tmpfs and a mount namespace
     * without a user namespace must fail.
     */
    private static final String PROBE_SRC = """
            .section .data
            ts: .quad 0, 0
            tv: .quad 0, 0
            buf: .space 4096
            empty: .asciz ""
            tmpfs: .asciz "tmpfs"
            tmpdir: .asciz "/tmp"
            .section .text
            .globl _start
            _start:
              xorq %r12, %r12
              # init_module(NULL, 0, ""): bit 0 (EPERM; ENOSYS without module support)
              movq $175, %rax
              xorq %rdi, %rdi
              xorq %rsi, %rsi
              leaq empty(%rip), %rdx
              syscall
              testq %rax, %rax
              js 1f
              orq $1, %r12
            1:
              # socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): bit 1
              movq $41, %rax
              movq $2, %rdi
              movq $3, %rsi
              movq $1, %rdx
              syscall
              testq %rax, %rax
              js 2f
              orq $2, %r12
            2:
              # socket(AF_PACKET, SOCK_RAW, 0): bit 2
              movq $41, %rax
              movq $17, %rdi
              movq $3, %rsi
              xorq %rdx, %rdx
              syscall
              testq %rax, %rax
              js 3f
              orq $4, %r12
            3:
              # syslog(SYSLOG_ACTION_READ_ALL, buf, 4096): bit 3
              movq $103, %rax
              movq $3, %rdi
              leaq buf(%rip), %rsi
              movq $4096, %rdx
              syscall
              testq %rax, %rax
              js 4f
              orq $8, %r12
            4:
              # clock_gettime(CLOCK_REALTIME, &ts); clock_settime(CLOCK_REALTIME, &ts): bit 4
              movq $228, %rax
              xorq %rdi, %rdi
              leaq ts(%rip), %rsi
              syscall
              movq $227, %rax
              xorq %rdi, %rdi
              leaq ts(%rip), %rsi
              syscall
              testq %rax, %rax
              js 5f
              orq $16, %r12
            5:
              # gettimeofday(&tv, NULL); settimeofday(&tv, NULL): bit 5
              movq $96, %rax
              leaq tv(%rip), %rdi
              xorq %rsi, %rsi
              syscall
              movq $164, %rax
              leaq tv(%rip), %rdi
              xorq %rsi, %rsi
              syscall
              testq %rax, %rax
              js 6f
              orq $32, %r12
            6:
              # mount("tmpfs", "/tmp", "tmpfs", 0, NULL): bit 6
              movq $165, %rax
              leaq tmpfs(%rip), %rdi
              leaq tmpdir(%rip), %rsi
              leaq tmpfs(%rip), %rdx
              xorq %r10, %r10
              xorq %r8, %r8
              syscall
              testq %rax, %rax
              js 7f
              orq $64, %r12
            7:
              # unshare(CLONE_NEWNS): bit 7
              movq $272, %rax
              movq $0x20000, %rdi
              syscall
              testq %rax, %rax
              js 8f
              orq $128, %r12
            8:
              movq $60, %rax
              movq %r12, %rdi
              syscall
            """;
}
