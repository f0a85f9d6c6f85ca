package org.jnsjail.net;

/**
 * fib_rule_hdr.action values (linux/fib_rules.h) that traffic rules use: nsjail's DROP is
 * FR_ACT_BLACKHOLE, REJECT is FR_ACT_UNREACHABLE, ALLOW is FR_ACT_TO_TBL with table main.
 */
public enum FrAction {
    FR_ACT_TO_TBL(1), FR_ACT_BLACKHOLE(6), FR_ACT_UNREACHABLE(7);

    public final int value;

    FrAction(int value) {
        this.value = value;
    }
}
