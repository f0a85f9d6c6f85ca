package org.jnsjail.plan;

import org.jnsjail.model.SetupStep;

import org.jnsjail.log.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Namespace;
import org.jnsjail.model.UserNet;
import org.jnsjail.mount.HostFs;
import org.jnsjail.mount.MountPlanner;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.RLimit;
import org.jnsjail.user.IdMapFiles;

import static org.jnsjail.sys.Prctl.PR_CAPBSET_DROP;
import static org.jnsjail.sys.Prctl.PR_CAP_AMBIENT;
import static org.jnsjail.sys.Prctl.PR_CAP_AMBIENT_CLEAR_ALL;
import static org.jnsjail.sys.Prctl.PR_CAP_AMBIENT_RAISE;
import static org.jnsjail.sys.Prctl.PR_SCHED_CORE;
import static org.jnsjail.sys.Prctl.PR_SCHED_CORE_CREATE;
import static org.jnsjail.sys.Prctl.PR_SCHED_CORE_SCOPE_THREAD_GROUP;
import static org.jnsjail.sys.Prctl.PR_SET_NO_NEW_PRIVS;
import static org.jnsjail.sys.Prctl.PR_SET_PDEATHSIG;
import static org.jnsjail.sys.Prctl.PR_SET_SECUREBITS;
import static org.jnsjail.sys.Prctl.PR_SET_TSC;
import static org.jnsjail.sys.Prctl.PR_TSC_SIGSEGV;
import static org.jnsjail.sys.Prctl.SECBIT_KEEP_CAPS;
import static org.jnsjail.sys.Prctl.SECBIT_NO_SETUID_FIXUP;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.Step;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.HandOver;

/**
 * Turns a {@link JailSpec} into the stub's operations, in nsjail's order (subproc.cc newProc and
 * contain.cc containProc): stdio, wait for the parent, ids, mounts and cwd, network, hostname,
 * no_new_privs, capabilities, CPU affinity, core scheduling, TSC, rlimits, parent-death signal,
 * personality, nice, setsid, fd hygiene, seccomp, execve. Pure: every host fact comes in as data.
 */
public final class PlanBuilder {
    private PlanBuilder() {}

    /** How the stub is run. */
    public enum Mode {
        /** Supervised: the stub clones the jail (a child of the JVM) and waits for "go". */
        CLONE,
        /** -Me: the stub unshares and becomes the jailed program itself. */
        IN_PLACE
    }

    /**
     * Host facts and run-time choices that the plan depends on. {@code scratchFd}: the lowest fd
     * number free in the stub, and every one above it (fds the plan opens for the supervisor).
     */
    public record Context(Mode mode, HostInfo host, Map<String, String> env, HostFs fs, int execFd,
            long[] cpuAffinity, int cgroupFd, int scratchFd, Map<RLimit, Caller.Limit> startLimits, int umask) {
        /**
         * @param startLimits limits set first thing in the jail, where the caller's (as a supervisor
         *     started by it has them) differ from the stub's own
         * @param umask the caller's umask where it differs from the stub's, else -1
         */
        public Context {
            startLimits = startLimits.isEmpty() ? Map.of() : new java.util.EnumMap<>(startLimits);
        }

        /** The jail inherits the stub's limits and umask. */
        public Context(Mode mode, HostInfo host, Map<String, String> env, HostFs fs, int execFd, long[] cpuAffinity,
                int cgroupFd, int scratchFd) {
            this(mode, host, env, fs, execFd, cpuAffinity, cgroupFd, scratchFd, Map.of(), -1);
        }
    }

