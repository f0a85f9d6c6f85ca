package org.jnsjail.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Warnings about a policy that compiles but may not decide what its author meant; the compiled
 * decisions are never changed (jnsjail-policy prints these, nothing else reads them).
 *
 * <p>The one check so far: a deny rule that compares a 32-bit argument as a 64-bit value. Kafel
 * compares an argument as wide as its syscall table declares it, except that a custom argument list
 * ({@code write(fd)}) makes every argument 64-bit; the kernel reads an {@code int} argument's low 32
 * bits only (the SYSCALL_DEFINE wrappers truncate the register). So {@code KILL { write(fd) { fd == 2 } }}
 * does not match {@code write(0x100000002, ...)}, which the kernel carries out as a write to fd 2:
 * when such a call falls through to an ALLOW (or LOG), the rule is bypassed. Masking the argument
 * ({@code (fd & 0xffffffff) == 2}) or the table's own argument names (which keep Kafel's 32-bit
 * comparison) close the gap.
 */
public final class PolicyLint {
    private PolicyLint() {}

    /** One line per rule and argument, in policy order: {@code "line:col: warning: ..."}. */
    public static List<String> check(PolicyModel model) {
        Set<String> out = new LinkedHashSet<>(); // a rule warns once, whatever the number of target arches
        for (Arch arch : model.targets()) {
            SyscallTable table = SyscallTable.of(arch);
            List<Rule> rules = model.rules(arch);
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                if (permissive(r.action())) continue;
                String fallsTo = fallsTo(model, rules, i);
                if (fallsTo == null) continue;
                SyscallTable.Syscall s = table.byNumber(r.nr());
                List<RExpr.Arg> unsafe = new ArrayList<>();
                collect(r.cond(), s, unsafe);
                for (RExpr.Arg a : unsafe) {
                    String call = s != null ? s.name() : "SYSCALL[" + Integer.toUnsignedString(r.nr()) + "]";
                    out.add(r.loc() + ": warning: " + r.action() + " rule on " + call + " compares '" + a.name()
                            + "' as a 64-bit value, but the kernel reads only its low 32 bits: a call with the upper bits"
                            + " set is not matched and falls through to " + fallsTo + "; compare (" + a.name()
                            + " & 0xffffffff) instead");
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean permissive(Action a) {
        return a.kind() == SeccompRet.ALLOW || a.kind() == SeccompRet.LOG;
    }

    /** Where a call not matched by rule i may end permissively: a later rule for the same syscall, or DEFAULT; else null. */
    private static String fallsTo(PolicyModel model, List<Rule> rules, int i) {
        Rule r = rules.get(i);
        for (int j = i + 1; j < rules.size(); j++) {
            Rule later = rules.get(j);
            if (later.nr() == r.nr() && permissive(later.action())) return later.action() + " at " + later.loc();
        }
        return permissive(model.defaultAction()) ? "DEFAULT " + model.defaultAction() : null;
    }

    /** Arguments the kernel reads as 32 bits whose upper half can change a 64-bit comparison of c. */
    private static void collect(RBool c, SyscallTable.Syscall s, List<RExpr.Arg> out) {
        switch (c) {
            case RBool.Lit l -> { }
            case RBool.And(RBool l, RBool r) -> {
                collect(l, s, out);
                collect(r, s, out);
            }
            case RBool.Or(RBool l, RBool r) -> {
                collect(l, s, out);
                collect(r, s, out);
            }
            case RBool.Not(RBool n) -> collect(n, s, out);
            case RBool.Cmp cmp -> {
                if (!cmp.wide()) return;
                for (RExpr side : List.of(cmp.left(), cmp.right())) {
                    for (RExpr.Arg a : args(side)) {
                        int kernel = s != null && a.index() < s.args().size() ? s.args().get(a.index()).size() : 8;
                        if (kernel <= 4 && highReaches(side, a) && !out.contains(a)) out.add(a);
                    }
                }
            }
        }
    }

    private static List<RExpr.Arg> args(RExpr e) {
        return switch (e) {
            case RExpr.Const c -> List.of();
            case RExpr.Arg a -> List.of(a);
            case RExpr.Bit(boolean and, RExpr l, RExpr r) -> {
                List<RExpr.Arg> out = new ArrayList<>(args(l));
                out.addAll(args(r));
                yield out;
            }
        };
    }

    /** Whether a's upper 32 bits can reach e's upper word (not masked off by & 0 or | 0xffffffff there). */
    private static boolean highReaches(RExpr e, RExpr.Arg a) {
        return switch (e) {
            case RExpr.Const c -> false;
            case RExpr.Arg x -> x.equals(a);
            case RExpr.Bit(boolean and, RExpr l, RExpr r) -> {
                Long kl = RExpr.constWord(l, true), kr = RExpr.constWord(r, true);
                long absorbing = and ? 0L : 0xffffffffL;
                if ((kl != null && kl == absorbing) || (kr != null && kr == absorbing)) yield false;
                yield highReaches(l, a) || highReaches(r, a);
            }
        };
    }
}
