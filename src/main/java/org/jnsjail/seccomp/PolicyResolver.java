package org.jnsjail.seccomp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jnsjail.seccomp.Ast.ActionBlock;
import org.jnsjail.seccomp.Ast.Binary;
import org.jnsjail.seccomp.Ast.Entry;
import org.jnsjail.seccomp.Ast.Expr;
import org.jnsjail.seccomp.Ast.Filter;
import org.jnsjail.seccomp.Ast.Ident;
import org.jnsjail.seccomp.Ast.Not;
import org.jnsjail.seccomp.Ast.Num;
import org.jnsjail.seccomp.Ast.PolicyDef;
import org.jnsjail.seccomp.Ast.SyscallRef;
import org.jnsjail.seccomp.Ast.Use;

/**
 * Semantic phase (§1.3–§1.7): validates every policy for every target arch (in Kafel's order, first
 * error wins), then flattens the main policy into per-arch rule lists.
 */
final class PolicyResolver {
    private PolicyResolver() {}

    static PolicyModel resolve(Ast.Program prog, KafelOptions opts) throws KafelException {
        List<Arch> targets = opts.orderedTargets();
        for (Arch arch : targets) {
            validate(prog, arch);
        }
        Map<Arch, List<Rule>> rules = new EnumMap<>(Arch.class);
        for (Arch arch : targets) {
            List<Rule> out = new ArrayList<>();
            if (prog.main() != null) {
                expand(prog.main(), arch, new HashSet<>(), out);
            }
            rules.put(arch, List.copyOf(out));
        }
        Action def = prog.defaultAction() == null ? Action.KILL : prog.defaultAction();
        return new PolicyModel(targets, rules, def, opts.killX32());
    }

    private static void validate(Ast.Program prog, Arch arch) throws KafelException {
        SyscallTable table = SyscallTable.of(arch);
        for (PolicyDef p : prog.policies()) {
            for (Entry e : p.entries) {
                if (!(e instanceof ActionBlock block)) {
                    continue;
                }
                for (Filter f : block.filters()) {
                    if (f.archs() != null && !f.archs().contains(arch)) {
                        continue; // guarded out: neither validated nor compiled
                    }
                    SyscallRef ref = f.syscall();
                    if (ref.name() != null && table.byName(ref.name()) == null) {
                        throw new KafelException(ref.loc(), "Undefined identifier `" + ref.name() + "'");
                    }
                    if (f.cond() != null) {
                        checkIdents(f.cond(), argsOf(ref, table));
                    }
                }
            }
        }
    }

    private static void checkIdents(Expr e, List<SyscallTable.Arg> args) throws KafelException {
        switch (e) {
            case Binary b -> {
                checkIdents(b.left(), args);
                checkIdents(b.right(), args);
            }
            case Not n -> checkIdents(n.child(), args);
            case Ident id -> {
                if (indexOf(args, id.name()) < 0) {
                    // Kafel's message ends in "\n" here; the newline is dropped, it only garbles output.
                    throw new KafelException(id.loc(), "Undefined identifier `" + id.name() + "'");
                }
            }
            case Num n -> { }
        }
    }

    /** Argument names visible in a filter: custom ones (all 64-bit), else the table's, else none. */
    private static List<SyscallTable.Arg> argsOf(SyscallRef ref, SyscallTable table) {
        if (ref.customArgs() != null) {
            List<SyscallTable.Arg> out = new ArrayList<>(ref.customArgs().size());
            for (String n : ref.customArgs()) {
                out.add(new SyscallTable.Arg(n, 8));
            }
            return out;
        }
        if (ref.name() != null) {
            return table.byName(ref.name()).args();
        }
        return List.of();
    }

    private static int indexOf(List<SyscallTable.Arg> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void expand(PolicyDef p, Arch arch, Set<PolicyDef> done, List<Rule> out) {
        done.add(p);
        SyscallTable table = SyscallTable.of(arch);
        for (Entry e : p.entries) {
            switch (e) {
                case Use u -> {
                    if (!done.contains(u.target())) { // re-expansion could never match first anyway
                        expand(u.target(), arch, done, out);
                    }
                }
                case ActionBlock block -> {
                    for (Filter f : block.filters()) {
                        if (f.archs() != null && !f.archs().contains(arch)) {
                            continue;
                        }
                        SyscallRef ref = f.syscall();
                        int nr = ref.name() != null ? table.byName(ref.name()).nr() : ref.number();
                        RBool cond = f.cond() == null ? RBool.TRUE : bool(f.cond(), argsOf(ref, table));
                        if (!RBool.FALSE.equals(cond)) {
                            out.add(new Rule(nr, cond, block.action(), p.name, f.loc()));
                        }
                    }
                }
            }
        }
    }

    private static RBool bool(Expr e, List<SyscallTable.Arg> args) {
        return switch (e) {
            case Not n -> RBool.not(bool(n.child(), args));
            case Binary b -> switch (b.op()) {
                case LOGIC_AND -> RBool.and(bool(b.left(), args), bool(b.right(), args));
                case LOGIC_OR -> RBool.or(bool(b.left(), args), bool(b.right(), args));
                case EQ -> RBool.cmp(RBool.CmpOp.EQ, value(b.left(), args), value(b.right(), args));
                case NEQ -> RBool.cmp(RBool.CmpOp.NE, value(b.left(), args), value(b.right(), args));
                case LT -> RBool.cmp(RBool.CmpOp.LT, value(b.left(), args), value(b.right(), args));
                case LE -> RBool.cmp(RBool.CmpOp.LE, value(b.left(), args), value(b.right(), args));
                case GT -> RBool.cmp(RBool.CmpOp.GT, value(b.left(), args), value(b.right(), args));
                case GE -> RBool.cmp(RBool.CmpOp.GE, value(b.left(), args), value(b.right(), args));
                case BIT_AND, BIT_OR -> throw new IllegalStateException("value in condition position");
            };
            case Num n -> throw new IllegalStateException("value in condition position");
            case Ident i -> throw new IllegalStateException("value in condition position");
        };
    }

    private static RExpr value(Expr e, List<SyscallTable.Arg> args) {
        return switch (e) {
            case Num n -> new RExpr.Const(n.value());
            case Ident id -> {
                int i = indexOf(args, id.name());
                yield new RExpr.Arg(i, args.get(i).size() == 8 ? 8 : 4, id.name());
            }
            case Binary b when b.op() == Ast.Op.BIT_AND -> RExpr.bit(true, value(b.left(), args), value(b.right(), args));
            case Binary b when b.op() == Ast.Op.BIT_OR -> RExpr.bit(false, value(b.left(), args), value(b.right(), args));
            case Binary b -> throw new IllegalStateException("condition in value position");
            case Not n -> throw new IllegalStateException("condition in value position");
        };
    }
}
