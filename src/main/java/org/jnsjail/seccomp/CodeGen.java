package org.jnsjail.seccomp;

import static org.jnsjail.seccomp.BpfInsn.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jnsjail.sys.Structs;

/**
 * Emits Kafel-shaped classic BPF from a {@link PolicyModel} (§2): arch dispatch, a balanced JGE search
 * over syscall-number ranges, and per-number condition chains with 64-bit comparisons split into
 * 32-bit words (high word first at run time).
 *
 * <p>Code is emitted back to front, so every jump target already exists: a position is the index from
 * the end, and a jump emitted at position n to position t has offset n - t - 1. Targets more than 255
 * away get a trampoline (a copy of the RET, or a JA). Unlike Kafel, no dead code can end up at the
 * entry point (§2.6): the entry is always the last instruction emitted.
 */
final class CodeGen {
    private static final int MAX_JUMP = 255;
    private static final int OFF_NR = Structs.SeccompData.NR;
    private static final int OFF_ARCH = Structs.SeccompData.ARCH;

    private record Branch(RBool cond, Action action) {}

    /** Code for one syscall-number range: condition chain, then {@code fallback}. */
    private record Leaf(List<Branch> branches, Action fallback) {
        boolean pure() {
            return branches.isEmpty();
        }
    }

    private record Range(long first, long last, Leaf leaf) {}

    private final List<BpfInsn> rev = new ArrayList<>();
    private final Map<Integer, Integer> retPos = new HashMap<>();
    private Arch arch;

    private CodeGen() {}

    static BpfProgram generate(PolicyModel model) throws KafelException {
        return new CodeGen().program(model);
    }

    private BpfProgram program(PolicyModel model) throws KafelException {
        List<Arch> live = new ArrayList<>();
        Map<Arch, List<Range>> ranges = new HashMap<>();
        for (Arch a : model.targets()) {
            List<Range> r = tile(model, a);
            Leaf only = r.size() == 1 ? r.get(0).leaf() : null;
            if (only == null || !only.pure() || !only.fallback().equals(Action.KILL)) {
                live.add(a); // an all-KILL arch needs no JEQ: a mismatch kills anyway
                ranges.put(a, r);
            }
        }
        if (live.isEmpty()) {
            ret(Action.KILL);
        } else {
            Map<Arch, Integer> entries = new HashMap<>();
            for (Arch a : live) {
                arch = a;
                entries.put(a, block(ranges.get(a)));
            }
            int next = ret(Action.KILL);
            for (Arch a : live) { // ascending bit order emitted first = highest bit tested first
                next = jump(JMP | JEQ | K, a.audit, entries.get(a), next);
            }
            fallInto(next);
            emit(stmt(LD | W | ABS, OFF_ARCH));
        }
        if (rev.size() > BpfProgram.MAX_INSNS) {
            throw new KafelException(null, "Filter length exceeds maximum seccomp filter length: "
                    + rev.size() + " > " + BpfProgram.MAX_INSNS);
        }
        List<BpfInsn> out = new ArrayList<>(rev);
        Collections.reverse(out);
        return new BpfProgram(out);
    }

    // ---------------------------------------------------------------- ranges

    /** Tiles [0, 2^32) for one arch: merged rule chains per number, DEFAULT in the gaps. */
    private static List<Range> tile(PolicyModel model, Arch a) {
        TreeMap<Long, List<Rule>> byNr = new TreeMap<>();
        for (Rule r : model.rules(a)) {
            byNr.computeIfAbsent(Integer.toUnsignedLong(r.nr()), k -> new ArrayList<>()).add(r);
        }
        List<Range> out = new ArrayList<>();
        long cursor = 0;
        for (var e : byNr.entrySet()) {
            long nr = e.getKey();
            if (nr > cursor) {
                gap(model, a, cursor, nr - 1, out);
            }
            add(out, new Range(nr, nr, chain(e.getValue(), model.defaultAction())));
            cursor = nr + 1;
        }
        if (cursor <= 0xffffffffL) {
            gap(model, a, cursor, 0xffffffffL, out);
        }
        return out;
    }

    private static Leaf chain(List<Rule> rules, Action def) {
        List<Branch> branches = new ArrayList<>();
        Action fallback = def;
        for (Rule r : rules) {
            if (RBool.TRUE.equals(r.cond())) {
                fallback = r.action(); // first unconditional rule ends the chain
                break;
            }
            branches.add(new Branch(r.cond(), r.action()));
        }
        Action f = fallback;
        if (branches.stream().allMatch(b -> b.action().equals(f))) {
            branches.clear(); // conditions cannot change the outcome
        }
        return new Leaf(List.copyOf(branches), fallback);
    }