    public static Plan build(JailSpec spec, Context ctx) throws JailFailure {
        List<Op> ops = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long nsFlags = 0;
        for (Namespace ns : spec.namespaces()) nsFlags |= ns.flag.value;
        boolean userns = spec.has(Namespace.USER);
        HostInfo host = ctx.host();
        if (spec.seccompUnotify() && ctx.mode() == Mode.IN_PLACE) {
            throw new JailFailure(SetupStep.SPEC, "--seccomp_unotify needs a supervisor (not -Me)");
        }
        if (spec.init()) {
            // -Me: the program keeps its pid outside the new PID namespace, whose dummy init already reaps.
            if (ctx.mode() == Mode.IN_PLACE) throw new JailFailure(SetupStep.SPEC, "--init needs a supervisor (not -Me)");
            if (!spec.has(Namespace.PID)) {
                throw new JailFailure(SetupStep.SPEC, "--init needs a PID namespace (it cannot be used with --disable_clone_newpid)");
            }
        }
        if (spec.net().userNet() != null) {
            if (!spec.has(Namespace.NET)) throw new JailFailure(SetupStep.NETWORK, "user_net needs a network namespace (CLONE_NEWNET)");
            if (ctx.mode() == Mode.IN_PLACE) throw new JailFailure(SetupStep.NETWORK, "user_net needs a supervisor (not -Me)");
        }

        if (ctx.mode() == Mode.CLONE) {
            ops.add(Op.of("clone3(" + describeFlags(nsFlags) + ")",
                    new Step.Clone(nsFlags | CloneFlag.CLONE_PARENT, ctx.cgroupFd())));
            // Early, so a supervisor that dies during setup takes the jail with it.
            ops.add(prctl("prctl(PR_SET_PDEATHSIG, SIGKILL)", PR_SET_PDEATHSIG, 9, 0));
        }
        addInherited(ops, ctx);
        if (spec.oomScoreAdj() != null) {
            ops.add(writeFile("write /proc/self/oom_score_adj", "/proc/self/oom_score_adj",
                    Integer.toString(spec.oomScoreAdj())).withFlags(Op.WARN));
        }
        // The host's /dev/null, opened before the jail's mount tree exists.
        if (spec.silent()) {
            for (int fd = 0; fd <= 2; fd++) ops.add(devNull(fd));
        } else if (spec.stderrToNull()) {
            ops.add(devNull(2));
        }

        if (ctx.mode() == Mode.CLONE) {
            ops.add(Op.of("wait for the supervisor", new Step.WaitGo()));
            addUserNetHandover(ops, spec, ctx.scratchFd());
        } else {
            ops.add(Op.of("unshare(" + describeFlags(nsFlags) + ")", new Step.Unshare(nsFlags)));
            if (userns) {
                // The process writes its own maps (user_namespaces(7)): gid_map needs setgroups "deny" first.
                ops.add(writeFile("write /proc/self/setgroups", "/proc/self/setgroups", "deny"));
                ops.add(writeFile("write /proc/self/gid_map", "/proc/self/gid_map", IdMapFiles.mapText(spec.gidMaps(), false)));
                ops.add(writeFile("write /proc/self/uid_map", "/proc/self/uid_map", IdMapFiles.mapText(spec.uidMaps(), false)));
            }
            if (spec.has(Namespace.PID)) ops.add(Op.of("start the PID namespace's init", new Step.PidNsInit()));
        }

        addIdentity(ops, spec, host, userns);

        List<Op> fsOps = spec.has(Namespace.MOUNT)
                ? MountPlanner.plan(spec.mounts(), spec.rootRw(), spec.noPivotRoot(), spec.cwd(), ctx.env(), ctx.fs(),
                        warnings)
                : MountPlanner.planWithoutMountNs(spec.mounts(), spec.cwd());
        if (ctx.mode() == Mode.IN_PLACE && spec.has(Namespace.PID) && spec.has(Namespace.MOUNT)) {
            // procfs shows the PID namespace of the process that mounts it (proc(5)): mount from a
            // child inside the new namespace that shares our root and cwd (CLONE_FS).
            ops.add(Op.of("build the file system in a CLONE_FS child", new Step.FsChild(fsOps.size())));
        }
        ops.addAll(fsOps);

        if (spec.has(Namespace.NET) && !spec.ifaceNoLo()) {
            ops.add(Op.of("bring up interface 'lo'", new Step.IfUp("lo", IFF_UP | IFF_RUNNING)));
        }
        if (spec.has(Namespace.UTS)) {
            ops.add(Op.of("sethostname(" + Quote.of(spec.hostname()) + ")", new Step.Sethostname(spec.hostname())));
        }

        boolean nnp = !spec.disableNoNewPrivs() || spec.seccompFilter() != null || spec.seccompUnotify();
        if (nnp) ops.add(prctl("prctl(PR_SET_NO_NEW_PRIVS, 1)", PR_SET_NO_NEW_PRIVS, 1, 0).withFlags(Op.WARN));
        addCapabilities(ops, spec, host, userns);

        if (ctx.cpuAffinity() != null) {
            byte[] mask = new byte[ctx.cpuAffinity().length * 8];
            for (int i = 0; i < mask.length; i++) mask[i] = (byte) (ctx.cpuAffinity()[i / 8] >>> (8 * (i % 8)));
            ops.add(Op.of("sched_setaffinity(" + spec.maxCpus() + " CPUs)", new Step.SchedSetaffinity(mask)));
        }
        if (spec.useCoreScheduling()) {
            ops.add(prctl("prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE)", PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0,
                    PR_SCHED_CORE_SCOPE_THREAD_GROUP));
        }
        if (spec.disableTsc()) ops.add(prctl("prctl(PR_SET_TSC, PR_TSC_SIGSEGV)", PR_SET_TSC, PR_TSC_SIGSEGV, 0));
        // --disable_rlimits (null) sets nothing: the jail keeps what it inherited (addInherited).
        if (spec.rlimits() != null) {
            for (Map.Entry<RLimit, Long> e : spec.rlimits().entrySet()) {
                long v = e.getValue();
                ops.add(Op.of("setrlimit(" + e.getKey() + ", " + (v == RLimit.RLIM_INFINITY ? "inf" : v) + ")",
                        new Step.Prlimit(e.getKey().resource, v, v)));
            }
        }
        if (!spec.init()) ops.add(prctl("prctl(PR_SET_PDEATHSIG, SIGKILL)", PR_SET_PDEATHSIG, 9, 0));
        if (spec.personality() != 0) {
            ops.add(Op.of("personality(0x" + Integer.toHexString(spec.personality()) + ")",
                    new Step.Personality(spec.personality())));
        }
        ops.add(Op.of("setpriority(PRIO_PROCESS, 0, " + spec.niceLevel() + ")",
                new Step.Setpriority(PRIO_PROCESS, 0, spec.niceLevel())).withFlags(Op.WARN));
        if (!spec.skipSetsid()) ops.add(Op.of("setsid()", new Step.Setsid()).withFlags(Op.WARN));
        if (spec.init()) addInit(ops, ctx.scratchFd() + 3);
        int[] keep = spec.passFds().stream().mapToInt(Integer::intValue).toArray();
        if (ctx.mode() == Mode.CLONE) ops.add(recvFds(stdioTargets(spec), keep));
        ops.add(Op.of("mark every fd but 0, 1, 2 and --pass_fd close-on-exec", new Step.FdsCloexec(keep)));

        if (spec.seccompUnotify()) {
            // nsjail (sandbox.cc): the notifying filter first, its listener to the supervisor, and a
            // second "go" once the tracer runs. The jail's own filter comes after the wait, so a
            // policy that forbids read(2) cannot break the hand-over.
            int listener = ctx.scratchFd() + 2;
            ops.add(Op.of("install the seccomp user-notification filter (--seccomp_unotify)",
                    new Step.Seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER, listener, UnotifyFilter.bytes())));
            ops.add(Op.of("hand the seccomp listener to the supervisor", new Step.SendFds(HandOver.UNOTIFY, new int[] {listener})));
            ops.add(Op.of("wait for the supervisor's seccomp tracer", new Step.WaitGo()));
        }
        if (spec.seccompFilter() != null) {
            // Last before execve, so the policy also decides the execve itself, as in nsjail.
            ops.add(Op.of("install the seccomp-bpf filter", new Step.Seccomp(spec.seccompLog() ? SECCOMP_FILTER_FLAG_LOG : 0,
                    -1, spec.seccompFilter())));
        }
        ops.add(Op.of("execve(" + Quote.of(spec.program()) + ")",
                new Step.Execve(spec.program(), spec.argv(), spec.env(), ctx.execFd())));
        return new Plan(ops, warnings);
    }

    /**
     * The jail's stdio that the supervisor hands over: 0, 1 and 2, but those that are the host's
     * /dev/null (--silent, --stderr_to_null), which the jail opened itself.
     */
    public static int[] stdioTargets(JailSpec spec) {
        if (spec.silent()) return new int[0];
        return spec.stderrToNull() ? new int[] {0, 1} : new int[] {0, 1, 2};
    }

    /**
     * The jail's stdio and --pass_fd fds, handed over by the supervisor (SCM_RIGHTS) at the last
     * step before exec and moved to their numbers: until then the jail needs no peer, so the same
     * plan serves a jail started for a known peer and one readied before its peer is known.
     */
    private static Op recvFds(int[] stdio, int[] passFds) {
        int[] targets = new int[stdio.length + passFds.length];
        System.arraycopy(stdio, 0, targets, 0, stdio.length);
        System.arraycopy(passFds, 0, targets, stdio.length, passFds.length);
        return Op.of("take the jail's stdio and --pass_fd fds from the supervisor", new Step.RecvFds(targets));
    }

    /**
     * What the jail would have inherited from a supervisor its caller started, where the stub
     * differs: the limits (nsjail's raised RLIMIT_NOFILE included; lowering needs no privilege) and
     * the umask, before any other operation of the jail.
     */
    private static void addInherited(List<Op> ops, Context ctx) {
        for (Map.Entry<RLimit, Caller.Limit> e : ctx.startLimits().entrySet()) {
            Caller.Limit l = e.getValue();
            ops.add(Op.of("setrlimit(" + e.getKey() + ", " + limitText(l.soft()) + ", " + limitText(l.hard())
                    + ") (the caller's)", new Step.Prlimit(e.getKey().resource, l.soft(), l.hard())));
        }
        if (ctx.umask() >= 0) {
            ops.add(Op.of("umask(0" + Integer.toOctalString(ctx.umask()) + ") (the caller's)", new Step.Umask(ctx.umask())));
        }
    }

    private static String limitText(long v) {
        return v == RLimit.RLIM_INFINITY ? "inf" : Long.toString(v);
    }

    /**
     * user_net (net.cc initChildPreSync): the TUN device and an rtnetlink socket must be opened
     * inside the jail's network namespace, where the supervisor cannot go without privileges
     * (setns(2) needs CAP_SYS_ADMIN in its own user namespace). The jail opens both and hands them
     * over; the supervisor creates and configures the interface through them (the kernel checks
     * CAP_NET_ADMIN against the jail's user namespace, which the supervisor owns) and starts the
     * stack, then says "go" a second time. The pasta backend only needs the netlink socket, to see
     * when pasta has configured the interface.
     */
    private static void addUserNetHandover(List<Op> ops, JailSpec spec, int scratchFd) {
        UserNet un = spec.net().userNet();
        if (un == null) return;
        if (un.backend() == UserNet.Backend.PASTA && un.pasta() == null) return; // nsjail starts no pasta then
        int nl = scratchFd, tun = scratchFd + 1;
        boolean nstun = un.backend() == UserNet.Backend.NSTUN;
        if (nstun) {
            ops.add(Op.of("open('/dev/net/tun') for user_net", new Step.OpenDup("/dev/net/tun",
                    Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0, tun)));
        }
        ops.add(Op.of("socket(AF_NETLINK, NETLINK_ROUTE) for user_net",
                new Step.Socket(AF_NETLINK, SOCK_RAW | Fcntl.SOCK_CLOEXEC, NETLINK_ROUTE, nl)));
        ops.add(Op.of("hand the user_net fds to the supervisor",
                new Step.SendFds(HandOver.USER_NET, nstun ? new int[] {nl, tun} : new int[] {nl})));
        ops.add(Op.of("wait for the supervisor to set up user_net", new Step.WaitGo()));
    }

    /**
     * --init, after the ids, mounts, capabilities, limits and setsid (so the init shares the
     * program's session and never gets the terminal's signals with --skip_setsid off) and before the
     * fd hygiene and seccomp, which are the program's alone. The stub forks: PID 1 becomes the init
     * (it closes every fd, drops every capability, sets no_new_privs and its own filter, then reaps
     * and forwards signals), the child goes on and hands a pidfd of itself to the supervisor, which
     * reads the program's own exit status from it. Its parent-death signal is armed again here:
     * fork(2) clears it, and its parent is now the init.
     */
    private static void addInit(List<Op> ops, int pidfdTarget) {
        ops.add(Op.of("start the jail's init (--init)", new Step.Init(pidfdTarget, InitFilter.bytes())));
        ops.add(Op.of("hand the program's pidfd to the supervisor (--init)",
                new Step.SendFds(HandOver.INIT, new int[] {pidfdTarget})));
        ops.add(Op.of("wait for the supervisor (--init)", new Step.WaitGo()));
        ops.add(prctl("prctl(PR_SET_PDEATHSIG, SIGKILL)", PR_SET_PDEATHSIG, 9, 0));
    }

    private static final int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    /** seccomp(2): the filter's result is a user-notification listener fd; log what it decides (--seccomp_log). */
    private static final long SECCOMP_FILTER_FLAG_NEW_LISTENER = 1L << 3, SECCOMP_FILTER_FLAG_LOG = 1L << 1;
    /** netdevice(7) SIOCSIFFLAGS. */
    private static final long IFF_UP = 0x1, IFF_RUNNING = 0x40;
    /** setpriority(2) "which". */
    private static final int PRIO_PROCESS = 0;

    /** One of the jail's own /proc files, written before anything else can change it. */
    private static Op writeFile(String what, String path, String content) {
        return Op.of(what, new Step.WriteFile(path, Fcntl.O_WRONLY, 0, content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** contain.cc: switch to the inside ids while keeping capabilities (securebits), then drop the bits. */
    private static void addIdentity(List<Op> ops, JailSpec spec, HostInfo host, boolean userns) {
        if (!userns && host.euid() != 0) return;
        long uid = spec.uidMaps().isEmpty() ? host.uid() : spec.uidMaps().getFirst().inside();
        long gid = spec.gidMaps().isEmpty() ? host.gid() : spec.gidMaps().getFirst().inside();
        ops.add(prctl("prctl(PR_SET_SECUREBITS, KEEP_CAPS|NO_SETUID_FIXUP)", PR_SET_SECUREBITS,
                SECBIT_KEEP_CAPS | SECBIT_NO_SETUID_FIXUP, 0));
        ops.add(Op.of("setresgid(" + gid + ")", new Step.Setresgid(gid, gid, gid)));
        List<Long> groups = new ArrayList<>();
        if (!userns) {
            for (int i = 1; i < spec.gidMaps().size(); i++) groups.add(spec.gidMaps().get(i).inside());
        }
        long[] g = groups.stream().mapToLong(Long::longValue).toArray();
        // In a user namespace with setgroups "deny" this fails; nothing to drop then.
        ops.add(Op.of("setgroups(" + groups + ")", new Step.Setgroups(g)).withFlags(g.length == 0 ? Op.IGNORE : 0));
        ops.add(Op.of("setresuid(" + uid + ")", new Step.Setresuid(uid, uid, uid)));
        ops.add(prctl("prctl(PR_SET_SECUREBITS, 0)", PR_SET_SECUREBITS, 0, 0));
    }

    /**
     * caps.cc: inheritable and ambient cleared; --keep_caps raises every permitted cap to inheritable
     * and ambient; otherwise each --cap is kept (inheritable + ambient) and every other cap leaves the
     * bounding set, so even uid 0 inside ends with none (capabilities(7), "Transformation of
     * capabilities during execve()").
     */
    private static void addCapabilities(List<Op> ops, JailSpec spec, HostInfo host, boolean userns)
            throws JailFailure {
        // A new user namespace starts with every capability in it (user_namespaces(7)).
        long permitted = userns ? host.fullCapSet() : host.capPermitted();
        long wanted = 0;
        for (Capability c : spec.caps()) {
            if ((permitted & c.bit()) == 0) {
                throw new JailFailure(SetupStep.CREDENTIALS, "Capability " + c.name() + " is not permitted in the jail, so it cannot be kept");
            }
            wanted |= c.bit();
        }
        long inheritable = spec.keepCaps() ? permitted : wanted;
        ops.add(Op.of("capset(inheritable=0x" + Long.toHexString(inheritable) + ")",
                new Step.Capset(permitted, permitted, inheritable)));
        ops.add(prctl("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0));
        if (!spec.keepCaps() && (permitted & Capability.CAP_SETPCAP.bit()) != 0) {
            for (int c = 0; c <= host.capLastCap(); c++) {
                if ((wanted & (1L << c)) != 0) continue;
                ops.add(prctl("prctl(PR_CAPBSET_DROP, " + capName(c) + ")", PR_CAPBSET_DROP, c, 0));
            }
        }
        for (int c = 0; c <= host.capLastCap(); c++) {
            if ((inheritable & (1L << c)) == 0) continue;
            ops.add(prctl("prctl(PR_CAP_AMBIENT_RAISE, " + capName(c) + ")", PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c));
        }
    }

    private static String capName(int c) {
        Capability[] all = Capability.values();
        return c < all.length ? all[c].name() : "cap " + c;
    }

    private static Op devNull(int fd) {
        return Op.of("open('/dev/null') as fd " + fd, new Step.OpenDup("/dev/null", Fcntl.O_RDWR, 0, fd));
    }

    private static Op prctl(String what, long option, long a2, long a3) {
        return prctl(what, option, a2, a3, 0);
    }

    private static Op prctl(String what, long option, long a2, long a3, long a4) {
        return Op.of(what, new Step.Prctl(option, a2, a3, a4, 0));
    }

    static String describeFlags(long flags) {
        StringBuilder b = new StringBuilder();
        for (CloneFlag f : CloneFlag.values()) {
            if ((flags & f.value) == 0) continue;
            if (!b.isEmpty()) b.append('|');
            b.append(f.name());
        }
        return b.isEmpty() ? "0" : b.toString();
    }
}
