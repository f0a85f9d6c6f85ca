package org.jnsjail.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seccomp in real jails (reference §1.12, §3.6, §3.14): Kafel policies from --seccomp_string and -P,
 * the 159 exit of a KILL, the violation report, compile errors, and that neither the i386 nor the x32
 * ABI bypasses an x86_64 policy. Tiny static test programs are built with the GNU assembler.
 */
class SeccompJailTest {
    static final String VIOLATION = "committed a syscall/seccomp violation";

    @TempDir
    static Path dir;

    /** write(1, "i386\n", 5) and exit(0), both through int $0x80 (the i386 ABI). */
    private static final String I386_SRC = """
            .section .data
            msg: .ascii "i386\\n"
            .section .text
            .globl _start
            _start:
              movl $4, %eax
              movl $1, %ebx
              movl $msg, %ecx
              movl $5, %edx
              int $0x80
              movl $1, %eax
              xorl %ebx, %ebx
              int $0x80
            """;

    /** write(1, "x32\n", 4) with the x32 number 1|0x40000000; exits with -result (0 on success, 38 on ENOSYS). */
    private static final String X32_SRC = """
            .section .data
            msg: .ascii "x32\\n"
            .section .text
            .globl _start
            _start:
              movq $0x40000001, %rax
              movq $1, %rdi
              leaq msg(%rip), %rsi
              movq $4, %rdx
              syscall
              cmpq $4, %rax
              jne 1f
              xorq %rax, %rax
            1:
              movq %rax, %rdi
              negq %rdi
              movq $60, %rax
              syscall
            """;

    private static Path i386;
    private static Path x32;
    private static String asmProblem;

