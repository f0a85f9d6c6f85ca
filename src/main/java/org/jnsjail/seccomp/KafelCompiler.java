package org.jnsjail.seccomp;

/**
 * Compiles Kafel policies to seccomp classic BPF, conformant with google/kafel except where documented
 * in docs/seccomp.md (no entry-point bug, 4096-instruction limit, optional x32 guard).
 */
public final class KafelCompiler {
    private KafelCompiler() {}

    /** Parses, validates and compiles {@code policyText}. */
    public static BpfProgram compile(String policyText, KafelOptions opts) throws KafelException {
        return resolve(policyText, opts).toBpf();
    }

    /** Compiles with {@link KafelOptions#defaults()} (x86_64, no include paths). */
    public static BpfProgram compile(String policyText) throws KafelException {
        return compile(policyText, KafelOptions.defaults());
    }

    /**
     * Parses and validates {@code policyText} into the per-arch rule model, which can explain decisions
     * and generate code. Reports the same errors as {@link #compile} except code-generation ones.
     */
    public static PolicyModel resolve(String policyText, KafelOptions opts) throws KafelException {
        Lexer lexer = new Lexer(policyText, opts.searchPaths(), opts.includes());
        Ast.Program program = Parser.parse(lexer);
        return PolicyResolver.resolve(program, opts);
    }
}
