package org.jnsjail.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KafelCompilerTest {
    private static final int ALLOW = 0x7fff0000;
    private static final int KILL = 0;

    private static int run(String policy, KafelOptions opts, Arch arch, int nr, long... args) throws KafelException {
        BpfProgram p = KafelCompiler.compile(policy, opts);
        return BpfInterpreter.run(p, new SeccompData(nr, arch.audit, 0, args));
    }

    private static int run(String policy, int nr, long... args) throws KafelException {
        return run(policy, KafelOptions.defaults(), Arch.X86_64, nr, args);
    }

    private static String error(String policy) {
        return assertThrows(KafelException.class, () -> KafelCompiler.compile(policy)).getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/** doc **/ ALLOW {read}|1:11: unterminated comment",
        "ALLOW { read { fd == -0 } }|1:22: unexpected char `-'",
        "ALLOW { _llseek }|1:9: unexpected char `_'",
        "ALLOW { read { fd == 18446744073709551616 } }|1:22: number `18446744073709551616' out of range",
        "ALLOW { read } ,|1:16: syntax error, unexpected end of file",
        "ALLOW { read } , }|1:18: syntax error, unexpected '}'",
        "POLICY p { ALLOW { read } ALLOW { write } }|1:27: syntax error, unexpected ALLOW, expecting '}' or ','",
        "ALLOW { read(a,) }|1:16: syntax error, unexpected ')', expecting IDENTIFIER",
        "''|1:1: syntax error, unexpected end of file",
        "ALLOW { read { fd } }|1:19: syntax error, unexpected '}'",
        "ALLOW { read { fd == 1 == 2 } }|1:24: syntax error, unexpected EQ, expecting '}' or ','",
        "ERRNO(X) { read }|1:7: syntax error, unexpected IDENTIFIER, expecting NUMBER",
        "ALLOW { read { fd == nope } }|1:22: Undefined identifier `nope'",
        "DEFAULT ALLOW DEFAULT KILL|1:15: Redefinition of default action",
        "ALLOW { read } }|1:16: syntax error, unexpected '}', expecting end of file",
    })
    void errors(String policy, String message) {
        assertEquals(message, error(policy.equals("''") ? "" : policy));
    }

    @Test
    void carriageReturnIsRejected() {
        assertEquals("1:15: unexpected char `\r'", error("ALLOW { read }\r\n"));
    }

    @Test
    void numbersFollowStrtoull() throws KafelException {
        // 09 is 0 (octal stops at 9), 0778 is 077 = 63, -18446744073709551615 wraps to 1
        assertEquals(ALLOW, run("ALLOW { read { fd == 09 } }", 0, 0));
        assertEquals(ALLOW, run("ALLOW { read { count == 0778 } }", 0, 0, 0, 63));
        assertEquals(ALLOW, run("ALLOW { read { count == -18446744073709551615 } }", 0, 0, 0, 1));
        assertEquals(ALLOW, run("ALLOW { read { count == 0b101 } }", 0, 0, 0, 5));
        assertEquals(KILL, run("ALLOW { read { count > -1 } }", 0, 0, 0, -1L));
    }

    @Test
    void flagsBindTighterThanComparisonAndNotCoversComparison() throws KafelException {
        assertEquals(ALLOW, run("ALLOW { read { count & 3 == 1 } }", 0, 0, 0, 5));
        assertEquals(ALLOW, run("ALLOW { read { !fd == 1 } }", 0, 2));
        assertEquals(KILL, run("ALLOW { read { !fd == 1 } }", 0, 1));
    }

    @Test
    void constantsShadowSyscallsAndArgs() throws KafelException {
        assertEquals(ALLOW, run("#define read 5\nALLOW { read }", 5));
        assertEquals(KILL, run("#define read 5\nALLOW { read }", 0));
        assertEquals(ALLOW, run("#define fd 3\nALLOW { write { fd == 3 } }", 1, 99));
        assertEquals(ALLOW, run("ALLOW { SYSCALL[0x100000001] }", 1));
    }

    @Test
    void commentsAndDefinesSpacing() throws KafelException {
        assertEquals(ALLOW, run("#  define X 1\n/* a * b ** c */ ALLOW { read { fd == X } } // end", 0, 1));
    }

    @Test
    void multiArchX86AndX8664() throws KafelException {
        KafelOptions opts = KafelOptions.defaults().withTargets(Arch.X86_64, Arch.X86);
        String policy = "ALLOW { write { fd == 1 }, exit_group } DEFAULT ERRNO(38)";
        assertEquals(ALLOW, run(policy, opts, Arch.X86_64, 1, 1));
        assertEquals(0x50026, run(policy, opts, Arch.X86_64, 1, 2));
        assertEquals(ALLOW, run(policy, opts, Arch.X86, 4, 1)); // i386 write is 4
        assertEquals(0x50026, run(policy, opts, Arch.X86, 1, 1)); // i386 1 is exit: DEFAULT
        assertEquals(KILL, run(policy, opts, Arch.AARCH64, 64, 1));
    }

    @Test
    void archGuardsSkipValidationForOtherArches() throws KafelException {
        KafelOptions opts = KafelOptions.defaults().withTargets(Arch.X86_64, Arch.AARCH64);
        String policy = "ALLOW { open ON x86_64, openat ON {aarch64, AMD64} }";
        assertEquals(ALLOW, run(policy, opts, Arch.X86_64, 2));
        assertEquals(ALLOW, run(policy, opts, Arch.X86_64, 257));
        assertEquals(ALLOW, run(policy, opts, Arch.AARCH64, 56));
        assertEquals(KILL, run(policy, opts, Arch.AARCH64, 2));
    }

    @Test
    void bigEndianArgsUseHighWordFirst() throws KafelException {
        KafelOptions opts = KafelOptions.defaults().withTargets(Arch.MIPS64);
        String policy = "ALLOW { write { count == 0x100000002 } }";
        int nr = SyscallTable.of(Arch.MIPS64).byName("write").nr();
        assertEquals(ALLOW, run(policy, opts, Arch.MIPS64, nr, 0, 0, 0x100000002L));
        assertEquals(KILL, run(policy, opts, Arch.MIPS64, nr, 0, 0, 0x200000001L));
    }

    @Test
    void x32IsKafelCompatibleByDefaultAndKilledOnRequest() throws KafelException {
        String policy = "ALLOW { SYSCALL[-1] } ERRNO(1) { SYSCALL[0x40000005] } DEFAULT ALLOW";
        KafelOptions kafel = KafelOptions.defaults();
        KafelOptions strict = kafel.withKillX32(true);
        assertEquals(ALLOW, run(policy, kafel, Arch.X86_64, 0x40000001));
        assertEquals(KILL, run(policy, strict, Arch.X86_64, 0x40000001));
        assertEquals(KILL, run(policy, strict, Arch.X86_64, 0xC0000000));
        assertEquals(ALLOW, run(policy, strict, Arch.X86_64, 0x80000000));
        assertEquals(ALLOW, run(policy, strict, Arch.X86_64, 1));
        assertEquals(ALLOW, run(policy, strict, Arch.X86_64, -1)); // named explicitly
        assertEquals(0x50001, run(policy, strict, Arch.X86_64, 0x40000005));
        PolicyModel m = KafelCompiler.resolve(policy, strict);
        assertEquals(Explanation.Reason.X32_GUARD, m.explain(new SeccompData(0x40000001, Arch.X86_64.audit, 0, null)).reason());
        // x86 (i386) is a foreign arch: KILL whatever the DEFAULT
        assertEquals(KILL, run(policy, kafel, Arch.X86, 1));
    }

    @Test
    void hugePolicyIsACompileError() {
        StringBuilder sb = new StringBuilder("ALLOW {");
        for (int i = 0; i < 3000; i++) {
            sb.append(i == 0 ? " " : ", ").append("SYSCALL[").append(2 * i).append(']');
        }
        sb.append(" }");
        KafelException e = assertThrows(KafelException.class, () -> KafelCompiler.compile(sb.toString()));
        assertTrue(e.getMessage().startsWith("Filter length exceeds maximum seccomp filter length: "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" > 4096"), e.getMessage());
        assertNull(e.location());
    }

    @Test
    void longProgramsStillValidWithTrampolines() throws KafelException {
        StringBuilder sb = new StringBuilder("ERRNO(7) {");
        for (int i = 0; i < 600; i++) {
            sb.append(i == 0 ? " " : ", ").append("SYSCALL[").append(3 * i).append("] { a == ").append(i).append(" }");
        }
        sb.append(" } DEFAULT ALLOW");
        String policy = sb.toString().replace("] {", "](a) {");
        BpfProgram p = KafelCompiler.compile(policy);
        assertTrue(p.length() > 600 && p.length() <= 4096, "len " + p.length());
        BpfInterpreter.validate(p);
        for (int i = 0; i < 600; i += 37) {
            assertEquals(0x50007, BpfInterpreter.run(p, new SeccompData(3 * i, Arch.X86_64.audit, 0, new long[] {i})));
            assertEquals(ALLOW, BpfInterpreter.run(p, new SeccompData(3 * i, Arch.X86_64.audit, 0, new long[] {i + 1})));
        }
    }

    @Test
    void sockFilterLayoutIsLittleEndian() throws KafelException {
        BpfProgram p = KafelCompiler.compile("DEFAULT KILL");
        assertEquals(1, p.length());
        assertArrayEquals(new byte[] {0x06, 0, 0, 0, 0, 0, 0, 0}, p.toSockFilterBytes());
        BpfProgram q = KafelCompiler.compile("DEFAULT ALLOW");
        byte[] b = q.toSockFilterBytes();
        assertEquals(8 * q.length(), b.length);
        assertEquals(0x20, b[0]); // LD W ABS
        assertEquals(4, b[4]); // arch offset
    }

    @Test
    void explainNamesTheDecidingRule() throws KafelException {
        String policy = "POLICY io {\n  ALLOW { write { fd == 1 } },\n  ERRNO(9) { write }\n}\nUSE io\nLOG { read }\nDEFAULT KILL_PROCESS";
        PolicyModel m = KafelCompiler.resolve(policy, KafelOptions.defaults());
        Explanation a = m.explain(Arch.X86_64, "write", 1);
        assertEquals(Action.ALLOW, a.action());
        assertEquals("io", a.policy());
        assertEquals(new SourceLoc(null, 2, 11), a.ruleLocation());
        Explanation b = m.explain(Arch.X86_64, "write", 2);
        assertEquals(new Action(SeccompRet.ERRNO, 9), b.action());
        assertEquals(3, b.ruleLocation().line());
        Explanation c = m.explain(Arch.X86_64, "read");
        assertEquals("@main", c.policy());
        Explanation d = m.explain(Arch.X86_64, "close");
        assertEquals(Explanation.Reason.DEFAULT, d.reason());
        assertEquals(0x80000000, d.ret());
    }

    @Test
    void includesResolveThroughSearchPathsInOrder() throws KafelException {
        KafelOptions opts = KafelOptions.defaults().withSearchPaths(List.of("a", "b"))
                .withIncludes(IncludeResolver.of(Map.of("b/x.policy", "ALLOW { read }\n", "a/y.policy", "#include \"z\"\n")));
        assertEquals(ALLOW, run("#include \"x.policy\"\nDEFAULT KILL", opts, Arch.X86_64, 0));
        KafelException e = assertThrows(KafelException.class, () -> KafelCompiler.compile("#include \"y.policy\";", opts));
        assertEquals("1:9: could not include file `z'", e.getMessage());
        KafelException s = assertThrows(KafelException.class,
                () -> KafelCompiler.compile("#include \"x.policy\"\n", opts.withIncludes(IncludeResolver.of(Map.of("a/x.policy", "ALLOW { }}")))));
        // syntax errors in includes carry the path; the first line of an include counts columns from 0
        assertEquals("a/x.policy:1:9: syntax error, unexpected '}', expecting end of file", s.getMessage());
        KafelException eof = assertThrows(KafelException.class,
                () -> KafelCompiler.compile("#include \"x.policy\"\n", opts.withIncludes(IncludeResolver.of(Map.of("a/x.policy", "ALLOW {")))));
        // end of input is reported at the last match: the parent's newline (flex keeps no file name there)
        assertEquals("2:0: syntax error, unexpected end of file, expecting IDENTIFIER or SYSCALL or '}'", eof.getMessage());
    }

    @Test
    void interpreterRejectsBrokenPrograms() {
        BpfProgram jumpOut = new BpfProgram(List.of(BpfInsn.jump(0x15, 0, 5, 0), BpfInsn.stmt(0x06, 0)));
        assertThrows(IllegalArgumentException.class, () -> BpfInterpreter.validate(jumpOut));
        BpfProgram noRet = new BpfProgram(List.of(BpfInsn.stmt(0x20, 0)));
        assertThrows(IllegalArgumentException.class, () -> BpfInterpreter.validate(noRet));
        BpfProgram badLoad = new BpfProgram(List.of(BpfInsn.stmt(0x20, 66), BpfInsn.stmt(0x06, 0)));
        assertThrows(IllegalArgumentException.class, () -> BpfInterpreter.validate(badLoad));
    }
}
