package org.jnsjail.it;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.jnsjail.it.SeccompJailTest.fatalOneLine;
import static org.jnsjail.it.SeccompJailTest.jail;
import static org.jnsjail.it.SeccompJailTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Process limits in real jails: rlimits (reference §1.8), personality (§1.9), nice, CPU affinity,
 * oom_score_adj, TSC, core scheduling (§1.5) and --execute_fd.
 */
class LimitsTest {
    /** nsjail option suffix → the row of /proc/PID/limits. */
    private static final Map<String, String> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("as", "Max address space");
        ROWS.put("core", "Max core file size");
        ROWS.put("cpu", "Max cpu time");
        ROWS.put("fsize", "Max file size");
        ROWS.put("nofile", "Max open files");
        ROWS.put("nproc", "Max processes");
        ROWS.put("stack", "Max stack size");
        ROWS.put("memlock", "Max locked memory");
        ROWS.put("rtprio", "Max realtime priority");
        ROWS.put("msgqueue", "Max msgqueue size");
    }

    private static final String UNLIMITED = "unlimited";
    private static final long MIB = 1L << 20;

    @TempDir
    static Path dir;

    private static Path rdtsc;
    private static String rdtscProblem;

    /** rdtsc, then exit(0). */
    private static final String RDTSC_SRC = """
            .section .text
            .globl _start
            _start:
              rdtsc
              movq $60, %rax
              xorq %rdi, %rdi
              syscall
            """;

    @BeforeAll
    static void setUp() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            rdtsc = SeccompJailTest.assemble(dir, "rdtsc", RDTSC_SRC, false);
        } catch (IOException e) {
            rdtscProblem = e.getMessage();
        }
    }

    // ---- /proc/PID/limits ----

    /** soft and hard of one row, as /proc prints them ("unlimited" or a number). */
    record Lim(String soft, String hard) {
        static Lim both(String v) {
            return new Lim(v, v);
        }

        static Lim both(long v) {
            return both(Long.toString(v));
        }
    }

    private static Map<String, Lim> parseLimits(String text) {
        Map<String, Lim> out = new LinkedHashMap<>();
        for (String l : text.lines().toList()) {
            if (!l.startsWith("Max ") || l.length() < 27) continue;
            String name = l.substring(0, 26).trim();
            String[] f = l.substring(26).trim().split("\\s+");
            out.put(name, new Lim(f[0], f[1]));
        }
        return out;
    }

    /**
     * The whole of a /proc file. Files.readString is not safe there: on /proc/sys files it returns a
     * truncated value (JDK 25 reads "4" from a cap_last_cap of "40").
     */
    static String readProc(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** This JVM's limits: the CLI (and setpriv before it) inherits them. */
    private static Map<String, Lim> hostLimits() throws IOException {
        return parseLimits(readProc(Path.of("/proc/self/limits")));
    }

    /** The jail's limits under the given options, by nsjail option suffix. */
    private static Map<String, Lim> jailLimits(RunAs as, List<String> extra) {
        Result r = ok(jail(as, extra, "/bin/cat", "/proc/self/limits"));
        Map<String, Lim> all = parseLimits(r.stdout());
        Map<String, Lim> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ROWS.entrySet()) {
            Lim l = all.get(e.getValue());
            if (l == null) fail("no row '" + e.getValue() + "' in\n" + r.describe());
            out.put(e.getKey(), l);
        }
        return out;
    }

    private static long num(String v) {
        return UNLIMITED.equals(v) ? Long.MAX_VALUE : Long.parseLong(v);
    }

    /**
     * nsjail raises its own RLIMIT_NOFILE soft limit to min(8192, hard) when it is lower, before reading
     * "soft" (issue 18: a caller's soft limit of 20000 stays 20000). {@code soft}: the caller's.
     */
    private static String nofileSoft(long soft, Lim host) {
        return Long.toString(Math.max(soft, Math.min(8192, num(host.hard()))));
    }

    private static void assertLimits(Map<String, Lim> expected, Map<String, Lim> actual, String what) {
        for (Map.Entry<String, Lim> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), what + ": rlimit_" + e.getKey() + " in " + actual);
        }
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void defaults(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        Map<String, Lim> exp = new LinkedHashMap<>();
        exp.put("as", Lim.both(4096 * MIB));
        exp.put("core", Lim.both(0));
        exp.put("cpu", Lim.both(600));
        exp.put("fsize", Lim.both(MIB));
        exp.put("nofile", Lim.both(32));
        for (String soft : List.of("nproc", "stack", "memlock", "rtprio", "msgqueue")) {
            exp.put(soft, Lim.both(host.get(ROWS.get(soft)).soft()));
        }
        assertLimits(exp, jailLimits(as, List.of()), "defaults");
        // the same through the shell's ulimit (KiB for -v, 512-byte blocks for -f)
        Result r = ok(jail(as, List.of(), "/bin/sh", "-c", "ulimit -v; ulimit -f; ulimit -n; ulimit -t; ulimit -c"));
        assertEquals("4194304\n2048\n32\n600\n0\n", r.stdout(), r::describe);
    }

    /** Numbers in nsjail's units: MiB for as/core/fsize/stack, KiB for memlock, plain counts otherwise. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void numbersInNsjailUnits(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        long nproc = Math.min(4000, num(host.get(ROWS.get("nproc")).hard()));
        Map<String, Lim> exp = new LinkedHashMap<>();
        exp.put("as", Lim.both(100 * MIB));
        exp.put("core", Lim.both(2 * MIB));
        exp.put("cpu", Lim.both(7));
        exp.put("fsize", Lim.both(3 * MIB));
        exp.put("nofile", Lim.both(100));
        exp.put("nproc", Lim.both(nproc));
        exp.put("stack", Lim.both(4 * MIB));
        exp.put("memlock", Lim.both(64 * 1024));
        exp.put("rtprio", Lim.both(0));
        exp.put("msgqueue", Lim.both(4096));
        List<String> opts = List.of("--rlimit_as", "100", "--rlimit_core", "2", "--rlimit_cpu", "7", "--rlimit_fsize",
                "3", "--rlimit_nofile", "100", "--rlimit_nproc", Long.toString(nproc), "--rlimit_stack", "4",
                "--rlimit_memlock", "64", "--rlimit_rtprio", "0", "--rlimit_msgqueue", "4096");
        assertLimits(exp, jailLimits(as, opts), "numbers");
    }

    /** strtoull(..., 0): hexadecimal and octal. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void hexAndOctalNumbers(RunAs as) {
        Map<String, Lim> act = jailLimits(as, List.of("--rlimit_nofile", "0x40", "--rlimit_cpu", "010", "--rlimit_as",
                "0x100"));
        assertLimits(Map.of("nofile", Lim.both(64), "cpu", Lim.both(8), "as", Lim.both(256 * MIB)), act, "hex/octal");
    }

    /** max/hard: the supervisor's hard limit, as both soft and hard. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void maxAndHardAreTheHardLimit(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        List<String> opts = new ArrayList<>();
        Map<String, Lim> exp = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> e : ROWS.entrySet()) {
            opts.addAll(List.of("--rlimit_" + e.getKey(), i++ % 2 == 0 ? "max" : "hard"));
            exp.put(e.getKey(), Lim.both(host.get(e.getValue()).hard()));
        }
        assertLimits(exp, jailLimits(as, opts), "max/hard");
    }

    /** def/soft: the supervisor's soft limit (RLIMIT_NOFILE: min(8192, hard), as nsjail raised it). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void defAndSoftAreTheSoftLimit(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        List<String> opts = new ArrayList<>();
        Map<String, Lim> exp = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> e : ROWS.entrySet()) {
            opts.addAll(List.of("--rlimit_" + e.getKey(), i++ % 2 == 0 ? "def" : "soft"));
            Lim h = host.get(e.getValue());
            exp.put(e.getKey(), Lim.both(e.getKey().equals("nofile") ? nofileSoft(num(h.soft()), h) : h.soft()));
        }
        assertLimits(exp, jailLimits(as, opts), "def/soft");
    }

    /** inf: RLIM64_INFINITY, which the jail can set wherever the hard limit already is infinite. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void infIsUnlimited(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        List<String> opts = new ArrayList<>();
        Map<String, Lim> exp = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ROWS.entrySet()) {
            if (!UNLIMITED.equals(host.get(e.getValue()).hard())) continue;
            opts.addAll(List.of("--rlimit_" + e.getKey(), "inf"));
            exp.put(e.getKey(), Lim.both(UNLIMITED));
        }
        if (exp.isEmpty()) Assumptions.abort("no rlimit has an infinite hard limit here");
        assertLimits(exp, jailLimits(as, opts), "inf");
    }

    /**
     * Raising a hard limit needs CAP_SYS_RESOURCE in the initial user namespace, which the jail never
     * has: the child's prlimit fails and the jail is not started (255), even when root runs nsjail.
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void raisingAHardLimitFails(RunAs as) throws IOException {
        assertFalse(UNLIMITED.equals(hostLimits().get("Max open files").hard()), "RLIMIT_NOFILE is bounded by nr_open");
        Result r = jail(as, List.of("--rlimit_nofile", "inf"), "/bin/echo", "started");
        assertEquals(255, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertTrue(r.stderr().contains("RLIMIT_NOFILE"), r::describe);
    }

    /** nsjail compares the keywords with strcasecmp: INF, Max, SOFT are accepted too. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void keywordsAreCaseInsensitive(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        Result r = jail(as, List.of("--rlimit_as", "INF", "--rlimit_fsize", "Max", "--rlimit_stack", "SOFT",
                "--rlimit_cpu", "Hard", "--rlimit_core", "Def"), "/bin/cat", "/proc/self/limits");
        assertEquals(0, r.exitCode(), r::describe);
        Map<String, Lim> act = parseLimits(r.stdout());
        assertEquals(Lim.both(UNLIMITED), act.get("Max address space"), r::describe);
        assertEquals(Lim.both(host.get("Max file size").hard()), act.get("Max file size"), r::describe);
        assertEquals(Lim.both(host.get("Max stack size").soft()), act.get("Max stack size"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void badValuesAreRefused(RunAs as) {
        fatalOneLine(jail(as, List.of("--rlimit_as", "foo"), "/bin/true"), "foo");
        fatalOneLine(jail(as, List.of("--rlimit_nofile", "-1"), "/bin/true"), "-1");
    }

    /** --disable_rlimits: nothing is set, the jail inherits the supervisor's limits. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableRlimitsInherits(RunAs as) throws IOException {
        Map<String, Lim> host = hostLimits();
        Map<String, Lim> exp = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ROWS.entrySet()) {
            if (!e.getKey().equals("nofile")) exp.put(e.getKey(), host.get(e.getValue()));
        }
        Map<String, Lim> act = jailLimits(as, List.of("--disable_rlimits", "--rlimit_as", "1", "--rlimit_cpu", "1"));
        assertLimits(exp, act, "--disable_rlimits");
        assertEquals(host.get("Max open files").hard(), act.get("nofile").hard(), act::toString);
    }

    /**
     * --disable_rlimits and RLIMIT_NOFILE: nsjail's jail inherits nsjail's own soft limit, which nsjail
     * raised to min(8192, hard) at start-up. Started with soft 1024, the jail must see min(8192, hard),
     * not the hard limit (the launcher keeps the JVM from raising its soft limit: -XX:-MaxFDLimit).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableRlimitsNofileIsNsjailsRaisedSoftLimit(RunAs as) throws IOException {
        as.assume();
        Lim host = hostLimits().get("Max open files");
        if (num(host.hard()) <= 1024) Assumptions.abort("RLIMIT_NOFILE hard limit is only " + host.hard());
        List<String> inner = NsjailCli.as(as).args("-q", "-Mo", "--chroot", "/", "--disable_rlimits", "--", "/bin/grep",
                "Max open files", "/proc/self/limits").command();
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -Sn 1024 && exec \"$@\"", "sh"));
        cmd.addAll(inner);
        String[] out = runCaptured(cmd);
        assertEquals("0", out[0], () -> String.join("\n", out));
        Map<String, Lim> act = parseLimits(out[1]);
        assertEquals(new Lim(nofileSoft(1024, host), host.hard()), act.get("Max open files"), () -> String.join("\n", out));
    }

    /** {exit code, stdout, stderr} of a command run to completion (killed after 30 s). */
    private static String[] runCaptured(List<String> cmd) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(cmd + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out), Files.readString(err)};
    }

    /** soft == hard, so the kernel's SIGKILL at the limit ends the jail, not SIGXCPU: 137. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void cpuLimitKillsABusyLoop(RunAs as) {
        Result r = jail(as, List.of("--rlimit_cpu", "1"), "/bin/sh", "-c", "while :; do :; done");
        assertEquals(137, r.exitCode(), r::describe);
        assertTrue(r.millis() < 20_000, r::describe);
    }

    /** The default 1 MiB file size limit: SIGXFSZ (128+25) for the writer, and the file stops at 1 MiB. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void defaultFsizeLimitStopsAWriterAtOneMib(RunAs as) {
        Result r = ok(jail(as, List.of("-m", "none:/tmp:tmpfs:size=8m"), "/bin/sh", "-c",
                "head -c 2000000 /dev/zero > /tmp/f; echo $?; wc -c < /tmp/f"));
        assertEquals("153\n1048576\n", r.stdout(), r::describe);
        Result two = ok(jail(as, List.of("-m", "none:/tmp:tmpfs:size=8m", "--rlimit_fsize", "2"), "/bin/sh", "-c",
                "head -c 2000000 /dev/zero > /tmp/f; echo $?; wc -c < /tmp/f"));
        assertEquals("0\n2000000\n", two.stdout(), two::describe);
    }

    // ---- personality ----

    private static long personality(RunAs as, String... flags) {
        Result r = ok(jail(as, List.of(flags), "/bin/cat", "/proc/self/personality"));
        return Long.parseLong(r.stdout().trim(), 16);
    }

    private static final long READ_IMPLIES_EXEC = 0x0400000;

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void personalityFlags(RunAs as) {
        assertEquals(0, personality(as));
        assertEquals(0x0040000, personality(as, "--persona_addr_no_randomize"));
        // OR-ed into one personality() call. An x86-64 execve clears READ_IMPLIES_EXEC
        // (set_personality_64bit), so the program may not see that one bit.
        long all = personality(as, "--persona_addr_no_randomize", "--persona_addr_compat_layout",
                "--persona_mmap_page_zero", "--persona_read_implies_exec", "--persona_addr_limit_3gb");
        assertEquals(0x0040000 | 0x0200000 | 0x0100000 | 0x8000000, all & ~READ_IMPLIES_EXEC, Long.toHexString(all));
    }

    // ---- nice ----

    private static int jailNice(Result r) {
        ok(r);
        return Integer.parseInt(r.stdout().trim());
    }

    private static final String NICE_CMD = "cut -d' ' -f19 /proc/self/stat";

    private static int ownNice() throws IOException {
        String stat = readProc(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]); // field 19 overall; fields here start at 3
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void niceLevel(RunAs as) throws IOException {
        assertEquals(19, jailNice(jail(as, List.of(), "/bin/sh", "-c", NICE_CMD)));
        assertEquals(5, jailNice(jail(as, List.of("--nice_level", "5"), "/bin/sh", "-c", NICE_CMD)));
        // Lowering the nice value needs CAP_SYS_NICE in the initial user namespace, which the jail
        // lacks even when root runs nsjail: a warning, and the jail keeps the supervisor's nice value.
        Result r = jail(as, List.of("--nice_level", "-20"), "/bin/sh", "-c", NICE_CMD);
        assertEquals(ownNice(), jailNice(r), r::describe);
        assertTrue(r.stderr().contains("setpriority"), r::describe);
    }

    // ---- CPUs ----

    private static TreeSet<Integer> cpuList(String list) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            String[] ab = part.split("-");
            int a = Integer.parseInt(ab[0]);
            int b = ab.length > 1 ? Integer.parseInt(ab[1]) : a;
            for (int i = a; i <= b; i++) out.add(i);
        }
        return out;
    }

    private static TreeSet<Integer> ownCpus() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Cpus_allowed_list:")) return cpuList(l.substring(l.indexOf(':') + 1));
        }
        throw new IllegalStateException("no Cpus_allowed_list");
    }

    private static TreeSet<Integer> jailCpus(RunAs as, String maxCpus) {
        Result r = ok(jail(as, List.of("--max_cpus", maxCpus), "/bin/grep", "Cpus_allowed_list", "/proc/self/status"));
        return cpuList(r.stdout().substring(r.stdout().indexOf(':') + 1));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void maxCpus(RunAs as) throws IOException {
        TreeSet<Integer> own = ownCpus();
        if (own.size() < 2) Assumptions.abort("only " + own.size() + " CPU available");
        TreeSet<Integer> one = jailCpus(as, "1");
        assertEquals(1, one.size(), one::toString);
        assertTrue(own.containsAll(one), one::toString);
        assertEquals(own, jailCpus(as, Integer.toString(own.size())));
    }

    /**
     * More CPUs than available (a config written for a bigger machine): a warning, and the jail runs on
     * every CPU there is. nsjail, observed with the reference build on this 2-CPU machine, `--max_cpus 4`:
     * "[W][1] initCpu():102 Number of requested CPUs is bigger than number of available CPUs (4 > 2)",
     * Cpus_allowed_list 0-1, exit 0 (issue #18 item 3).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void maxCpusAboveTheAvailableIsClampedWithAWarning(RunAs as) throws IOException {
        TreeSet<Integer> own = ownCpus();
        if (own.size() >= 99) Assumptions.abort("99 or more CPUs available");
        Result r = ok(jail(as, List.of("--max_cpus", "99"), "/bin/grep", "Cpus_allowed_list", "/proc/self/status"));
        assertEquals(own, cpuList(r.stdout().substring(r.stdout().indexOf(':') + 1)), r::describe);
        assertTrue(r.stderr().contains("Number of requested CPUs is bigger than number of available CPUs (99 > "
                + own.size() + ")"), r::describe);
    }

    // ---- oom_score_adj ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void oomScoreAdj(RunAs as) throws IOException {
        Result r = ok(jail(as, List.of("--oom_score_adj", "500"), "/bin/cat", "/proc/self/oom_score_adj"));
        assertEquals("500\n", r.stdout(), r::describe);
        // Lowering it needs CAP_SYS_RESOURCE: only a warning, the inherited value stays.
        String own = readProc(Path.of("/proc/self/oom_score_adj")).trim();
        if (Integer.parseInt(own) <= -500) return;
        Result low = ok(jail(as, List.of("--oom_score_adj", "-500"), "/bin/cat", "/proc/self/oom_score_adj"));
        assertEquals(own + "\n", low.stdout(), low::describe);
        assertTrue(low.stderr().contains("oom_score_adj"), low::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void oomScoreAdjOutOfRangeIsRefused(RunAs as) {
        fatalOneLine(jail(as, List.of("--oom_score_adj", "1001"), "/bin/true"), "1001");
    }

    // ---- TSC ----

    /**
     * --disable_tsc: rdtsc raises SIGSEGV (139). A static program without rdtsc runs. (A dynamically
     * linked /bin/true does not: glibc's ld.so reads the TSC at start-up, so it dies with 139 too.)
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableTsc(RunAs as) {
        if (rdtscProblem != null) Assumptions.abort("cannot build the rdtsc program: " + rdtscProblem);
        List<String> bind = SeccompJailTest.bindOnSrv(dir);
        ok(jail(as, bind, "/srv/rdtsc"));
        List<String> off = new ArrayList<>(bind);
        off.add("--disable_tsc");
        Result r = jail(as, off, "/srv/rdtsc");
        assertEquals(139, r.exitCode(), r::describe);
        if (ItEnv.hasBusybox() && isStatic(Path.of(ItEnv.BUSYBOX))) {
            ok(jail(as, List.of("--disable_tsc"), ItEnv.BUSYBOX, "true"));
        }
    }

    // ---- core scheduling ----

    /** Either it runs, or (kernel without CONFIG_SCHED_CORE: EINVAL) the jail fails with one line. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void useCoreScheduling(RunAs as) {
        Result r = jail(as, List.of("--use_core_scheduling"), "/bin/echo", "started");
        if (r.exitCode() == 0) {
            assertEquals("started\n", r.stdout(), r::describe);
            System.out.println("--use_core_scheduling: supported by this kernel");
        } else {
            fatalOneLine(r, "PR_SCHED_CORE");
            assertEquals("", r.stdout(), r::describe);
            System.out.println("--use_core_scheduling: not supported here: " + r.significantStderrLines().getFirst());
        }
    }

    // ---- --execute_fd ----

    /** Whether an ELF file has no PT_INTERP program header (needs no dynamic loader). */
    static boolean isStatic(Path elf) {
        try {
            byte[] b = Files.readAllBytes(elf);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (b.length < 64 || b[0] != 0x7f || b[1] != 'E' || b[4] != 2) return false;
            long phoff = bb.getLong(0x20);
            int phentsize = Short.toUnsignedInt(bb.getShort(0x36));
            int phnum = Short.toUnsignedInt(bb.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                if (bb.getInt((int) (phoff + (long) i * phentsize)) == 3) return false; // PT_INTERP
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A static binary the jail cannot see (its root is an empty tmpfs) still runs through execveat(fd). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void executeFdRunsABinaryInvisibleInTheJail(RunAs as) throws IOException {
        Path bb = Path.of(ItEnv.BUSYBOX);
        if (!ItEnv.hasBusybox() || !isStatic(bb)) Assumptions.abort(bb + " is missing or not static (busybox-static)");
        as.assume();
        Path copy = dir.resolve("busybox");
        if (!Files.exists(copy)) {
            Files.copy(bb, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Result r = NsjailCli.run(as, "-q", "-Mo", "--execute_fd", "--", copy.toString(), "echo", "fdok");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("fdok\n", r.stdout(), r::describe);
        // argv[0] is still the path given, and the program really runs in the empty root
        Result ls = NsjailCli.run(as, "-q", "-Mo", "--execute_fd", "--", copy.toString(), "ls", "/");
        assertEquals(0, ls.exitCode(), ls::describe);
        assertEquals("proc\n", ls.stdout(), ls::describe);
        // without --execute_fd the path does not exist inside
        Result plain = NsjailCli.run(as, "-q", "-Mo", "--", copy.toString(), "echo", "fdok");
        assertEquals(255, plain.exitCode(), plain::describe);
        assertEquals("", plain.stdout(), plain::describe);
    }
}