    @BeforeAll
    static void buildPrograms() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            i386 = assemble(dir, "i386", I386_SRC, true);
            x32 = assemble(dir, "x32", X32_SRC, false);
        } catch (IOException e) {
            asmProblem = e.getMessage();
        }
        Files.writeString(dir.resolve("errno-uname.kafel"),
                "POLICY p {\n  ERRNO(1) { newuname }\n}\nUSE p DEFAULT ALLOW\n");
        Files.setPosixFilePermissions(dir.resolve("errno-uname.kafel"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    // ---- helpers shared with the other tests of this package ----

    /** {@code -q -Mo --chroot / extra... -- cmd...} as {@code as}. */
    static Result jail(RunAs as, List<String> extra, String... cmd) {
        as.assume();
        List<String> a = new ArrayList<>(List.of("-q", "-Mo", "--chroot", "/"));
        a.addAll(extra);
        a.add("--");
        a.addAll(List.of(cmd));
        return NsjailCli.as(as).args(a).run();
    }

    static Result ok(Result r) {
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    /** A refused invocation: 255 and exactly one (significant) line on stderr, which contains {@code text}. */
    static void fatalOneLine(Result r, String text) {
        assertEquals(255, r.exitCode(), r::describe);
        List<String> lines = r.significantStderrLines();
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.getFirst().contains(text), r::describe);
    }

    /**
     * Builds a static program from GNU assembler source ({@code as}, {@code ld}); i386 when
     * {@code i386}. Aborts the test class when binutils are missing.
     */
    static Path assemble(Path dir, String name, String src, boolean i386) throws IOException {
        for (String tool : List.of("/usr/bin/as", "/usr/bin/ld")) {
            if (!Files.isExecutable(Path.of(tool))) throw new IOException(tool + " is missing (binutils)");
        }
        Path s = dir.resolve(name + ".s");
        Path o = dir.resolve(name + ".o");
        Path exe = dir.resolve(name);
        Files.writeString(s, src);
        List<String> as = new ArrayList<>(List.of("/usr/bin/as"));
        if (i386) as.add("--32");
        as.addAll(List.of("-o", o.toString(), s.toString()));
        List<String> ld = new ArrayList<>(List.of("/usr/bin/ld"));
        if (i386) ld.addAll(List.of("-m", "elf_i386"));
        ld.addAll(List.of("-static", "-o", exe.toString(), o.toString()));
        exec(as);
        exec(ld);
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return exe;
    }

    private static void exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + " timed out");
            }
            if (p.exitValue() != 0) throw new IOException(cmd + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs a program outside any jail: its exit code, or null when the kernel cannot execute it. */
    static Integer runOnHost(Path exe) {
        try {
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue();
        } catch (IOException e) {
            return null; // ENOEXEC: e.g. no IA32 emulation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void assumePrograms() {
        if (asmProblem != null) Assumptions.abort("cannot build the test programs: " + asmProblem);
    }

    private static List<String> bindDir() {
        return bindOnSrv(dir);
    }

    /**
     * {@code -R host:/srv}. With {@code --chroot /} the jail's root is a read-only bind of the host's,
     * where no mount point can be created: the host's (normally empty) /srv serves as one.
     */
    static List<String> bindOnSrv(Path host) {
        if (!Files.isDirectory(Path.of("/srv"))) Assumptions.abort("/srv (used as the mount point) does not exist");
        return List.of("-R", host + ":/srv");
    }

    // ---- policies ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void errnoActionMakesUnameFail(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "ERRNO(1) { newuname } DEFAULT ALLOW"), "/bin/uname");
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertTrue(r.stderr().contains("Operation not permitted"), r::describe);
        assertTrue(!r.stderr().contains(VIOLATION), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void killActionGives159AndTheViolationReport(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "KILL { write } DEFAULT ALLOW"), "/bin/echo", "hello");
        assertEquals(159, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertTrue(r.stderr().contains(VIOLATION), r::describe);
    }

    /** The policy is installed last, so it also judges the execve: without execve the exec itself is killed. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void policyWithoutExecveKillsTheExec(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "ALLOW { write } DEFAULT KILL"), "/bin/echo", "hello");
        assertEquals(159, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertTrue(r.stderr().contains(VIOLATION), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void policyFile(RunAs as) {
        Result r = jail(as, List.of("-P", dir.resolve("errno-uname.kafel").toString()), "/bin/uname");
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Operation not permitted"), r::describe);
        // and the same file allows what it does not name
        ok(jail(as, List.of("-P", dir.resolve("errno-uname.kafel").toString()), "/bin/true"));
    }

    /** Repeated --seccomp_string pieces are joined with newlines: line numbers count the pieces. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void seccompStringPiecesAreJoinedWithNewlines(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "ERRNO(1) { newuname }", "--seccomp_string", "DEFAULT ALLOW"),
                "/bin/uname");
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Operation not permitted"), r::describe);
        Result bad = jail(as, List.of("--seccomp_string", "ALLOW { write }", "--seccomp_string", "DEFAULT ALLOW {"),
                "/bin/true");
        fatalOneLine(bad, "Could not compile policy: 2:");
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void policyFileAndStringTogetherAreRefused(RunAs as) {
        Result r = jail(as, List.of("-P", dir.resolve("errno-uname.kafel").toString(), "--seccomp_string",
                "DEFAULT ALLOW"), "/bin/true");
        fatalOneLine(r, "--seccomp_string");
        assertEquals("", r.stdout(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void syntaxErrorIsRefusedWithLineAndColumn(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "ALLOW { write DEFAULT KILL"), "/bin/true");
        fatalOneLine(r, "Could not compile policy: 1:");
        assertTrue(r.significantStderrLines().getFirst().matches(".*Could not compile policy: 1:\\d+: .*"), r::describe);
    }

    /** Kafel names syscalls after the kernel table: {@code uname} is not one (it is {@code newuname}). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void undefinedSyscallNameIsRefused(RunAs as) {
        Result r = jail(as, List.of("--seccomp_string", "ERRNO(1) { uname } DEFAULT ALLOW"), "/bin/true");
        fatalOneLine(r, "Could not compile policy: 1:");
        assertTrue(r.stderr().contains("uname"), r::describe);
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void unreadablePolicyFileIsRefused(RunAs as) {
        Result r = jail(as, List.of("-P", dir.resolve("no-such-policy.kafel").toString()), "/bin/true");
        fatalOneLine(r, "no-such-policy.kafel");
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void seccompLogRuns(RunAs as) {
        Result r = ok(jail(as, List.of("--seccomp_log", "--seccomp_string", "LOG { newuname } DEFAULT ALLOW"),
                "/bin/uname"));
        assertEquals("Linux\n", r.stdout(), r::describe);
        Result k = jail(as, List.of("--seccomp_log", "--seccomp_string", "KILL { newuname } DEFAULT ALLOW"),
                "/bin/uname");
        assertEquals(159, k.exitCode(), k::describe);
    }

    // ---- other ABIs must not bypass an x86_64 policy ----

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void i386SyscallsAreKilledByAnX86_64Policy(RunAs as) {
        assumePrograms();
        Integer host = runOnHost(i386);
        if (host == null || host != 0) Assumptions.abort("the kernel cannot run i386 programs (no IA32 emulation)");
        Result plain = ok(jail(as, bindDir(), "/srv/i386"));
        assertEquals("i386\n", plain.stdout(), plain::describe);
        List<String> withPolicy = new ArrayList<>(bindDir());
        withPolicy.addAll(List.of("--seccomp_string", "DEFAULT ALLOW"));
        Result r = jail(as, withPolicy, "/srv/i386");
        assertEquals(159, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertTrue(r.stderr().contains(VIOLATION), r::describe);
    }

    /**
     * An x32 number (nr | 0x40000000) that the policy does not name is killed even under DEFAULT ALLOW;
     * naming {@code write} names only nr 1, not its x32 twin. Without a policy the program is not killed:
     * it prints (x32 enabled) or gets ENOSYS (exit 38, x32 disabled in the kernel).
     */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void x32SyscallsAreKilledUnlessNamed(RunAs as) {
        assumePrograms();
        Result plain = jail(as, bindDir(), "/srv/x32");
        assertTrue(plain.exitCode() == 0 || plain.exitCode() == 38, plain::describe);
        assertEquals(plain.exitCode() == 0 ? "x32\n" : "", plain.stdout(), plain::describe);
        for (String policy : List.of("DEFAULT ALLOW", "ALLOW { write } DEFAULT ALLOW")) {
            List<String> extra = new ArrayList<>(bindDir());
            extra.addAll(List.of("--seccomp_string", policy));
            Result r = jail(as, extra, "/srv/x32");
            assertEquals(159, r.exitCode(), () -> policy + ": " + r.describe());
            assertTrue(r.stderr().contains(VIOLATION), r::describe);
        }
        // Named by number, the x32 call is the policy's to decide.
        List<String> named = new ArrayList<>(bindDir());
        named.addAll(List.of("--seccomp_string", "ERRNO(1) { SYSCALL[0x40000001] } DEFAULT ALLOW"));
        Result r = jail(as, named, "/srv/x32");
        assertEquals(1, r.exitCode(), r::describe);
        assertNotEquals(159, r.exitCode(), r::describe);
    }

    /** The i386 program through --execute_fd: not visible in the jail's (empty tmpfs) root at all. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void i386ThroughExecuteFdIsKilledToo(RunAs as) {
        assumePrograms();
        Integer host = runOnHost(i386);
        if (host == null || host != 0) Assumptions.abort("the kernel cannot run i386 programs (no IA32 emulation)");
        as.assume();
        Result plain = NsjailCli.run(as, "-q", "-Mo", "--execute_fd", "--", i386.toString());
        assertEquals(0, plain.exitCode(), plain::describe);
        assertEquals("i386\n", plain.stdout(), plain::describe);
        Result r = NsjailCli.run(as, "-q", "-Mo", "--execute_fd", "--seccomp_string", "DEFAULT ALLOW", "--",
                i386.toString());
        assertEquals(159, r.exitCode(), r::describe);
    }

    /** --seccomp_arch x86 (jnsjail): one policy covers both ABIs, so the i386 program runs under it. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void i386RunsUnderAPolicyThatAlsoTargetsX86(RunAs as) {
        assumePrograms();
        Integer host = runOnHost(i386);
        if (host == null || host != 0) Assumptions.abort("the kernel cannot run i386 programs (no IA32 emulation)");
        List<String> allow = new ArrayList<>(bindDir());
        allow.addAll(List.of("--seccomp_arch", "x86", "--seccomp_string", "DEFAULT ALLOW"));
        Result r = jail(as, allow, "/srv/i386");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("i386\n", r.stdout(), r::describe);
        // An allow-list resolves names per ABI: write/exit are i386's 4 and 1, execve is x86_64's 59.
        List<String> list = new ArrayList<>(bindDir());
        list.addAll(List.of("--seccomp_arch", "x86", "--seccomp_string", "ALLOW { write, exit, execve } DEFAULT KILL"));
        Result l = jail(as, list, "/srv/i386");
        assertEquals(0, l.exitCode(), l::describe);
        // Without the i386 name for write, the i386 call is killed.
        List<String> deny = new ArrayList<>(bindDir());
        deny.addAll(List.of("--seccomp_arch", "x86", "--seccomp_string", "ALLOW { exit, execve } DEFAULT KILL"));
        Result d = jail(as, deny, "/srv/i386");
        assertEquals(159, d.exitCode(), d::describe);
    }

    /** As root the report names the syscall, from the kernel's audit record of the kill. */
    @Test
    void violationReportNamesTheSyscallAsRoot() {
        RunAs.ROOT.assume();
        Result r = NsjailCli.run(RunAs.ROOT, "-Mo", "--chroot", "/", "--seccomp_string", "KILL { write } DEFAULT ALLOW",
                "--", "/bin/echo", "hi");
        assertEquals(159, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Syscall number: 1 (write), arch: x86_64"), r::describe);
    }
}
