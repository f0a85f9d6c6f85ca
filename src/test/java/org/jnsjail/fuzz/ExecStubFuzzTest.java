package org.jnsjail.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.jnsjail.args.CommandLine;
import org.jnsjail.mount.HostFs;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes the exec stub's plan reader: the real stub binary runs as {@code exec-stub e 0} with a mutated
 * plan on stdin.
 *
 * <p>Oracle: a Java mirror of load_plan() decides whether the input is a well-formed plan. A malformed
 * one must end with exit 255 and exactly one line {@code [F][pid] jnsjail exec stub: ...} (and nothing
 * else). A well-formed one executes its operations; it must not die of a memory-safety signal (SIGSEGV,
 * SIGBUS, SIGABRT, SIGILL, SIGFPE) unless it contains operations that may legitimately change that
 * (seccomp, prlimit, prctl, personality). Any run longer than 5 s is killed and is a finding.
 *
 * <p>Safety: the stub runs as uid/gid 65534 with no groups (setpriv), in a scratch directory it owns.
 * Base plans are -Me plans (they build their jail in a new user namespace, as an unprivileged
 * jnsjail would) and a plan of relative-path file operations; they exec /bin/true. Mutations of
 * such plans can at worst touch what uid 65534 may touch, and operations that need privilege fail.
 */
class ExecStubFuzzTest {
    static final String SETPRIV = "/usr/bin/setpriv";
    private static final Pattern FATAL_LINE = Pattern.compile("\\[F\\]\\[\\d+\\] jnsjail exec stub: [^\\n]+\\n");
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private Path stub, work, in, err;
    private boolean root;
    private long runs;

