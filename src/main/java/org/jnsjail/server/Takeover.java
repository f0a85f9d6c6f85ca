package org.jnsjail.server;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailSpec;
import org.jnsjail.sys.Pidfd;
import org.jnsjail.sys.RLimit;

/**
 * Whether the server can give a client's jail what a cold run would: pure rules over the client's
 * and the server's {@link Facts}. Each rule returns why not (the client then runs cold, and says
 * so at -v), or null. What the server can hand over (limits it may lower, the umask, a cgroup2 it
 * may clone into) is not a reason; what it cannot (namespaces, credentials, capabilities, seccomp,
 * LSM label, tracer, scheduling, affinity, v1 cgroups, a hard limit above its own) is.
 */
final class Takeover {
    private Takeover() {}

    /**
     * Environment variables that change what a cold jnsjail does beyond the command line: the log's
     * time zone, strerror(3)'s language and the JVM's path encoding, and the JVM's own options.
     */
    static final List<String> CONTEXT_VARIABLES = List.of("TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE",
            "LC_MESSAGES", "LC_TIME", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JNSJAIL_JAVA_OPTS");

    /** What a process says about itself: no privilege to lie about (the client's only harms its own jail). */
    record Reported(int securebits, int personality) {}

    /** Before anything is parsed: the client's process against the server's. */
    static String beforeParsing(Facts c, Facts s, Reported cr, Reported sr, Map<String, String> cEnv,
            Map<String, String> sEnv) {
        for (Pidfd.Ns n : Pidfd.Ns.values()) {
            if (!c.namespaces().get(n).equals(s.namespaces().get(n))) {
                return "the client is in another " + n.procName + " namespace than the server";
            }
        }
        if (!c.root().equals(s.root())) return "the client's root directory is not the server's (chroot)";
        if (c.cwd().endsWith(" (deleted)") || !c.cwd().startsWith("/")) return "the client's working directory is gone";
        String d;
        if ((d = differs("credentials (uids / gids / groups)", c.ids(), s.ids())) != null) return d;
        if ((d = differs("capability sets", c.caps(), s.caps())) != null) return d;
        if ((d = differs("no_new_privs", c.noNewPrivs(), s.noNewPrivs())) != null) return d;
        if (!c.seccomp().startsWith("0 ") || !s.seccomp().startsWith("0 ")) {
            return "the client (" + c.seccomp() + ") or the server (" + s.seccomp() + ") has a seccomp filter";
        }
        if ((d = differs("securebits", cr.securebits(), sr.securebits())) != null) return d;
        if ((d = differs("personality", cr.personality(), sr.personality())) != null) return d;
        if ((d = differs("LSM label", c.lsm(), s.lsm())) != null) return d;
        if (c.tracerPid() != 0) return "the client is being traced (pid " + c.tracerPid() + ")";
        if ((d = differs("CPU affinity and cpuset", c.cpus(), s.cpus())) != null) return d;
        if ((d = differs("scheduling (policy, priorities)", schedWithoutNice(c), schedWithoutNice(s))) != null) return d;
        if ((d = differs("oom_score_adj", c.oomScoreAdj(), s.oomScoreAdj())) != null) return d;
        if ((d = differs("cgroup v1 hierarchies", c.cgroupsV1(), s.cgroupsV1())) != null) return d;
        for (RLimit r : RLimit.values()) {
            Caller.Limit cl = c.rlimits().get(r), sl = s.rlimits().get(r);
            // Lowering a limit needs no privilege; raising a hard one needs CAP_SYS_RESOURCE (setrlimit(2)).
            if (cl != null && sl != null && Long.compareUnsigned(cl.hard(), sl.hard()) > 0) {
                return "the client's hard " + r + " (" + text(cl.hard()) + ") is above the server's (" + text(sl.hard())
                        + ")";
            }
        }
        for (String v : CONTEXT_VARIABLES) {
            if (!Objects.equals(cEnv.get(v), sEnv.get(v))) return "the client's " + v + " is not the server's";
        }
        return null;
    }

    /**
     * Once the command line is parsed: nsjail sets the jail's nice level absolutely (setpriority), so
     * a different inherited nice matters only where raising the priority back needs CAP_SYS_NICE.
     */
    static String forSpec(JailSpec spec, Facts c, Facts s) {
        int cn = nice(c), sn = nice(s);
        if (cn != sn && spec.niceLevel() < Math.max(cn, sn)) {
            return "the client's nice level (" + cn + ") is not the server's (" + sn + ") and --nice_level "
                    + spec.niceLevel() + " is below it";
        }
        if (spec.passFds().size() > Wire.MAX_FDS - 1) return "more than " + (Wire.MAX_FDS - 1) + " --pass_fd";
        return null;
    }

    static int nice(Facts f) {
        String s = f.sched();
        return Integer.parseInt(s.substring(5, s.indexOf(',')));
    }

    private static String schedWithoutNice(Facts f) {
        return f.sched().substring(f.sched().indexOf(',') + 1);
    }

    private static String differs(String what, Object client, Object server) {
        return Objects.equals(client, server) ? null : "the client's " + what + " is not the server's";
    }

    private static String text(long v) {
        return v == RLimit.RLIM_INFINITY ? "unlimited" : Long.toString(v);
    }
}