    private static void gap(PolicyModel model, Arch a, long first, long last, List<Range> out) {
        Leaf def = new Leaf(List.of(), model.defaultAction());
        if (!model.x32Guarded(a, PolicyModel.X32_SYSCALL_BIT)) {
            add(out, new Range(first, last, def));
            return;
        }
        Leaf kill = new Leaf(List.of(), Action.KILL);
        long s = first;
        while (s <= last) {
            long segEnd = (s | 0x3fffffffL); // x32 bit is constant within each quarter of the space
            long e = Math.min(last, segEnd);
            add(out, new Range(s, e, (s & PolicyModel.X32_SYSCALL_BIT) != 0 ? kill : def));
            s = e + 1;
        }
    }

    private static void add(List<Range> out, Range r) {
        if (!out.isEmpty()) {
            Range prev = out.get(out.size() - 1);
            if (prev.leaf().pure() && r.leaf().pure() && prev.leaf().fallback().equals(r.leaf().fallback())) {
                out.set(out.size() - 1, new Range(prev.first(), r.last(), prev.leaf()));
                return;
            }
        }
        out.add(r);
    }

    // ---------------------------------------------------------------- blocks

    private int block(List<Range> ranges) throws KafelException {
        if (ranges.size() == 1 && ranges.get(0).leaf().pure()) {
            return ret(ranges.get(0).leaf().fallback());
        }
        fallInto(tree(ranges, 0, ranges.size()));
        return emit(stmt(LD | W | ABS, OFF_NR));
    }

    private int tree(List<Range> ranges, int lo, int hi) throws KafelException {
        if (hi - lo == 1) {
            return leaf(ranges.get(lo).leaf());
        }
        int mid = (lo + hi) >>> 1;
        int upper = tree(ranges, mid, hi);
        int lower = tree(ranges, lo, mid);
        return jump(JMP | JGE | K, (int) ranges.get(mid).first(), upper, lower);
    }

    private int leaf(Leaf leaf) throws KafelException {
        int next = ret(leaf.fallback());
        for (int i = leaf.branches().size() - 1; i >= 0; i--) {
            Branch b = leaf.branches().get(i);
            next = cond(b.cond(), ret(b.action()), next);
        }
        return next;
    }

    // ---------------------------------------------------------------- conditions

    private int cond(RBool c, int t, int f) throws KafelException {
        return switch (c) {
            case RBool.Lit(boolean v) -> v ? t : f;
            case RBool.Not(RBool child) -> cond(child, f, t);
            case RBool.And(RBool l, RBool r) -> cond(l, cond(r, t, f), f);
            case RBool.Or(RBool l, RBool r) -> cond(l, t, cond(r, t, f));
            case RBool.Cmp(RBool.CmpOp op, RExpr l, RExpr r, boolean wide) -> cmp(op, l, r, wide, t, f);
        };
    }

    private int cmp(RBool.CmpOp op, RExpr l, RExpr r, boolean wide, int t, int f) throws KafelException {
        switch (op) { // derived operators swap the targets
            case NE -> { return cmp(RBool.CmpOp.EQ, l, r, wide, f, t); }
            case LT -> { return cmp(RBool.CmpOp.GE, l, r, wide, f, t); }
            case LE -> { return cmp(RBool.CmpOp.GT, l, r, wide, f, t); }
            default -> { }
        }
        if (t == f) {
            return t;
        }
        int jop = op == RBool.CmpOp.EQ ? JEQ : op == RBool.CmpOp.GT ? JGT : JGE;
        int low = word(jop, l, r, false, t, f);
        if (!wide) {
            return low;
        }
        if (jop == JEQ) {
            return word(JEQ, l, r, true, low, f);
        }
        return high(l, r, t, low, f);
    }

    /** One 32-bit comparison {@code l OP r} on the low or high words. */
    private int word(int jop, RExpr l, RExpr r, boolean hi, int t, int f) throws KafelException {
        if (t == f) {
            return t;
        }
        Long cl = RExpr.constWord(l, hi);
        Long cr = RExpr.constWord(r, hi);
        if (cl != null && cr != null) {
            boolean v = switch (jop) {
                case JEQ -> cl.longValue() == cr.longValue();
                case JGT -> cl > cr;
                default -> cl >= cr;
            };
            return v ? t : f;
        }
        if (cl != null) { // constant on the left: l > r == !(r >= l), l >= r == !(r > l)
            return switch (jop) {
                case JEQ -> word(JEQ, r, l, hi, t, f);
                case JGT -> word(JGE, r, l, hi, f, t);
                default -> word(JGT, r, l, hi, f, t);
            };
        }
        if (cr != null) {
            long k = cr;
            if (jop == JGE && k == 0) {
                return t;
            }
            if (jop == JGT && k == 0xffffffffL) {
                return f;
            }
            jump(JMP | jop | K, (int) k, t, f);
            return eval(l, hi, 0);
        }
        jump(JMP | jop | X, 0, t, f);
        return pair(l, r, hi, 0);
    }

