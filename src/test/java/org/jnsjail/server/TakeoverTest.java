package org.jnsjail.server;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailSpec;
import org.jnsjail.sys.Pidfd;
import org.jnsjail.sys.RLimit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which clients the server may serve: the rules on their own, without processes. */
class TakeoverTest {
    private static Map<Pidfd.Ns, Pidfd.FileId> ns(long mntIno) {
        Map<Pidfd.Ns, Pidfd.FileId> m = new EnumMap<>(Pidfd.Ns.class);
        for (Pidfd.Ns n : Pidfd.Ns.values()) m.put(n, new Pidfd.FileId(4, n == Pidfd.Ns.MNT ? mntIno : 1000 + n.ordinal()));
        return m;
    }

    private static Map<RLimit, Caller.Limit> limits(long nofileHard) {
        Map<RLimit, Caller.Limit> m = new EnumMap<>(RLimit.class);
        for (RLimit r : RLimit.values()) m.put(r, new Caller.Limit(1024, r == RLimit.RLIMIT_NOFILE ? nofileHard : -1));
        return m;
    }

    private static Facts facts(long mnt, String caps, String seccomp, String sched, long nofileHard, List<String> cgroups) {
        return new Facts("0 0 0 0 / 0 0 0 0 / ", caps, 0, seccomp, 022, 0, "ff mems 1", ns(mnt), new Pidfd.FileId(8, 2),
                sched, "0", cgroups, "unconfined", limits(nofileHard), "/home");
    }

    private static final String CAPS = "0 1ff 1ff 1ff 0", SCHED = "nice 0, policy 0, rt priority 0, io priority 0";
    private static final List<String> CG = List.of("4:memory:/user", "0::/user/a");
    private static final Facts SERVER = facts(1, CAPS, "0 filters 0", SCHED, 20000, CG);
    private static final Map<String, String> ENV = Map.of("TZ", "UTC", "LANG", "C.UTF-8");
    private static final Takeover.Reported SAID = new Takeover.Reported(0, 0);

    private static String why(Facts client, Map<String, String> env) {
        return Takeover.beforeParsing(client, SERVER, SAID, SAID, env, ENV);
    }

    @Test
    void theSameProcessContextIsServed() {
        assertNull(why(facts(1, CAPS, "0 filters 0", SCHED, 20000, CG), ENV));
        // Lower limits and another cgroup2 are handed over, not refused.
        assertNull(why(facts(1, CAPS, "0 filters 0", SCHED, 4096, List.of("4:memory:/user", "0::/other")), ENV));
    }

    @Test
    void whatTheServerCannotHandOverRunsCold() {
        assertTrue(why(facts(2, CAPS, "0 filters 0", SCHED, 20000, CG), ENV).contains("mnt namespace"));
        assertTrue(why(facts(1, "0 0 0 1ff 0", "0 filters 0", SCHED, 20000, CG), ENV).contains("capability sets"));
        assertTrue(why(facts(1, CAPS, "2 filters 1", SCHED, 20000, CG), ENV).contains("seccomp"));
        assertTrue(why(facts(1, CAPS, "0 filters 0", "nice 0, policy 3, rt priority 0, io priority 0", 20000, CG), ENV)
                .contains("scheduling"));
        assertTrue(why(facts(1, CAPS, "0 filters 0", SCHED, 40000, CG), ENV).contains("hard RLIMIT_NOFILE (40000)"));
        assertTrue(why(facts(1, CAPS, "0 filters 0", SCHED, 20000, List.of("4:memory:/other", "0::/user/a")), ENV)
                .contains("cgroup v1"));
        Map<String, String> tz = new HashMap<>(ENV);
        tz.put("TZ", "Europe/Paris");
        assertTrue(why(SERVER, tz).contains("TZ"));
        assertNotNull(Takeover.beforeParsing(SERVER, SERVER, new Takeover.Reported(1, 0), SAID, ENV, ENV), "securebits");
        assertNotNull(Takeover.beforeParsing(SERVER, SERVER, new Takeover.Reported(0, 0x40000), SAID, ENV, ENV),
                "personality (setarch -R)");
    }

    @Test
    void aNiceLevelMattersOnlyWhereTheJailCouldNotSetItsOwn() {
        Facts nice10 = facts(1, CAPS, "0 filters 0", "nice 10, policy 0, rt priority 0, io priority 0", 20000, CG);
        assertNull(why(nice10, ENV), "nice alone is no reason");
        JailSpec.Builder b = JailSpec.builder().command("/bin/true");
        assertNull(Takeover.forSpec(b.build(), nice10, SERVER), "nsjail's default nice 19 is above both");
        b.niceLevel = 5;
        assertTrue(Takeover.forSpec(b.build(), nice10, SERVER).contains("nice level (10)"));
        assertNull(Takeover.forSpec(b.build(), SERVER, SERVER));
        assertEquals(10, Takeover.nice(nice10));
    }

    @Test
    void cgroupAncestors() {
        assertEquals("/user", Cgroup2.commonAncestor("/user/a", "/user/b/c"));
        assertEquals("/", Cgroup2.commonAncestor("/a", "/b"));
        assertEquals("/", Cgroup2.commonAncestor("/", "/b"));
        assertEquals("/a/b", Cgroup2.commonAncestor("/a/b", "/a/b"));
    }

    @Test
    void theDirectoryFollowsTheLaunchersRule() {
        assertEquals("/run/jnsjail", ServerDir.forUser(0, Map.of("XDG_RUNTIME_DIR", "/run/user/0")).path);
        assertEquals("/run/user/1000/jnsjail", ServerDir.forUser(1000, Map.of()).path);
        assertEquals("/x/jnsjail", ServerDir.forUser(1000, Map.of("XDG_RUNTIME_DIR", "/x")).path);
        assertEquals("/run/user/1000/jnsjail", ServerDir.forUser(1000, Map.of("XDG_RUNTIME_DIR", "rel")).path);
    }
}
