package org.jnsjail.seccomp;

/**
 * Why a syscall gets its action: the deciding rule's policy and position, or the DEFAULT, or an arch
 * mismatch (always KILL in Kafel).
 */
public record Explanation(Action action, Reason reason, String policy, SourceLoc ruleLocation) {
    public enum Reason { RULE, DEFAULT, ARCH_MISMATCH, X32_GUARD }

    /** The 32-bit value the filter returns. */
    public int ret() {
        return action.ret();
    }

    @Override
    public String toString() {
        return switch (reason) {
            case RULE -> action + " by rule at " + ruleLocation + " in policy " + policy;
            case DEFAULT -> action + " by DEFAULT";
            case ARCH_MISMATCH -> action + " (arch not targeted)";
            case X32_GUARD -> action + " (x32 syscall number, killX32 option)";
        };
    }
}
