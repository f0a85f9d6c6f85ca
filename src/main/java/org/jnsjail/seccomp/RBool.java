package org.jnsjail.seccomp;

/** Resolved, simplified conditions. Constructors via the static factories fold constants (§1.6). */
sealed interface RBool {
    RBool TRUE = new Lit(true);
    RBool FALSE = new Lit(false);

    enum CmpOp { EQ, NE, LT, LE, GT, GE }

    record Lit(boolean value) implements RBool {}

    /** A comparison; {@code wide} false means only the low 32 bits of each side are compared. */
    record Cmp(CmpOp op, RExpr left, RExpr right, boolean wide) implements RBool {}

    record And(RBool left, RBool right) implements RBool {}

    record Or(RBool left, RBool right) implements RBool {}

    record Not(RBool child) implements RBool {}

    static RBool cmp(CmpOp op, RExpr l, RExpr r) {
        if (l instanceof RExpr.Const(long a) && r instanceof RExpr.Const(long b)) {
            return lit(compare(op, a, b));
        }
        if (l instanceof RExpr.Arg x && r instanceof RExpr.Arg y && x.index() == y.index()) {
            return lit(op == CmpOp.EQ || op == CmpOp.LE || op == CmpOp.GE);
        }
        return new Cmp(op, l, r, RExpr.wide(l) || RExpr.wide(r));
    }

    static RBool and(RBool l, RBool r) {
        if (FALSE.equals(l) || FALSE.equals(r)) {
            return FALSE;
        }
        return TRUE.equals(l) ? r : TRUE.equals(r) ? l : new And(l, r);
    }

    static RBool or(RBool l, RBool r) {
        if (TRUE.equals(l) || TRUE.equals(r)) {
            return TRUE;
        }
        return FALSE.equals(l) ? r : FALSE.equals(r) ? l : new Or(l, r);
    }

    static RBool not(RBool c) {
        return TRUE.equals(c) ? FALSE : FALSE.equals(c) ? TRUE : new Not(c);
    }

    private static RBool lit(boolean v) {
        return v ? TRUE : FALSE;
    }

    static boolean compare(CmpOp op, long a, long b) {
        int c = Long.compareUnsigned(a, b); // Kafel has no signed comparisons
        return switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    /** The condition's value for concrete arguments: the reference semantics used by explain. */
    static boolean eval(RBool b, long[] args) {
        return switch (b) {
            case Lit(boolean v) -> v;
            case Cmp(CmpOp op, RExpr l, RExpr r, boolean wide) -> {
                long a = RExpr.eval(l, args);
                long c = RExpr.eval(r, args);
                yield wide ? compare(op, a, c) : compare(op, a & 0xffffffffL, c & 0xffffffffL);
            }
            case And(RBool l, RBool r) -> eval(l, args) && eval(r, args);
            case Or(RBool l, RBool r) -> eval(l, args) || eval(r, args);
            case Not(RBool c) -> !eval(c, args);
        };
    }
}
