package org.jnsjail.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.jnsjail.testutil.Gen;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.LongStream;

/** Robustness and self-consistency properties (seeded, reproducible: the seed is the test's parameter). */
class PropertiesTest {
    private static final String[] TOKENS = {
        "ALLOW", "KILL", "ERRNO(1)", "DEFAULT", "POLICY", "USE", "p", "q", "read", "write", "fd", "count", "buf",
        "SYSCALL[", "]", "{", "}", "(", ")", ",", "==", "!=", "<", "<=", ">", ">=", "&", "|", "&&", "||", "!",
        "#define", "#include", "\"x\"", ";", "\n", " ", "0", "1", "0x10", "-1", "0777", "0b101", "ON", "x86_64",
        "/*", "*/", "//", "*", "\r", "_a", "KILL_PROCESS", "LOG", "TRAP(3)", "TRACE(4)", "USER_NOTIF", "DENY",
        "18446744073709551616", "0x", "09",
    };

    /** Raw character soup: any failure must be a KafelException, never another exception or a hang. */
    @org.junit.jupiter.api.Test
    void charSoupOnlyKafelExceptions() {
        for (long seed = 1; seed <= 2000; seed++) compileQuietly(new Gen(seed).anyString(120));
    }

    /** Token soup reaches deeper into the parser than random chars. */
    @org.junit.jupiter.api.Test
    void tokenSoupOnlyKafelExceptions() {
        for (long seed = 1; seed <= 3000; seed++) {
            Gen g = new Gen(seed);
            List<String> words = new ArrayList<>();
            int n = g.between(0, 60);
            for (int i = 0; i < n; i++) words.add(g.pick(List.of(TOKENS)));
            compileQuietly(String.join(" ", words));
        }
    }

    /** Byte soup decoded one char per byte, as policy files are read. */
    @org.junit.jupiter.api.Test
    void byteSoupOnlyKafelExceptions() {
        for (long seed = 1; seed <= 1000; seed++) {
            Gen g = new Gen(seed);
            StringBuilder sb = new StringBuilder();
            int n = g.between(0, 150);
            for (int i = 0; i < n; i++) sb.append((char) g.between(0, 255));
            compileQuietly(sb.toString());
        }
    }

    private static void compileQuietly(String s) {
        KafelOptions opts = KafelOptions.defaults().withSearchPaths(List.of("inc"))
                .withIncludes(IncludeResolver.of(java.util.Map.of("inc/x", "ALLOW { read }\n", "inc/loop", "#include \"loop\"\n")));
        try {
            BpfProgram p = KafelCompiler.compile(s, opts);
            BpfInterpreter.validate(p);
        } catch (KafelException expected) {
            // fine: the only allowed failure
        }
    }

    /** Random generated policies: the BPF interpreter and the model's explain always agree. */
    static LongStream seeds400() {
        return LongStream.rangeClosed(1, 400);
    }

    static LongStream seeds200() {
        return LongStream.rangeClosed(1001, 1200);
    }

    @ParameterizedTest
    @MethodSource("seeds400")
    void bpfAgreesWithExplainOnRandomPolicies(long seed) throws KafelException {
        Random rnd = new Random(seed);
        Arch[] archs = {Arch.X86_64, Arch.AARCH64, Arch.X86, Arch.MIPS};
        Arch arch = archs[rnd.nextInt(archs.length)];
        String policy = RandomPolicies.policy(rnd, arch);
        PolicyModel model;
        BpfProgram prog;
        try {
            model = KafelCompiler.resolve(policy, KafelOptions.defaults().withTargets(arch));
            prog = model.toBpf();
        } catch (KafelException e) {
            if (e.getMessage().contains("stack") || e.getMessage().contains("Filter length")) {
                return;
            }
            throw e;
        }
        for (int i = 0; i < 60; i++) {
            SeccompData d = RandomPolicies.input(rnd, arch);
            int bpf = BpfInterpreter.run(prog, d);
            assertEquals(model.explain(d).ret(), bpf, () -> policy + "\n" + d + "\n" + prog.disassemble());
        }
    }

    /** The same agreement on the sample policies with random inputs around their constants. */
    @ParameterizedTest
    @MethodSource("seeds200")
    void bpfAgreesWithExplainOnSamples(long seed) throws KafelException {
        Random rnd = new Random(seed);
        List<CaseFile> cases = new ArrayList<>(CaseFile.load("samples.jsonl"));
        cases.removeIf(CaseFile::expectError);
        CaseFile c = cases.get(rnd.nextInt(cases.size()));
        PolicyModel model = KafelCompiler.resolve(c.policy(), c.options());
        BpfProgram prog = model.toBpf();
        Arch arch = c.targets().iterator().next();
        for (int i = 0; i < 50; i++) {
            SeccompData d = RandomPolicies.input(rnd, arch);
            assertEquals(model.explain(d).ret(), BpfInterpreter.run(prog, d), () -> c.name() + " " + d);
        }
    }
}
