package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.jnsjail.it.CliErrorsTest.assertNoStackTrace;
import static org.jnsjail.it.CliErrorsTest.oneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18: what users moving from nsjail hit first. Each case states what the reference nsjail build
 * (d6454b4, run on this machine as root) did with the same input; the tests themselves need only jnsjail.
 */
class DropInTest {
    /** A world-readable directory with three static programs A, B, C that print their name and argv. */
    private static Path dir;

    @BeforeAll
    static void programs() throws Exception {
        dir = Files.createTempDirectory("jnsjail-dropin");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = dir.resolve("show.c");
        Files.writeString(src, """
                #include <stdio.h>
                int main(int c, char **v) {
                    printf("exe=%s argv=[", NAME);
                    for (int i = 0; i < c; i++) printf("%s'%s'", i ? "," : "", v[i]);
                    printf("]\\n");
                    return 0;
                }
                """);
        for (String n : List.of("A", "B", "C")) {
            List<String> cmd = List.of("gcc", "-static", "-O2", "-DNAME=\"" + n + "\"", "-o", dir.resolve(n).toString(),
                    src.toString());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                Assumptions.abort("gcc is missing (needed to build the argv-printing test program)");
                return;
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                Assumptions.abort("gcc -static could not build the test program: " + out);
            }
            Files.setPosixFilePermissions(dir.resolve(n), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.copy(dir.resolve("A"), root.resolve("A"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("A"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String p(String name) {
        return dir.resolve(name).toString();
    }

    /** A config with the whole host root bound at / and the given extra lines; world-readable. */
    private static String config(String name, String body) throws IOException {
        Path f = dir.resolve(name + ".cfg");
        Files.writeString(f, "mount { src: \"/\" dst: \"/\" is_bind: true }\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f.toString();
    }

    // ---- item 1: a --pass_fd that is not open ----

    /** The shell (PID 1) lists its own fds through a child; "; true" keeps dash from exec'ing ls. */
    private static final String LIST_FDS = "/bin/ls /proc/$$/fd; true";

    /**
     * nsjail d6454b4, as root and as 65534, `-Mo --chroot / --pass_fd 100 -- /bin/sh -c LIST_FDS` with fd 100
     * not open: exit 0, the jail has 0 1 2, nothing at 100; with -v only "fd=0/1/2 will be passed to the child
     * process". Numbers the caller has not open are never jnsjail's own fds either (nsjail hands its own over:
     * observed, `--pass_fd 3 ... --pass_fd 30` gave the jail nsjail's copy of stderr at 3 and a socket at 4;
     * a deliberate difference, docs/compatibility.md).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void passFdNotOpenIsNothingToKeep(RunAs as) {
        as.assume();
        List<String> args = new ArrayList<>(List.of("-Mo", "-q", "--chroot", "/", "--pass_fd", "100"));
        // Every number the JVM may hold for itself (its modules image, jars, sockets, pidfds).
        for (int fd = 3; fd <= 64; fd++) args.addAll(List.of("--pass_fd", Integer.toString(fd)));
        args.addAll(List.of("--", "/bin/sh", "-c", LIST_FDS));
        Result r = NsjailCli.as(as).args(args).run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("0", "1", "2"), r.stdoutLines(), r::describe);
        assertFalse(r.stderr().contains("fd"), r::describe);
        // An open one among them is kept, as before.
        Result five = NsjailCli.as(as).withFd5().args(args).run();
        assertEquals(0, five.exitCode(), five::describe);
        assertEquals(List.of("0", "1", "2", "5"), five.stdoutLines(), five::describe);
        // -v lists only what is passed.
        Result v = NsjailCli.as(as).args("-v", "-Mo", "--chroot", "/", "--pass_fd", "100", "--", "/bin/true").run();
        assertEquals(0, v.exitCode(), v::describe);
        assertTrue(v.stderr().contains("fd=2 will be passed to the child process"), v::describe);
        assertFalse(v.stderr().contains("fd=100"), v::describe);
    }

    /**
     * The same from a config: nsjail's configs/bash-with-fake-geteuid.cfg lines `pass_fd: 100` and `pass_fd: 3`.
     * nsjail d6454b4 (root and 65534): exit 0, the jail has 0 1 2 3, the 3 being nsjail's own copy of its
     * stderr; jnsjail: 0 1 2 (the caller has no fd 3).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void configPassFdNotOpenIsNothingToKeep(RunAs as) throws IOException {
        as.assume();
        String cfg = config("passfd-" + as, "pass_fd: 100\npass_fd: 3\nmount_proc: true");
        Result r = NsjailCli.as(as).args("-q", "-C", cfg, "--", "/bin/sh", "-c", LIST_FDS).run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("0", "1", "2"), r.stdoutLines(), r::describe);
    }

    /**
     * A stdin the caller closed (`<&-`) is not the JVM's: the JVM opens its modules image at the lowest free fd,
     * 0, and the jail must not get it. nsjail d6454b4 as 65534: -Mo gave the jail nsjail's own copy of its stderr
     * at 0; -Me left 0 closed. jnsjail: /dev/null at 0 with a supervisor (-Mo), closed with -Me.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void closedStdinIsNeverAJvmFile(RunAs as) {
        as.assume();
        List<String> closeStdin = List.of("/bin/sh", "-c", "exec <&-; exec \"$@\"", "sh");
        String show = "readlink /proc/$$/fd/0 || echo closed; true";
        Result once = NsjailCli.as(as).cold().wrappedBy(closeStdin).args("-Mo", "-Q", "--chroot", "/", "--", "/bin/sh", "-c",
                show).run();
        assertEquals(0, once.exitCode(), once::describe);
        assertEquals("/dev/null\n", once.stdout(), once::describe);
        Result exec = NsjailCli.as(as).cold().wrappedBy(closeStdin).args("-Me", "-Q", "--chroot", "/", "--", "/bin/sh", "-c",
                show).run();
        assertEquals(0, exec.exitCode(), exec::describe);
        assertEquals("closed\n", exec.stdout(), exec::describe);
    }

    /**
     * -L naming an fd the caller does not have: nsjail d6454b4 (`-L 100`) writes its log nowhere (observed:
     * no line at all); jnsjail logs to stderr, and never into a file of its own that has that number.
     */
    @Test
    void logFdNotOpenLogsToStderr() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        for (String fd : List.of("100", "3", "4")) {
            Result r = NsjailCli.as(as).args("-L", fd, "-Mo", "--chroot", "/", "--", "/bin/true").run();
            assertEquals(0, r.exitCode(), r::describe);
            assertTrue(r.stderr().contains("Mode: STANDALONE_ONCE"), r::describe);
        }
    }

    // ---- item 5: which of exec_bin.path, arg0, -x and argv wins ----

    /**
     * Every combination of nine exec_bin shapes with five command-line shapes (none, {@code -- cmd}, {@code -x},
     * {@code -x -- cmd}, {@code --execute_fd -- cmd}), each run with the reference nsjail d6454b4 as uid 65534
     * on this machine. One row: config body ({@code @} stands for the program directory), extra command-line words,
     * and the expected output line or error text. The comment after each row is nsjail's observed result
     * where it differs from the expected one.
     */
    record Row(String name, String cfg, List<String> cl, String expect) {
        @Override
        public String toString() {
            return name + " " + String.join(" ", cl);
        }
    }

    static List<Row> execRows() {
        String pa = "exec_bin { path: \"@/A\" }";
        String pArg = "exec_bin { path: \"@/A\" arg: \"a1\" }";
        String pArg0 = "exec_bin { path: \"@/A\" arg0: \"zero\" arg: \"a1\" }";
        String emptyArg0 = "exec_bin { path: \"\" arg0: \"@/A\" arg: \"a1\" }";
        String pFd = "exec_bin { path: \"@/A\" exec_fd: true }";
        String emptyFd = "exec_bin { path: \"\" arg0: \"@/A\" exec_fd: true }";
        String missFd = "exec_bin { path: \"@/missing\" exec_fd: true }";
        String miss = "exec_bin { path: \"@/missing\" }";
        List<String> none = List.of();
        List<String> cmd = List.of("--", "@/B", "b1");
        List<String> x = List.of("-x", "@/C");
        List<String> xCmd = List.of("-x", "@/C", "--", "@/B", "b1");
        List<String> fdCmd = List.of("--execute_fd", "--", "@/B", "b1");
        return List.of(
                // nsjail: the whole usage, then "No command-line provided", 255
                new Row("no exec_bin", "", none, "No command-line provided"),
                new Row("no exec_bin", "", cmd, "exe=B argv=['@/B','b1']"),
                // nsjail: exe=C argv=[''] (an empty argv; the kernel supplies argv[0] "")
                new Row("no exec_bin", "", x, "exe=C argv=['']"),
                new Row("no exec_bin", "", xCmd, "exe=C argv=['@/B','b1']"),
                new Row("no exec_bin", "", fdCmd, "exe=B argv=['@/B','b1']"),
                new Row("path", pa, none, "exe=A argv=['@/A']"),
                new Row("path", pa, cmd, "exe=A argv=['@/B','b1']"),
                new Row("path", pa, x, "exe=C argv=['@/A']"),
                new Row("path", pa, xCmd, "exe=C argv=['@/B','b1']"),
                new Row("path", pa, fdCmd, "exe=A argv=['@/B','b1']"),
                new Row("path+arg", pArg, none, "exe=A argv=['@/A','a1']"),
                new Row("path+arg", pArg, cmd, "exe=A argv=['@/B','b1']"),
                new Row("path+arg", pArg, x, "exe=C argv=['@/A','a1']"),
                new Row("path+arg", pArg, xCmd, "exe=C argv=['@/B','b1']"),
                new Row("path+arg", pArg, fdCmd, "exe=A argv=['@/B','b1']"),
                new Row("path+arg0", pArg0, none, "exe=A argv=['zero','a1']"),
                new Row("path+arg0", pArg0, cmd, "exe=A argv=['@/B','b1']"),
                new Row("path+arg0", pArg0, x, "exe=C argv=['zero','a1']"),
                new Row("path+arg0", pArg0, xCmd, "exe=C argv=['@/B','b1']"),
                new Row("path+arg0", pArg0, fdCmd, "exe=A argv=['@/B','b1']"),
                // nsjail: "execve('') failed: No such file or directory", 255 (a deliberate difference:
                // an empty path is no path, so nsjail's own configs/imagemagick-convert.cfg works)
                new Row("empty path+arg0", emptyArg0, none, "exe=A argv=['@/A','a1']"),
                // nsjail: "execve('') failed: No such file or directory", 255 (the same difference)
                new Row("empty path+arg0", emptyArg0, cmd, "exe=B argv=['@/B','b1']"),
                new Row("empty path+arg0", emptyArg0, x, "exe=C argv=['@/A','a1']"),
                new Row("empty path+arg0", emptyArg0, xCmd, "exe=C argv=['@/B','b1']"),
                // nsjail: "Couldn't open '' file: No such file or directory", 255 (the same difference)
                new Row("empty path+arg0", emptyArg0, fdCmd, "exe=B argv=['@/B','b1']"),
                new Row("path exec_fd", pFd, none, "exe=A argv=['@/A']"),
                new Row("path exec_fd", pFd, cmd, "exe=A argv=['@/B','b1']"),
                new Row("path exec_fd", pFd, x, "exe=C argv=['@/A']"),
                new Row("path exec_fd", pFd, xCmd, "exe=C argv=['@/B','b1']"),
                // nsjail: "Couldn't open '' file: No such file or directory", 255 (the same difference)
                new Row("empty path exec_fd", emptyFd, none, "exe=A argv=['@/A']"),
                // nsjail: "Couldn't open '' file: No such file or directory", 255 (the same difference)
                new Row("empty path exec_fd", emptyFd, cmd, "exe=B argv=['@/B','b1']"),
                new Row("empty path exec_fd", emptyFd, x, "exe=C argv=['@/A']"),
                new Row("empty path exec_fd", emptyFd, xCmd, "exe=C argv=['@/B','b1']"),
                // nsjail: "Couldn't open '' file: No such file or directory", 255 (the same difference)
                new Row("empty path exec_fd", emptyFd, fdCmd, "exe=B argv=['@/B','b1']"),
                // nsjail: "Couldn't open '@/missing' file: No such file or directory", 255 (jnsjail names the option)
                new Row("missing path exec_fd", missFd, none,
                        "Couldn't open '@/missing' file for exec_bin.exec_fd: No such file or directory"),
                // nsjail opens exec_bin.path even when `-- cmd` is given: "Couldn't open '@/missing' file"
                new Row("missing path exec_fd", missFd, cmd,
                        "Couldn't open '@/missing' file for exec_bin.exec_fd: No such file or directory"),
                new Row("missing path exec_fd", missFd, x, "exe=C argv=['@/missing']"),
                new Row("missing path exec_fd", missFd, xCmd, "exe=C argv=['@/B','b1']"),
                // nsjail: "Couldn't open '@/missing' file: No such file or directory", 255 (jnsjail names the option
                // set last)
                new Row("missing path exec_fd", missFd, fdCmd,
                        "Couldn't open '@/missing' file for --execute_fd: No such file or directory"),
                // nsjail: "Couldn't open '@/missing' file: No such file or directory", 255 (jnsjail names the option)
                new Row("missing path", miss, fdCmd,
                        "Couldn't open '@/missing' file for --execute_fd: No such file or directory"),
                // nsjail: "execve('@/missing') failed: No such file or directory", 255 (jnsjail adds a hint after it)
                new Row("missing path", miss, none, "execve('@/missing') failed: No such file or directory"),
                new Row("missing path", miss, cmd, "execve('@/missing') failed: No such file or directory"),
                new Row("missing path", miss, x, "exe=C argv=['@/missing']"),
                new Row("missing path", miss, xCmd, "exe=C argv=['@/B','b1']"));
    }

    @ParameterizedTest
    @MethodSource("execRows")
    void execBinPathArg0AndArgvAsNsjail(Row row) throws IOException {
        RunAs as = RunAs.NOBODY;
        as.assume();
        String cfg = config("exec-" + row.name().replace(' ', '-').replace('+', '-'), row.cfg().replace("@", dir.toString()));
        List<String> args = new ArrayList<>(List.of("-q", "-C", cfg));
        for (String a : row.cl()) args.add(a.replace("@", dir.toString()));
        Result r = NsjailCli.as(as).args(args).run();
        String want = row.expect().replace("@", dir.toString());
        if (want.startsWith("exe=")) {
            assertEquals(0, r.exitCode(), r::describe);
            assertEquals(want + "\n", r.stdout(), r::describe);
        } else {
            assertEquals(255, r.exitCode(), r::describe);
            assertTrue(oneLine(r).contains(want), r::describe);
            assertEquals("", r.stdout(), r::describe);
        }
    }

    /** The same rules as root, for the execveat cases (the fd is opened by the supervisor). */
    @Test
    void execFdAsRoot() throws IOException {
        RunAs.ROOT.assume();
        String cfg = config("exec-fd-root", "exec_bin { path: \"" + p("A") + "\" exec_fd: true }");
        Result r = NsjailCli.as(RunAs.ROOT).args("-q", "-C", cfg, "--", p("B"), "b1").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("exe=A argv=['" + p("B") + "','b1']\n", r.stdout(), r::describe);
    }

    // ---- item 6: clone_newns: false ignores config mounts ----

    /**
     * nsjail with `clone_newns: false` and a config `mount { src: DIR dst: "/" is_bind: true }`, plus a tmpfs:
     * both are ignored without a word, the jail sees the host's / (observed: `ls /` listed the host root).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noMountNamespaceIgnoresConfigMountsWithAWarning(RunAs as) throws IOException {
        as.assume();
        Path f = dir.resolve("nons.cfg");
        Files.writeString(f, "clone_newns: false\nmount { src: \"" + dir.resolve("root") + "\" dst: \"/\" is_bind: true }\n"
                + "mount { dst: \"/tmp\" fstype: \"tmpfs\" }\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Result r = NsjailCli.as(as).args("-q", "-C", f.toString(), "--", p("B")).run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("exe=B argv=['" + p("B") + "']\n", r.stdout(), r::describe);
        String warn = oneLine(r);
        assertTrue(warn.contains("No mount namespace (clone_newns: false): ignoring the mounts '/', '/tmp'"),
                r::describe);
    }

    /**
     * --disable_clone_newns keeps --chroot (chroot(2)), as nsjail; the other mounts are ignored, with a warning.
     * nsjail d6454b4 `--disable_clone_newns --chroot DIR/root -T /tmp -- /A`: "exe=A argv=['/A']", exit 0, no
     * warning.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noMountNamespaceKeepsChroot(RunAs as) {
        as.assume();
        Result r = NsjailCli.as(as).args("-q", "--disable_clone_newns", "--chroot", dir.resolve("root").toString(),
                "-T", "/tmp", "--", "/A").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("exe=A argv=['/A']\n", r.stdout(), r::describe);
        assertTrue(oneLine(r).contains("(--disable_clone_newns): ignoring the mount '/tmp', as nsjail does; only"
                + " --chroot applies"), r::describe);
    }

    // ---- item 8: -v ----

    /**
     * nsjail -v -Mo --chroot / -- /bin/true (observed with the reference build, as root and as 65534)
     * logs, after the summary: the clone flags, the pid, the map writes ("Writing '0 0 1\n' to
     * '/proc/N/gid_map'", setgroups 'deny' first when unprivileged), then from the jail: setresgid,
     * setgroups, setresuid, each mount ("Mounting (legacy): '/' -> '/' ...") and its final flags, "Setting
     * hostname to 'NSJAIL'", the inheritable / bounding-set / ambient capability lines, "No max_cpus limit
     * set", setpriority(19), "fd=0 will be passed to the child process" for each fd, "Exec: '/bin/true',
     * Args: ['/bin/true']". With --seccomp_string it logs "Compiling seccomp policy from string:" and the
     * policy before the clone flags. jnsjail shows the same facts in that order, plus the rlimits and the
     * seccomp program length, and nothing about the JVM.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void verboseShowsWhatNsjailShowsInItsOrder(RunAs as) {
        as.assume();
        Result r = NsjailCli.as(as).withFd5().args("-v", "-Mo", "--chroot", "/", "--pass_fd", "5", "--rlimit_nofile", "64",
                "--cap", "CAP_NET_RAW", "-u", "0", "-g", "0", "-T", "/tmp", "--seccomp_string",
                "ALLOW { write, exit_group } DEFAULT ALLOW", "--", "/bin/true").run();
        assertEquals(0, r.exitCode(), r::describe);
        List<String> debug = r.stderrLines().stream().filter(l -> l.startsWith("[D]"))
                .map(l -> l.replaceFirst("^\\[D]\\[[^]]*]\\[\\d+] ", "")).toList();
        List<String> expected = new ArrayList<>(List.of(
                "Compiling seccomp policy from string: 'ALLOW { write, exit_group } DEFAULT ALLOW'",
                "Created pid=", "Writing '0 " + as.gid() + " 1\\n' to '/proc/", "Writing '0 " + as.uid() + " 1\\n' to '/proc/",
                "setresgid(0)", "setgroups(0, [])", "setresuid(0)",
                "Mounting: '/' -> '/' type:'' options:'' dir:true flags:MS_BIND|MS_REC|MS_RDONLY (recursive)",
                "Mounting: '/tmp' type:'tmpfs' options:'size=4194304' dir:true flags:0",
                "Mounting: '/proc' type:'proc' options:'' dir:true flags:MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC",
                "Setting hostname to 'NSJAIL'",
                "Adding the following capabilities to the inheritable set: CAP_NET_RAW",
                "Dropped the following capabilities from the bounding set: CAP_CHOWN ",
                "Added the following capabilities to the ambient set: CAP_NET_RAW",
                "No max_cpus limit set", "Setting RLIMIT_NOFILE to 64", "setpriority(19)",
                "fd=0 will be passed to the child process", "fd=1 will be passed to the child process",
                "fd=2 will be passed to the child process", "fd=5 will be passed to the child process",
                "Installing the seccomp-bpf program: ", "Exec: '/bin/true', Args: ['/bin/true']"));
        if (as.uid() != 0) expected.add(2, "Writing 'deny' to '/proc/");
        int at = 0;
        for (String want : expected) {
            int found = -1;
            for (int i = at; i < debug.size(); i++) {
                if (debug.get(i).startsWith(want)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, () -> "missing, or out of nsjail's order: '" + want + "'\n" + String.join("\n", debug));
            at = found + 1;
        }
        assertFalse(debug.getLast().isEmpty());
        assertFalse(String.join("\n", debug).contains("Dropped the following capabilities from the bounding set: CAP_CHOWN"
                + " CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP"
                + " CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW"), "CAP_NET_RAW kept");
        for (String l : debug) {
            assertFalse(l.contains("SIGQUIT") || l.contains("JVM") || l.contains("Exception"), () -> "meaningless: " + l);
        }
    }

    /**
     * Each mount with its flags, in nsjail's order. nsjail d6454b4 -v for `-Mo --chroot / --rw -R DIR:/mnt -B
     * DIR/root:/opt -T /home -m none:/srv:tmpfs:size=1000 -s /bin:/home/sl --proc_rw -- /bin/true` (root):
     * the summary "Symlink: '/bin' -> '/home/sl' type:'' options:'' symlink:true" among the Mount lines,
     * then "Mounting (legacy): '/' -> '/' type:'' options:'' dir:true", "'DIR' -> '/mnt'", "'DIR/root' ->
     * '/opt'", "'/home' type:'tmpfs' options:'size=4194304' dir:true", "'none' -> '/srv' type:'tmpfs'
     * options:'size=1000'", "'/bin' -> '/home/sl' ... symlink:true", "Creating symlink: /bin -> ...", "'/proc'
     * type:'proc'", then "Remounting '/mnt' with flags: MS_RDONLY|MS_REMOUNT|MS_BIND|MS_RELATIME" and the
     * others without MS_RDONLY. jnsjail: one line per mount with its final flags, in the same order.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void verboseListsEachMountWithItsFlags(RunAs as) {
        as.assume();
        String d = dir.toString();
        Result r = NsjailCli.as(as).args("-v", "-Mo", "--chroot", "/", "--rw", "-R", d + ":/mnt", "-B", d + "/root:/opt",
                "-T", "/home", "-m", "none:/srv:tmpfs:size=1000", "-s", "/bin:/home/sl", "--proc_rw", "--", "/bin/true")
                .run();
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("] Symlink: '/bin' -> '/home/sl' type:'' options:'' symlink:true\n"), r::describe);
        List<String> debug = r.stderrLines().stream().filter(l -> l.startsWith("[D]"))
                .map(l -> l.replaceFirst("^\\[D]\\[[^]]*]\\[\\d+] ", "")).filter(l -> l.startsWith("Mounting") || l.startsWith(
                        "Creating symlink")).toList();
        assertEquals(List.of(
                "Mounting: '/' -> '/' type:'' options:'' dir:true flags:MS_BIND|MS_REC",
                "Mounting: '" + d + "' -> '/mnt' type:'' options:'' flags:MS_BIND|MS_REC|MS_RDONLY (recursive)",
                "Mounting: '" + d + "/root' -> '/opt' type:'' options:'' flags:MS_BIND|MS_REC",
                "Mounting: '/home' type:'tmpfs' options:'size=4194304' dir:true flags:0",
                "Mounting: 'none' -> '/srv' type:'tmpfs' options:'size=1000' flags:0",
                "Creating symlink: '/bin' -> '/home/sl'",
                "Mounting: '/proc' type:'proc' options:'' dir:true flags:MS_NOSUID|MS_NODEV|MS_NOEXEC"), debug, r::describe);
    }

    // ---- item 11: the remaining differences, documented ----

    /** nsjail -Mo --chroot / --disable_proc -- ls /proc listed 1107 entries (the host's processes); jnsjail: none. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void chrootSlashWithoutProcShowsAnEmptyProc(RunAs as) {
        as.assume();
        Result r = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--disable_proc", "--", "/bin/ls", "-A", "/proc").run();
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
    }

    /**
     * The recipe docs/compatibility.md gives for JDK 25 programs, the same in both tools. Observed with the
     * reference build on this 24 GiB machine: `java -version` with the default 4096 MiB RLIMIT_AS aborts in
     * System.initPhase1 (how far it gets depends on the machine's memory, so only the recipe is tested),
     * and prints its version with `--rlimit_as max`.
     */
    @Test
    void jdk25ProgramsRunWithRlimitAsMax() {
        RunAs as = RunAs.NOBODY;
        as.assume();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result max = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--rlimit_as", "max", "--", java, "-version").run();
        assertEquals(0, max.exitCode(), max::describe);
        assertTrue(max.stderr().contains("VM"), max::describe);
    }

    @Test
    void compatibilityPageListsTheDeliberateDifferences() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir"), "docs", "compatibility.md");
        if (!Files.isRegularFile(doc)) Assumptions.abort("docs/compatibility.md not found from " + doc.getParent());
        String text = Files.readString(doc);
        for (String topic : List.of("--chroot / --disable_proc", "--rlimit_as max", "exec_bin { path: \"\"", "clone_newns: false",
                "removed at its exit when empty", "Number of requested CPUs is bigger", "first problem", "-v",
                "cut, with its length", "lib/", "SIGQUIT", "setgroups deny", "Read-only is recursive", "`--pass_fd N`", "`-L`/`log_fd`",
                "the steps listed after it did not run")) {
            assertTrue(text.contains(topic), () -> "docs/compatibility.md does not mention: " + topic);
        }
    }

    // ---- item 9: messages ----

    /**
     * The option as typed: nsjail's older alias --iface_vs_ip, not the current --macvlan_vs_ip. nsjail d6454b4
     * knows neither --iface nor --iface_vs_ip any more (the whole usage, "Couldn't parse cmdline options", 255);
     * `-I lo --macvlan_vs_ip 1.2.3` fails only at the jail's start ("rtnl_link_add(name:'vs' link:'lo'): Invalid
     * input data or parameter", 255); `--time_lim soon` runs with no time limit (strtoul gives 0). jnsjail's one
     * line before anything starts is a deliberate difference (docs/compatibility.md).
     */
    @Test
    void optionIsNamedAsTyped() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Result r = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--iface", "lo", "--iface_vs_ip", "1.2.3", "--",
                "/bin/true").run();
        assertEquals(255, r.exitCode(), r::describe);
        String line = oneLine(r);
        assertTrue(line.contains("--iface_vs_ip: '1.2.3' is not a valid IPv4 address"), r::describe);
        assertFalse(line.contains("macvlan"), r::describe);
        // A prefix getopt_long accepted is named as written too.
        Result t = NsjailCli.as(as).args("-Mo", "--time_lim", "soon", "--", "/bin/true").run();
        assertTrue(oneLine(t).contains("--time_lim: 'soon' is not a number"), t::describe);
        // nsjail: "macvlan mode can only be one of the values: 'private'/'vepa'/'bridge'/'passthru' ('foo' provided)."
        Result m = NsjailCli.as(as).args("-Mo", "--chroot", "/", "-I", "lo", "--macvlan_vs_mo", "foo", "--", "/bin/true").run();
        assertEquals(255, m.exitCode(), m::describe);
        assertTrue(oneLine(m).contains("--macvlan_vs_mo: Unsupported MACVLAN mode: 'foo'"), m::describe);
    }

    /**
     * A value longer than 256 characters is cut, with its length. nsjail d6454b4 `-t 999...9x` (301 characters)
     * runs (strtoul); its messages print paths whole, e.g. "execve('/xxx...') failed: File name too long".
     */
    @Test
    void longValuesAreCut() {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        String v = "9".repeat(300) + "x";
        Result r = NsjailCli.as(as).args("-Mo", "-t", v, "--", "/bin/true").run();
        String line = oneLine(r);
        assertTrue(line.contains("-t: '" + "9".repeat(256) + "...' (301 characters) is not a number"), r::describe);
        assertFalse(line.contains("9".repeat(257)), r::describe);
        // Paths in the jail's own errors, and in the summary, are cut too (nsjail prints them whole).
        String path = "/" + "x".repeat(300);
        String cut = "'/" + "x".repeat(255) + "...' (301 characters)";
        Result exec = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "--", path).run();
        assertEquals(255, exec.exitCode(), exec::describe);
        assertTrue(oneLine(exec).contains("execve(" + cut + ") failed: File name too long"), exec::describe);
        Result mount = NsjailCli.as(as).args("-Mo", "--chroot", "/", "-R", path, "--", "/bin/true").run();
        assertEquals(255, mount.exitCode(), mount::describe);
        assertTrue(mount.stderr().contains("Mount: " + cut + " -> " + cut + " type:'' options:''"), mount::describe);
        assertTrue(mount.stderr().contains("process:'/bin/true'"), mount::describe);
        assertFalse(mount.stderr().contains("x".repeat(256)), mount::describe);
    }

    /**
     * No Java class names: a directory given as the policy file is strerror's "Is a directory". nsjail d6454b4
     * `-P /`: "input in flex scanner failed", 255; `-l /nonexistent-dir/x.log`: "Couldn't open('/nonexistent-dir/
     * x.log'): No such file or directory", and it runs, logging to stderr.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noJavaExceptionNames(RunAs as) {
        as.assume();
        Result r = NsjailCli.as(as).args("-Mo", "--chroot", "/", "-P", "/", "--", "/bin/true").run();
        assertEquals(255, r.exitCode(), r::describe);
        assertEquals("Couldn't read the seccomp policy '/': Is a directory", oneLine(r).replaceFirst("^\\[F]\\[[^]]*]\\[\\d+] ",
                ""), r::describe);
        assertNoStackTrace(r);
        Result l = NsjailCli.as(as).args("-Mo", "-q", "--chroot", "/", "-l", "/nonexistent-dir/x.log", "--", "/bin/true")
                .run();
        assertTrue(l.stderr().contains("Couldn't open logfile '/nonexistent-dir/x.log': No such file or directory"),
                l::describe);
        assertFalse(l.stderr().contains("Exception"), l::describe);
    }

    /**
     * A jar copied without its lib/ directory runs until -C needs protobuf, then says in one line which
     * libraries are missing where (not "NoClassDefFoundError"). The jar is built here from the compiled
     * classes with the real manifest's Class-Path shape, since the test phase runs before `package`.
     */
    @Test
    void jarWithoutLibSaysWhatIsMissing() throws Exception {
        RunAs as = ItEnv.isRoot() ? RunAs.ROOT : RunAs.NOBODY;
        as.assume();
        Path classes = null;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Files.isRegularFile(Path.of(e, "org/jnsjail/cli/Main.class"))) classes = Path.of(e);
        }
        if (classes == null) Assumptions.abort("no classes directory on the class path");
        Path jarDir = Files.createDirectories(dir.resolve("copied"));
        Files.setPosixFilePermissions(jarDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = jarDir.resolve("jnsjail.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.jnsjail.cli.Main");
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/protobuf-java-4.36.2.jar lib/gson-2.8.9.jar");
        mf.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf); Stream<Path> s = Files.walk(classes)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        String cfg = config("jar", "exec_bin { path: \"/bin/true\" }");
        List<String> cmd = new ArrayList<>(as.prefix());
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "-q",
                "-C", cfg));
        Process pr = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(pr.getInputStream().readAllBytes());
        String err = new String(pr.getErrorStream().readAllBytes());
        assertTrue(pr.waitFor(30, TimeUnit.SECONDS));
        assertEquals(255, pr.exitValue(), err);
        assertEquals("", out);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.getFirst().contains("jnsjail.jar needs lib/protobuf-java-4.36.2.jar, lib/gson-2.8.9.jar in "
                + jarDir), err);
        assertFalse(err.contains("NoClassDefFoundError"), err);
    }
}
