package org.jnsjail.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parse tree of a Kafel program, before per-arch resolution. */
final class Ast {
    private Ast() {}

    /** Expression operators; the comparison ones are {@link #isComparison()}. */
    enum Op {
        LOGIC_AND, LOGIC_OR, BIT_AND, BIT_OR, EQ, NEQ, LT, LE, GT, GE;

        boolean isComparison() {
            return ordinal() >= EQ.ordinal();
        }
    }

    /** Argument expressions; constants were already substituted by the parser. */
    sealed interface Expr permits Num, Ident, Binary, Not {
        SourceLoc loc();

        /** Nesting depth: leaves are 0 (Kafel's MAX_EXPRESSION_DEPTH check). */
        int depth();
    }

    record Num(long value, SourceLoc loc) implements Expr {
        @Override
        public int depth() {
            return 0;
        }
    }

    record Ident(String name, SourceLoc loc) implements Expr {
        @Override
        public int depth() {
            return 0;
        }
    }

    record Binary(Op op, Expr left, Expr right, SourceLoc loc, int depth) implements Expr {}

    record Not(Expr child, SourceLoc loc, int depth) implements Expr {}

    /**
     * A syscall reference: by name ({@code name != null}), or by number ({@code SYSCALL[n]} or a
     * constant). {@code customArgs} is null when no {@code (...)} list was given.
     */
    record SyscallRef(String name, int number, List<String> customArgs, SourceLoc loc) {}

    /** One filter; {@code archs} is null without an ON guard; {@code cond} null means "always". */
    record Filter(SyscallRef syscall, Set<Arch> archs, Expr cond, SourceLoc loc) {}

    /** Body entries of a policy. */
    sealed interface Entry permits Use, ActionBlock {}

    record Use(PolicyDef target, SourceLoc loc) implements Entry {}

    record ActionBlock(Action action, List<Filter> filters, SourceLoc loc) implements Entry {}

    /** A named policy, or the implicit main policy "@main" (which grows as top-level statements arrive). */
    static final class PolicyDef {
        final String name;
        final SourceLoc loc;
        final List<Entry> entries = new ArrayList<>();

        PolicyDef(String name, SourceLoc loc) {
            this.name = name;
            this.loc = loc;
        }
    }

    /** The parse result: policies in registration order (Kafel validates them in this order). */
    record Program(List<PolicyDef> policies, PolicyDef main, Action defaultAction) {}
}
