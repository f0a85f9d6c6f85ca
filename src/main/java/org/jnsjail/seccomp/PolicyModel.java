package org.jnsjail.seccomp;

import java.util.List;
import java.util.Map;

/**
 * A policy resolved for its target arches: for each arch the main policy's rules in textual order
 * (USE expanded, arch guards applied, conditions simplified) and the DEFAULT action. This is the
 * reference semantics; the BPF code is generated from it and tests cross-check the two.
 */
public final class PolicyModel {
    static final int X32_SYSCALL_BIT = 0x40000000;

    private final List<Arch> targets;
    private final Map<Arch, List<Rule>> rules;
    private final Action defaultAction;
    private final boolean killX32;

    PolicyModel(List<Arch> targets, Map<Arch, List<Rule>> rules, Action defaultAction, boolean killX32) {
        this.targets = targets;
        this.rules = rules;
        this.defaultAction = defaultAction;
        this.killX32 = killX32;
    }

    /** Target arches in Kafel's bit order. */
    public List<Arch> targets() {
        return targets;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    List<Rule> rules(Arch arch) {
        return rules.get(arch);
    }

    boolean killX32() {
        return killX32;
    }

    /** True if {@code nr} falls under the optional x32 guard on this arch. */
    boolean x32Guarded(Arch arch, int nr) {
        return killX32 && arch == Arch.X86_64 && (nr & X32_SYSCALL_BIT) != 0;
    }

    /** The action for a syscall, and which rule decided it: first textual match wins (§1.7). */
    public Explanation explain(SeccompData data) {
        Arch arch = Arch.byAudit(data.arch());
        if (arch == null || !rules.containsKey(arch)) {
            return new Explanation(Action.KILL, Explanation.Reason.ARCH_MISMATCH, null, null);
        }
        boolean named = false;
        for (Rule r : rules.get(arch)) {
            if (r.nr() == data.nr()) {
                named = true;
                if (RBool.eval(r.cond(), data.args())) {
                    return new Explanation(r.action(), Explanation.Reason.RULE, r.policy(), r.loc());
                }
            }
        }
        if (!named && x32Guarded(arch, data.nr())) {
            return new Explanation(Action.KILL, Explanation.Reason.X32_GUARD, null, null);
        }
        return new Explanation(defaultAction, Explanation.Reason.DEFAULT, null, null);
    }

    /** Convenience: explain a syscall named as in Kafel's table for {@code arch}. */
    public Explanation explain(Arch arch, String syscall, long... args) throws KafelException {
        SyscallTable.Syscall s = SyscallTable.of(arch).byName(syscall);
        if (s == null) {
            throw new KafelException(null, "Undefined identifier `" + syscall + "' for " + arch);
        }
        return explain(new SeccompData(s.nr(), arch.audit, 0, args));
    }

    /** Generates the BPF program (compile errors: scratch memory, length). */
    public BpfProgram toBpf() throws KafelException {
        return CodeGen.generate(this);
    }
}