    @Test
    void execStubRejectsMalformedPlansCleanly() throws Exception {
        byte[] bin = Fuzzer.resource("/org/jnsjail/stub/exec-stub");
        Assumptions.assumeTrue(bin != null, "the exec stub is not on the classpath (not built)");
        root = HostInfo.get().euid() == 0;
        if (root) Assumptions.assumeTrue(Files.isExecutable(Path.of(SETPRIV)), SETPRIV + " is missing (util-linux)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        stub = tmp.resolve("exec-stub");
        Files.write(stub, bin);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = Files.createDirectory(tmp.resolve("work"));
        if (root) {
            Files.setAttribute(work, "unix:uid", NOBODY);
            Files.setAttribute(work, "unix:gid", NOBODY);
        }
        in = tmp.resolve("plan.in");
        err = tmp.resolve("stub.err");

        List<byte[]> seeds = new ArrayList<>(Fuzzer.corpus("stub"));
        seeds.addAll(basePlans());
        if (Boolean.getBoolean("jnsjail.fuzz.writeSeeds")) writeSeeds(seeds);
        List<String> dict = List.of("JNSP", "\u0001\u0000\u0000\u0000", "\u0000\u0000\u0000\u0000", "\u0000",
                "\u00ff\u00ff\u00ff\u00ff", "\u0000\u0000\u0000\u0004", "/", "..", "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000");
        try {
            Fuzzer.Stats st = new Fuzzer("stub", 6, this::run, seeds, dict).run();
            assertEquals(List.of(), st.findings(), st.line());
        } finally {
            killStrays();
        }
    }

    /** Well-formed plans whose operations are harmless for uid 65534. */
    static List<byte[]> basePlans() throws Exception {
        HostInfo real = HostInfo.get();
        HostInfo nobody = new HostInfo(NOBODY, NOBODY, NOBODY, NOBODY, real.capLastCap(), 0, 0, real.nofileHard());
        List<List<String>> argvs = List.of(
                List.of("-Me", "-U", "0:65534:1", "-G", "0:65534:1", "--", "/bin/true"),
                List.of("-Me", "-U", "0:65534:1", "-G", "0:65534:1", "--chroot", "/", "--", "/bin/true"),
                List.of("-Me", "-U", "0:65534:1", "-G", "0:65534:1", "--chroot", "/", "-T", "/tmp", "-E", "A=B",
                        "--rlimit_nofile", "64", "--seccomp_string", "ERRNO(1) { ptrace } DEFAULT ALLOW",
                        "--hostname", "fz", "--", "/bin/true", "x"),
                List.of("-Me", "-U", "0:65534:1", "-G", "0:65534:1", "--disable_proc", "-s", "/a:/b", "--", "/bin/true"));
        List<byte[]> out = new ArrayList<>();
        for (List<String> argv : argvs) {
            var run = CommandLine.parse(argv.toArray(String[]::new));
            Plan p = PlanBuilder.build(run.spec(), new PlanBuilder.Context(PlanBuilder.Mode.IN_PLACE, nobody, Map.of(),
                    HostFs.REAL, -1, null, -1, -1));
            out.add(p.encode());
        }
        // Relative paths only: whatever a mutation does to them stays inside the scratch directory.
        long beneath = Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_NO_MAGICLINKS;
        List<Op> ops = List.of(
                Op.raw(OpCode.OPEN_AT, "open .", new long[] {0, -1, Fcntl.O_PATH | Fcntl.O_DIRECTORY, 0}, "."),
                Op.raw(OpCode.MKDIR_AT, "mkdir d", new long[] {0, 0755}, "d").withFlags(Op.EXIST_OK),
                Op.raw(OpCode.OPEN_AT, "open d", new long[] {1, 0, Fcntl.O_PATH | Fcntl.O_DIRECTORY, beneath}, "d"),
                Op.raw(OpCode.WRITE_AT, "create d/f", new long[] {1, Fcntl.O_RDONLY | Fcntl.O_CREAT, 0644}, "f", "")
                        .withFlags(Op.EXIST_OK | Op.CHAINED),
                Op.raw(OpCode.WRITE_AT, "write d/g", new long[] {1, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644}, "g",
                        "data").withFlags(Op.WARN),
                Op.raw(OpCode.SYMLINK_AT, "symlink l", new long[] {0}, "d/f", "l").withFlags(Op.IGNORE),
                Op.raw(OpCode.FCHDIR, "chdir d", new long[] {1}),
                Op.raw(OpCode.CLOSE_SLOTS, "close", new long[0]),
                Op.raw(OpCode.SETGROUPS, "setgroups", new long[] {NOBODY}).withFlags(Op.WARN),
                Op.raw(OpCode.SETSID, "setsid", new long[0]).withFlags(Op.WARN),
                Op.raw(OpCode.SETPRIORITY, "nice", new long[] {0, 0, 19}),
                Op.raw(OpCode.FDS_CLOEXEC, "cloexec", new long[] {1, 2}),
                Op.raw(OpCode.EXECVE, "execve /bin/true", new long[] {2, 1, -1}, "/bin/true", "true", "x", "A=B"));
        out.add(new Plan(ops, List.of()).encode());
        return out;
    }

    private void writeSeeds(List<byte[]> seeds) throws IOException {
        Path dir = Path.of("src/test/resources/org/jnsjail/fuzz/stub");
        Files.createDirectories(dir);
        for (byte[] s : seeds) Files.write(dir.resolve("seed-" + Fuzzer.sha(s).substring(0, 12) + ".plan"), s);
    }

    private String run(byte[] plan) throws Exception {
        Mirror m = Mirror.check(plan);
        Files.write(in, plan);
        List<String> cmd = new ArrayList<>();
        if (root) cmd.addAll(List.of(SETPRIV, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        cmd.addAll(List.of(stub.toString(), "e", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().clear();
        pb.redirectInput(in.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new Fuzzer.Finding("timeout: the stub ran for more than 5 s (" + m.describe() + ")");
        }
        int rc = p.exitValue(); // 128+N: killed by signal N (ProcessImpl's convention)
        if (++runs % 200 == 0) killStrays();
        String stderr = Files.readString(err, StandardCharsets.ISO_8859_1);
        if (m.error != null) {
            if (rc != 255 || !FATAL_LINE.matcher(stderr).matches()) {
                throw new Fuzzer.Finding("malformed plan (" + m.error + "): exit " + rc + ", stderr "
                        + stderr.replace("\n", "\\n"));
            }
            if (!stderr.contains("jnsjail exec stub: " + m.error)) {
                // Not a finding in itself: the stub may detect another fault first; keep as feedback.
                return "reject-other:" + stderr.replaceAll("^\\[F\\]\\[\\d+\\] ", "").trim() + "/" + m.error;
            }
            return "reject:" + m.error;
        }
        if (rc > 128 && Set.of(4, 6, 7, 8, 11).contains(rc - 128) && !m.mayKillItself) {
            throw new Fuzzer.Finding("well-formed plan: the stub died of signal " + (rc - 128) + " (" + m.describe()
                    + "), stderr " + stderr.replace("\n", "\\n"));
        }
        return "ran:" + rc + ":" + Fuzzer.signature("", stderr.replaceAll("\\[(.)\\]\\[\\d+\\]", "[$1]"));
    }

    /**
     * Ends stub processes a run left behind: jails cloned with CLONE_PARENT (this JVM's children), and
     * the pause()ing init of a new PID namespace (PID_NS_INIT) whose parent exited before the child set
     * its parent-death signal (a race in exec_stub.c do_pid_ns_init; they are re-parented to init).
     * Matched by this run's unique stub path, ended by pid.
     */
    private void killStrays() {
        String s = stub.toString();
        ProcessHandle.allProcesses()
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .filter(h -> h.info().command().map(s::equals).orElse(false)
                        || h.info().commandLine().map(c -> c.startsWith(s + " ")).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** A Java copy of exec_stub.c load_plan(): null error when the stub should accept the plan. */
    static final class Mirror {
        static final int MAGIC = 0x50534e4a, MAX_OPS = 65536, MAX_BYTES = 64 << 20, MAX_INTS = 4096, MAX_STRS = 65536;
        /** Per wire code: min/max ints, min/max strings (string 0 is the description). */
        static final long[][] SHAPE = new long[OpCode.values().length + 1][];

        static {
            shape(OpCode.CLONE, 2, 2, 1, 1);
            shape(OpCode.WAIT_GO, 0, 0, 1, 1);
            shape(OpCode.WRITE_FILE, 2, 2, 3, 3);
            shape(OpCode.OPEN_DUP, 3, 3, 2, 2);
            shape(OpCode.PRCTL, 5, 5, 1, 1);
            shape(OpCode.SETRESGID, 3, 3, 1, 1);
            shape(OpCode.SETRESUID, 3, 3, 1, 1);
            shape(OpCode.SETGROUPS, 0, MAX_INTS, 1, 1);
            shape(OpCode.UMOUNT2, 1, 1, 2, 2);
            shape(OpCode.CHDIR, 0, 0, 2, 2);
            shape(OpCode.CHROOT, 0, 0, 2, 2);
            shape(OpCode.PIVOT_ROOT, 0, 0, 3, 3);
            shape(OpCode.SETHOSTNAME, 0, 0, 2, 2);
            shape(OpCode.IF_UP, 1, 1, 2, 2);
            shape(OpCode.PRLIMIT, 3, 3, 1, 1);
            shape(OpCode.PERSONALITY, 1, 1, 1, 1);
            shape(OpCode.SETPRIORITY, 3, 3, 1, 1);
            shape(OpCode.SETSID, 0, 0, 1, 1);
            shape(OpCode.CAPSET, 3, 3, 1, 1);
            shape(OpCode.SCHED_SETAFFINITY, 0, 0, 2, 2);
            shape(OpCode.FDS_CLOEXEC, 0, MAX_INTS, 1, 1);
            shape(OpCode.SECCOMP, 1, 2, 2, 2);
            shape(OpCode.EXECVE, 3, 3, 2, MAX_STRS);
            shape(OpCode.UNSHARE, 1, 1, 1, 1);
            shape(OpCode.PID_NS_INIT, 0, 0, 1, 1);
            shape(OpCode.FS_CHILD, 1, 1, 1, 1);
            shape(OpCode.SOCKET, 4, 4, 1, 1);
            shape(OpCode.SEND_FDS, 2, 9, 1, 1);
            shape(OpCode.UMASK, 1, 1, 1, 1);
            shape(OpCode.OPEN_AT, 4, 4, 2, 2);
            shape(OpCode.MKDIR_AT, 2, 2, 2, 2);
            shape(OpCode.WRITE_AT, 3, 3, 3, 3);
            shape(OpCode.SYMLINK_AT, 1, 1, 3, 3);
            shape(OpCode.OPEN_TREE, 3, 3, 1, 1);
            shape(OpCode.FS_MOUNT, 2, MAX_INTS, 2, MAX_STRS);
            shape(OpCode.MOVE_MOUNT, 3, 3, 1, 1);
            shape(OpCode.SETATTR_AT, 5, 5, 1, 1);
            shape(OpCode.FCHDIR, 1, 1, 1, 1);
            shape(OpCode.CLOSE_SLOTS, 0, 0, 1, 1);
            shape(OpCode.RECV_FDS, 0, MAX_INTS, 1, 1);
            shape(OpCode.INIT, 1, 1, 2, 2);
            // The RETIRED_* codes have no shape: the stub refuses them as unknown.
        }

        private static void shape(OpCode c, long imin, long imax, long smin, long smax) {
            SHAPE[c.wire()] = new long[] {imin, imax, smin, smax};
        }

        String error;
        boolean mayKillItself, hasClone, hasPidNsInit;
        int nops = -1;

        String describe() {
            return error != null ? "malformed: " + error : "well-formed, " + nops + " ops";
        }

        static Mirror check(byte[] plan) {
            Mirror m = new Mirror();
            m.error = m.validate(ByteBuffer.wrap(plan).order(ByteOrder.LITTLE_ENDIAN));
            return m;
        }

        private String validate(ByteBuffer b) {
            if (b.remaining() < 16) return "short plan header";
            long magic = u32(b, 0), version = u32(b, 4), count = u32(b, 8), bytes = u32(b, 12);
            if (magic != MAGIC || version != 1) return "bad plan magic or version";
            if (count == 0 || count > MAX_OPS || bytes > MAX_BYTES) return "plan too large";
            if (b.remaining() - 16 < bytes) return "short plan";
            int end = 16 + (int) bytes, off = 16;
            long[] fsChild = new long[(int) count];
            boolean[] isFsChild = new boolean[(int) count];
            for (int i = 0; i < count; i++) {
                if (end - off < 16) return "truncated op header";
                long code = u32(b, off), nints = u32(b, off + 8), nstrs = u32(b, off + 12);
                off += 16;
                if (code == 0 || code >= SHAPE.length || SHAPE[(int) code] == null) return "unknown op code";
                long[] s = SHAPE[(int) code];
                if (nints < s[0] || nints > s[1] || nstrs < s[2] || nstrs > s[3]) return "bad op argument count";
                if ((end - off) / 8 < nints) return "truncated op ints";
                OpCode oc = OpCode.values()[(int) code - 1];
                switch (oc) {
                    case SECCOMP, PRLIMIT, PRCTL, PERSONALITY, INIT -> mayKillItself = true;
                    case CLONE -> hasClone = true;
                    case PID_NS_INIT -> hasPidNsInit = true;
                    case FS_CHILD -> {
                        isFsChild[i] = true;
                        fsChild[i] = b.getLong(off);
                    }
                    default -> { }
                }
                off += (int) nints * 8;
                for (int k = 0; k < nstrs; k++) {
                    if (end - off < 4) return "truncated string length";
                    long len = u32(b, off);
                    off += 4;
                    if (len == 0 || len > end - off || b.get(off + (int) len - 1) != 0) return "bad string";
                    off += (int) len;
                }
            }
            if (off != end) return "trailing bytes in plan";
            for (int i = 0; i < count; i++) {
                if (isFsChild[i] && Long.compareUnsigned(fsChild[i], count - i - 1) > 0) return "FS_CHILD range out of plan";
            }
            nops = (int) count;
            return null;
        }

        private static long u32(ByteBuffer b, int at) {
            return Integer.toUnsignedLong(b.getInt(at));
        }
    }

    static {
        // Only meaningful on little-endian hosts, as the stub uses host byte order.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new ExceptionInInitializerError("big-endian host");
    }
}