    /** High words of an ordering comparison: l > r goes to t, l < r to f, equal to eq. */
    private int high(RExpr l, RExpr r, int t, int eq, int f) throws KafelException {
        Long cl = RExpr.constWord(l, true);
        Long cr = RExpr.constWord(r, true);
        if (cl != null && cr != null) {
            return cl > cr ? t : cl < cr ? f : eq;
        }
        if (cl != null) {
            return high(r, l, f, eq, t);
        }
        int before = rev.size();
        if (cr != null) {
            long k = cr;
            int second = k == 0 ? eq : jump(JMP | JGE | K, (int) k, eq, f);
            int first = k == 0xffffffffL ? second : jump(JMP | JGT | K, (int) k, t, second);
            return first >= before ? eval(l, true, 0) : first;
        }
        int second = jump(JMP | JGE | X, 0, eq, f);
        int first = jump(JMP | JGT | X, 0, t, second);
        return first >= before ? pair(l, r, true, 0) : first;
    }

    /** Emits code leaving word {@code hi} of {@code e} in A, falling into the last emitted instruction. */
    private int eval(RExpr e, boolean hi, int sp) throws KafelException {
        switch (e) {
            case RExpr.Arg a -> {
                return emit(stmt(LD | W | ABS, arch.argWordOffset(a.index(), hi)));
            }
            case RExpr.Const c -> throw new IllegalStateException("constant word reached eval");
            case RExpr.Bit(boolean and, RExpr l0, RExpr r0) -> {
                RExpr l = l0;
                RExpr r = r0;
                if (RExpr.constWord(l, hi) != null) { // & and | commute: keep the constant on the right
                    l = r0;
                    r = l0;
                }
                int aluOp = and ? AND : OR;
                Long k = RExpr.constWord(r, hi);
                if (k != null) {
                    if ((and && k == 0xffffffffL) || (!and && k == 0)) {
                        return eval(l, hi, sp); // identity: no ALU instruction
                    }
                    emit(stmt(ALU | aluOp | K, (int) k.longValue()));
                    return eval(l, hi, sp);
                }
                emit(stmt(ALU | aluOp | X, 0));
                return pair(l, r, hi, sp);
            }
        }
    }

    /**
     * Leaves l in A and r in X. The right side goes through X, or through scratch M[sp] when the left
     * side is itself an expression (Kafel's rule, which decides when 16 words of scratch run out).
     */
    private int pair(RExpr l, RExpr r, boolean hi, int sp) throws KafelException {
        if (l instanceof RExpr.Arg) {
            eval(l, hi, sp);
            emit(stmt(MISC | TAX, 0));
            return eval(r, hi, sp);
        }
        if (sp >= BpfInterpreter.MEM_WORDS) {
            throw new KafelException(null, "Required stack size exceeds available BPF memory");
        }
        emit(stmt(LDX | W | MEM, sp));
        eval(l, hi, sp + 1);
        emit(stmt(ST, sp));
        return eval(r, hi, sp);
    }

    // ---------------------------------------------------------------- emission

    private int pos() {
        return rev.size();
    }

    private int emit(BpfInsn i) {
        rev.add(i);
        if (i.isRet()) {
            retPos.put(i.k(), rev.size() - 1);
        }
        return rev.size() - 1;
    }

    /** A RET for {@code a}: reuses a recent one when a jump can still reach it. */
    private int ret(Action a) {
        Integer p = retPos.get(a.ret());
        if (p != null && pos() - p - 1 <= MAX_JUMP - 8) { // slack for trampolines emitted meanwhile
            return p;
        }
        return emit(stmt(RET | K, a.ret()));
    }

    /** Emits a conditional jump; far targets go through trampolines first. */
    private int jump(int code, int k, int t, int f) {
        if (t == f) {
            return t;
        }
        while (true) {
            int n = pos();
            if (n - t - 1 > MAX_JUMP) {
                t = trampoline(t);
            } else if (n - f - 1 > MAX_JUMP) {
                f = trampoline(f);
            } else {
                return emit(new BpfInsn(code, n - t - 1, n - f - 1, k));
            }
        }
    }

    /** One instruction that goes to {@code target}: a copy of it if it is a RET, else a JA. */
    private int trampoline(int target) {
        BpfInsn ti = rev.get(target);
        if (ti.isRet()) {
            return emit(ti);
        }
        return emit(stmt(JMP | JA, pos() - target - 1));
    }

    /** Makes {@code entry} the next instruction in program order after whatever is emitted next. */
    private void fallInto(int entry) {
        if (entry != pos() - 1) {
            trampoline(entry);
        }
    }
}
