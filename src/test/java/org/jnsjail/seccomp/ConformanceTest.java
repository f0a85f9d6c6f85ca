package org.jnsjail.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One test per conformance record: compile errors, or exact return values for every input. */
class ConformanceTest {
    static Stream<CaseFile> asserted() {
        return CaseFile.load("asserted.jsonl").stream();
    }

    static Stream<CaseFile> samples() {
        return CaseFile.load("samples.jsonl").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("asserted")
    void asserted(CaseFile c) throws Exception {
        check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void samples(CaseFile c) throws Exception {
        check(c);
    }

    static void check(CaseFile c) throws Exception {
        if (c.expectError()) {
            KafelException e = assertThrows(KafelException.class, () -> KafelCompiler.compile(c.policy(), c.options()));
            if (c.expectedMessage() != null) {
                String want = c.expectedMessage().strip();
                if (want.startsWith("Filter length exceeds")) {
                    // Kafel only checks 65535; we enforce the kernel's 4096, so the numbers differ.
                    assertTrue(e.getMessage().startsWith("Filter length exceeds maximum seccomp filter length: "),
                            e.getMessage());
                } else {
                    assertEquals(want, e.getMessage());
                }
            }
            return;
        }
        BpfProgram prog;
        PolicyModel model;
        try {
            model = KafelCompiler.resolve(c.policy(), c.options());
            prog = model.toBpf();
        } catch (KafelException e) {
            fail("unexpected compile error: " + e.getMessage());
            return;
        }
        BpfInterpreter.validate(prog);
        for (CaseFile.Input in : c.inputs()) {
            SeccompData d = new SeccompData(in.nr(), in.arch().audit, 0xf00f00f0deadbeefL, in.args());
            int got = BpfInterpreter.run(prog, d);
            assertEquals(Integer.toHexString(in.expectedRet()), Integer.toHexString(got), () -> "BPF " + d
                    + " expected " + in.expectedAction() + "\n" + prog.disassemble());
            assertEquals(Integer.toHexString(in.expectedRet()), Integer.toHexString(model.explain(d).ret()),
                    () -> "explain " + d);
        }
    }
}
