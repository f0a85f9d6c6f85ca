package org.jnsjail.api;

import java.util.EnumMap;
import java.util.Map;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;

/**
 * The process a jail is started for, and what a supervisor started by it would have inherited:
 * its environment (for -E, --keep_env, prefix_src_env), its working directory (where relative host
 * paths resolve), its resource limits (for 'def'/'soft'/'hard' and what the jail inherits) and,
 * where they must differ from this JVM's own, the umask and cgroup the jail gets.
 *
 * <p>A cold run is its caller's child: {@link #self()} describes this JVM as its caller left it.
 * A resident server starts jails for other processes and describes each client instead.
 *
 * @param env the caller's environment
 * @param cwd the caller's working directory (absolute)
 * @param rlimits the caller's soft and hard limits, every resource
 * @param umask the umask the jail starts with, or -1 for this JVM's own
 * @param cgroupFd a cgroup2 directory the jail is cloned into when it has no cgroup of its own
 *     (CLONE_INTO_CGROUP), or -1 for this JVM's cgroup; owned by whoever made the Caller
 */
public record Caller(Map<String, String> env, String cwd, Map<RLimit, Limit> rlimits, int umask, int cgroupFd) {

    /** One resource limit: soft and hard, RLIM_INFINITY being -1 (compare them unsigned). */
    public record Limit(long soft, long hard) {}

    public Caller {
        env = Map.copyOf(env);
        rlimits = java.util.Collections.unmodifiableMap(new EnumMap<>(rlimits));
    }

    private static volatile Caller self;

    /**
     * This JVM as its caller left it. The first call reads the limits; the CLI calls it before it
     * raises its own RLIMIT_NOFILE (the launcher tells the JVM not to, with -XX:-MaxFDLimit), so the
     * caller's soft limit is kept. A JVM started without that flag has already raised it.
     */
    public static Caller self() {
        Caller c = self;
        if (c == null) {
            synchronized (Caller.class) {
                if (self == null) self = new Caller(System.getenv(), System.getProperty("user.dir"), ownLimits(), -1, -1);
                c = self;
            }
        }
        return c;
    }

    /** This process's current limits. */
    public static Map<RLimit, Limit> ownLimits() {
        Map<RLimit, Limit> out = new EnumMap<>(RLimit.class);
        for (RLimit r : RLimit.values()) {
            try {
                long[] l = Libc.getrlimit(r.resource);
                out.put(r, new Limit(l[0], l[1]));
            } catch (ErrnoException e) {
                // a resource this kernel does not know: nothing to inherit
            }
        }
        return out;
    }

    /** nsjail raises its own RLIMIT_NOFILE soft limit to min(8192, hard) when it is lower, before anything else. */
    static final long NSJAIL_NOFILE = 8192;

    /**
     * The limit a supervisor started by the caller has, as nsjail has it: the caller's, except that
     * the RLIMIT_NOFILE soft limit is raised to min(8192, hard) when lower. 'def', 'soft' and 'hard'
     * read it, and a jail inherits it. Null for a resource the kernel does not know.
     */
    public Limit inherited(RLimit r) {
        Limit l = rlimits.get(r);
        if (l == null || r != RLimit.RLIMIT_NOFILE) return l;
        long floor = Long.compareUnsigned(l.hard(), NSJAIL_NOFILE) < 0 ? l.hard() : NSJAIL_NOFILE;
        return Long.compareUnsigned(l.soft(), floor) < 0 ? new Limit(floor, l.hard()) : l;
    }
}
