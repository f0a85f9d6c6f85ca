package org.jnsjail.model;

import java.util.EnumMap;
import java.util.Map;

import org.jnsjail.sys.RLimit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a supervisor started by the caller has: nsjail raises RLIMIT_NOFILE's soft limit to min(8192, hard). */
class CallerTest {
    private static Caller.Limit nofile(long soft, long hard) {
        Map<RLimit, Caller.Limit> m = new EnumMap<>(RLimit.class);
        m.put(RLimit.RLIMIT_NOFILE, new Caller.Limit(soft, hard));
        m.put(RLimit.RLIMIT_STACK, new Caller.Limit(soft, hard));
        Caller c = new Caller(Map.of(), "/", m, -1, -1);
        assertEquals(new Caller.Limit(soft, hard), c.inherited(RLimit.RLIMIT_STACK), "only NOFILE is raised");
        return c.inherited(RLimit.RLIMIT_NOFILE);
    }

    /** The cases measured with nsjail itself (../shared/tools/nsjail, `--rlimit_nofile def` and --disable_rlimits). */
    @Test
    void nsjailsObservedResults() {
        assertEquals(new Caller.Limit(20000, 20000), nofile(20000, 20000));
        assertEquals(new Caller.Limit(10000, 20000), nofile(10000, 20000));
        assertEquals(new Caller.Limit(8192, 20000), nofile(1024, 20000));
        assertEquals(new Caller.Limit(4000, 4000), nofile(100, 4000));
        assertEquals(new Caller.Limit(100, 100), nofile(100, 100));
        assertEquals(new Caller.Limit(8192, -1), nofile(1024, -1), "an infinite hard limit compares unsigned");
    }
}
