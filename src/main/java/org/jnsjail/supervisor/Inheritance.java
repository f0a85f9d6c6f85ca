package org.jnsjail.supervisor;

import java.util.EnumMap;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.sys.RLimit;

/**
 * What a jail must be given so that it inherits what a supervisor started by its caller would have
 * passed on: the resource limits where this JVM's own differ (the JVM raised RLIMIT_NOFILE to its hard
 * limit; a server's client may have lower ones). The stub and the jail start with this JVM's.
 */
final class Inheritance {
    private Inheritance() {}

    /** This JVM's limits, read once: only the CLI's start-up changes them (before any jail). */
    private static volatile Map<RLimit, Caller.Limit> own;

    static Map<RLimit, Caller.Limit> startLimits(Caller caller) {
        Map<RLimit, Caller.Limit> mine = own;
        if (mine == null) own = mine = Caller.ownLimits();
        Map<RLimit, Caller.Limit> out = new EnumMap<>(RLimit.class);
        for (RLimit r : RLimit.values()) {
            Caller.Limit want = caller.inherited(r);
            if (want != null && !want.equals(mine.get(r))) out.put(r, want);
        }
        return out;
    }
}
