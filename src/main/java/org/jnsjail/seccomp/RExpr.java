package org.jnsjail.seccomp;

/**
 * Resolved argument expressions for one arch: identifiers became argument slots with a size, and the
 * tree was simplified the way Kafel does (64-bit folding, identities), which decides comparison width.
 */
sealed interface RExpr {
    /** A u64 constant. */
    record Const(long value) implements RExpr {}

    /** {@code args[index]}; {@code size} 8 makes comparisons involving it 64-bit. */
    record Arg(int index, int size, String name) implements RExpr {}

    /** Bitwise {@code &} or {@code |}. */
    record Bit(boolean and, RExpr left, RExpr right) implements RExpr {}

    /** Simplifying constructor for bit operations (§1.6). */
    static RExpr bit(boolean and, RExpr l, RExpr r) {
        if (l instanceof Const(long a) && r instanceof Const(long b)) {
            return new Const(and ? a & b : a | b);
        }
        for (int i = 0; i < 2; i++) {
            RExpr c = i == 0 ? l : r;
            RExpr other = i == 0 ? r : l;
            if (c instanceof Const(long v)) {
                if (v == 0) {
                    return and ? c : other;
                }
                if (v == -1L) {
                    return and ? other : c;
                }
            }
        }
        return new Bit(and, l, r);
    }

    /** True if any leaf is a 64-bit argument or a constant above 0xFFFFFFFF (Kafel's width rule). */
    static boolean wide(RExpr e) {
        return switch (e) {
            case Const(long v) -> Long.compareUnsigned(v, 0xffffffffL) > 0;
            case Arg a -> a.size() == 8;
            case Bit(boolean and, RExpr l, RExpr r) -> wide(l) || wide(r);
        };
    }

    /** Full 64-bit value for the given syscall arguments. */
    static long eval(RExpr e, long[] args) {
        return switch (e) {
            case Const(long v) -> v;
            case Arg a -> args[a.index()];
            case Bit(boolean and, RExpr l, RExpr r) -> and ? eval(l, args) & eval(r, args) : eval(l, args) | eval(r, args);
        };
    }

    /** Value of one 32-bit word if it is known at compile time (per-word constant analysis), else null. */
    static Long constWord(RExpr e, boolean high) {
        return switch (e) {
            case Const(long v) -> high ? (v >>> 32) : (v & 0xffffffffL);
            case Arg a -> null;
            case Bit(boolean and, RExpr l, RExpr r) -> {
                Long a = constWord(l, high);
                Long b = constWord(r, high);
                if (a != null && b != null) {
                    yield and ? a & b : a | b;
                }
                Long c = a != null ? a : b;
                if (c != null && and && c == 0) {
                    yield 0L;
                }
                if (c != null && !and && c == 0xffffffffL) {
                    yield 0xffffffffL;
                }
                yield null;
            }
        };
    }
}
