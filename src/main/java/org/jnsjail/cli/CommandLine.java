package org.jnsjail.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.api.Caller;
import org.jnsjail.api.IdMap;
import org.jnsjail.api.JailSpec;
import org.jnsjail.api.MountPt;
import org.jnsjail.api.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Persona;
import org.jnsjail.sys.RLimit;

/**
 * Applies parsed options left to right, as nsjail's cmdline.cc does, and assembles the run:
 * the jail spec plus the supervisor's settings. Bad values are {@link CliException}s (one line, 255).
 */
public final class CommandLine {
    /** What the command line asks for. @param unotifyReport --seccomp_unotify_report's file, or null */
    public record Run(Settings.Mode mode, JailSpec spec, boolean forwardSignals, String chroot, List<String> summary,
            org.jnsjail.supervisor.Listener.Options listen, boolean daemon, String unotifyReport) {}

    // nsjail keeps these outside its config message, so a -C does not reset them.
    private String chroot;
    private boolean rw, procRw;
    private String procPath = "/proc";
    private final List<IdMap> uids = new ArrayList<>(), gids = new ArrayList<>();
    private final List<Integer> passFds = new ArrayList<>();
    /** nsjail's nsj->argv: each config's exec_bin appends to it; a positional command replaces it. */
    private final List<String> configArgv = new ArrayList<>();
    private Settings s = new Settings();
    private final Map<String, String> hostEnv;
    private final HostInfo host;
    private final Caller caller;

    CommandLine(Caller caller, HostInfo host) {
        this.caller = caller;
        this.hostEnv = caller.env();
        this.host = host;
    }

    /** Parses argv into a run for this JVM's own caller; {@link HelpRequested} for --help. */
    public static Run parse(String[] argv) throws CliException, HelpRequested {
        return parse(argv, Caller.self());
    }

    /**
     * Parses argv into a run for {@code caller}: its environment feeds -E, --keep_env and
     * POSIXLY_CORRECT, its limits 'def'/'soft'/'hard'. Relative paths resolve from the calling
     * thread's working directory, which a resident server makes the caller's.
     */
    public static Run parse(String[] argv, Caller caller) throws CliException, HelpRequested {
        // A real argv cannot hold a NUL (execve(2) passes C strings); an API caller's can.
        for (String a : argv) {
            if (a.indexOf('\0') >= 0) throw new CliException("an argument contains a NUL character", false);
        }
        ParsedArgs args;
        try {
            args = Getopt.parse(argv, caller.env().containsKey("POSIXLY_CORRECT"));
        } catch (UsageException e) {
            throw new CliException(e.getMessage(), true);
        }
        CommandLine cl = new CommandLine(caller, HostInfo.get());
        for (ParsedOption o : args.options()) cl.apply(o);
        return cl.assemble(args.command());
    }

    void apply(ParsedOption o) throws CliException, HelpRequested {
        String v = o.value();
        String name = "--" + o.opt().longName();
        switch (o.opt()) {
            case HELP -> {
                if (o.isQuestionMark()) throw new CliException("invalid option -- '?'", true);
                throw new HelpRequested();
            }
            case MODE -> s.mode = switch (v.isEmpty() ? ' ' : v.charAt(0)) {
                case 'l' -> Settings.Mode.LISTEN;
                case 'o' -> Settings.Mode.ONCE;
                case 'e' -> Settings.Mode.EXECVE;
                case 'r' -> Settings.Mode.RERUN;
                default -> throw new CliException("Modes supported: -M l, -M o, -M e, -M r; not '" + v + "'", true);
            };
            case CONFIG -> {
                // nsjail's CopyFrom: every setting in the config message is replaced; see ConfigApplier.
                var out = new ConfigApplier.Outside(uids, gids, passFds, configArgv, procPath);
                s = ConfigApplier.fromFile(v, hostEnv, host, out);
                procPath = out.procPath;
            }
            case EXEC_FILE -> s.execPath = v;
            case EXECUTE_FD -> s.execFd = true;
            case LOG -> Log.toFile(v);
            case LOG_FD -> Log.toFd((int) Num.parse(v, name, 0, Integer.MAX_VALUE));
            case VERBOSE -> Log.setLevel(Log.Level.DEBUG);
            case QUIET -> Log.setLevel(Log.Level.WARNING);
            case REALLY_QUIET -> Log.setLevel(Log.Level.FATAL);
            case DAEMON -> s.daemon = true;
            case PORT -> {
                s.port = (int) Num.parse(v, name, 0, 65535);
                s.mode = Settings.Mode.LISTEN;
            }
            case BINDHOST -> s.bindhost = v;
            case MAX_CONNS -> s.maxConns = Num.parse(v, name, 0, 0xffffffffL);
            case MAX_CONNS_PER_IP -> s.maxConnsPerIp = Num.parse(v, name, 0, 0xffffffffL);
            case USER -> uids.add(Ids.parse(v, true, false, host));
            case GROUP -> gids.add(Ids.parse(v, false, false, host));
            case UID_MAPPING -> uids.add(Ids.parse(v, true, true, host));
            case GID_MAPPING -> gids.add(Ids.parse(v, false, true, host));
            case HOSTNAME -> s.hostname = v;
            case CWD -> s.cwd = v;
            case KEEP_ENV -> s.keepEnv = true;
            case ENV -> addEnv(s, v, hostEnv);
            case TIME_LIMIT -> s.timeLimit = Num.parse(v, name, 0, 0xffffffffL);
            case MAX_CPUS -> s.maxCpus = (int) Num.parse(v, name, 0, 4096);
            case NICE_LEVEL -> s.niceLevel = (int) Num.parseSigned(v, name, -20, 19);
            case USE_CORE_SCHEDULING -> s.useCoreScheduling = true;
            case OOM_SCORE_ADJ -> s.oomScoreAdj = (int) Num.parseSigned(v, name, -1000, 1000);
            case DISABLE_TSC -> s.disableTsc = true;
            case SILENT -> s.silent = true;
            case STDERR_TO_NULL -> s.stderrToNull = true;
            case SKIP_SETSID -> s.skipSetsid = true;
            case PASS_FD -> passFds.add((int) Num.parse(v, name, 0, Integer.MAX_VALUE));
            case FORWARD_SIGNALS -> s.forwardSignals = true;
            case KEEP_CAPS -> s.keepCaps = true;
            case CAP -> {
                if (Capability.byName(v) == null) throw new CliException("Unknown capability: '" + v + "'", false);
                s.caps.add(v);
            }
            case DISABLE_NO_NEW_PRIVS -> s.disableNoNewPrivs = true;
            case RLIMIT_AS -> rlimit(RLimit.RLIMIT_AS, v, name);
            case RLIMIT_CORE -> rlimit(RLimit.RLIMIT_CORE, v, name);
            case RLIMIT_CPU -> rlimit(RLimit.RLIMIT_CPU, v, name);
            case RLIMIT_FSIZE -> rlimit(RLimit.RLIMIT_FSIZE, v, name);
            case RLIMIT_NOFILE -> rlimit(RLimit.RLIMIT_NOFILE, v, name);
            case RLIMIT_NPROC -> rlimit(RLimit.RLIMIT_NPROC, v, name);
            case RLIMIT_STACK -> rlimit(RLimit.RLIMIT_STACK, v, name);
            case RLIMIT_MEMLOCK -> rlimit(RLimit.RLIMIT_MEMLOCK, v, name);
            case RLIMIT_RTPRIO -> rlimit(RLimit.RLIMIT_RTPRIO, v, name);
            case RLIMIT_MSGQUEUE -> rlimit(RLimit.RLIMIT_MSGQUEUE, v, name);
            case DISABLE_RLIMITS -> s.disableRlimits = true;
            case PERSONA_ADDR_COMPAT_LAYOUT -> s.personality |= Persona.ADDR_COMPAT_LAYOUT.bit;
            case PERSONA_MMAP_PAGE_ZERO -> s.personality |= Persona.MMAP_PAGE_ZERO.bit;
            case PERSONA_READ_IMPLIES_EXEC -> s.personality |= Persona.READ_IMPLIES_EXEC.bit;
            case PERSONA_ADDR_LIMIT_3GB -> s.personality |= Persona.ADDR_LIMIT_3GB.bit;
            case PERSONA_ADDR_NO_RANDOMIZE -> s.personality |= Persona.ADDR_NO_RANDOMIZE.bit;
            case DISABLE_CLONE_NEWNET -> s.cloneNewnet = false;
            case DISABLE_CLONE_NEWUSER -> s.cloneNewuser = false;
            case DISABLE_CLONE_NEWNS -> s.cloneNewns = false;
            case DISABLE_CLONE_NEWPID -> s.cloneNewpid = false;
            case DISABLE_CLONE_NEWIPC -> s.cloneNewipc = false;
            case DISABLE_CLONE_NEWUTS -> s.cloneNewuts = false;
            case DISABLE_CLONE_NEWCGROUP -> s.cloneNewcgroup = false;
            case ENABLE_CLONE_NEWTIME -> s.cloneNewtime = true;
            case ENABLE_CLONE_NEWCGROUP -> s.cloneNewcgroup = true;
            case CHROOT -> chroot = v;
            case NO_PIVOTROOT -> s.noPivotRoot = true;
            case PIVOT_ROOT_ONLY -> s.noPivotRoot = false;
            case RW -> rw = true;
            case BINDMOUNT_RO -> s.mounts.add(new Settings.Mount(MountSpecs.bindRo(v), false));
            case BINDMOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.bindRw(v), false));
            case TMPFSMOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.tmpfs(v), true));
            case TMPFS_SIZE -> s.tmpfsSize = Num.parse(v, name, 1, Long.MAX_VALUE);
            case MOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.mount(v), false));
            case SYMLINK -> s.mounts.add(new Settings.Mount(MountSpecs.symlink(v), false));
            case DISABLE_PROC -> procPath = null;
            case PROC_PATH -> procPath = v;
            case PROC_RW -> procRw = true;
            case EXPERIMENTAL_MNT -> {
                if (!v.equals("new") && !v.equals("old") && !v.equals("auto")) {
                    throw new CliException("Unknown --experimental_mnt value: '" + v + "' (use 'new', 'old' or 'auto')", false);
                }
                Log.debug("--experimental_mnt " + v + ": jnsjail has one mount backend; read-only is recursive, as nsjail's 'new'");
            }
            case SECCOMP_POLICY -> s.seccompPolicyFile = v;
            case SECCOMP_STRING -> s.seccompString.add(v);
            case SECCOMP_LOG -> s.seccompLog = true;
            case SECCOMP_ARCH -> s.seccompArchs.add(SeccompOptions.arch(v));
            case IFACE_NO_LO -> s.ifaceNoLo = true;
            case IFACE_OWN -> s.ifaceOwn.add(v);
            case MACVLAN_IFACE -> s.macvlanIface = v;
            case MACVLAN_VS_IP -> s.macvlanVsIp = v;
            case MACVLAN_VS_NM -> s.macvlanVsNm = v;
            case MACVLAN_VS_GW -> s.macvlanVsGw = v;
            case MACVLAN_VS_MA -> s.macvlanVsMa = v;
            case MACVLAN_VS_MO -> s.macvlanVsMo = v;
            case CGROUP_MEM_MAX -> s.cgroupMemMax = Num.parse(v, name, 0, Long.MAX_VALUE);
            case CGROUP_MEM_MEMSW_MAX -> s.cgroupMemMemswMax = Num.parse(v, name, 0, Long.MAX_VALUE);
            // nsjail reads it with strtoll: any negative value means "not set".
            case CGROUP_MEM_SWAP_MAX -> s.cgroupMemSwapMax = Math.max(-1, Num.parseSigned(v, name, Long.MIN_VALUE + 1, Long.MAX_VALUE));
            case CGROUP_MEM_MOUNT -> s.cgroupMemMount = v;
            case CGROUP_MEM_PARENT -> s.cgroupMemParent = v;
            case CGROUP_PIDS_MAX -> s.cgroupPidsMax = Num.parse(v, name, 0, Long.MAX_VALUE);
            case CGROUP_PIDS_MOUNT -> s.cgroupPidsMount = v;
            case CGROUP_PIDS_PARENT -> s.cgroupPidsParent = v;
            case CGROUP_NET_CLS_CLASSID -> s.cgroupNetClsClassid = Num.parse(v, name, 0, 0xffffffffL);
            case CGROUP_NET_CLS_MOUNT -> s.cgroupNetClsMount = v;
            case CGROUP_NET_CLS_PARENT -> s.cgroupNetClsParent = v;
            case CGROUP_CPU_MS_PER_SEC -> s.cgroupCpuMsPerSec = Num.parse(v, name, 0, 0xffffffffL);
            case CGROUP_CPU_MOUNT -> s.cgroupCpuMount = v;
            case CGROUP_CPU_PARENT -> s.cgroupCpuParent = v;
            case CGROUPV2_MOUNT -> s.cgroupv2Mount = v;
            case USE_CGROUPV2 -> s.useCgroupv2 = true;
            case DETECT_CGROUPV2 -> s.detectCgroupv2 = true;
            // A config's user_net {} keeps its settings; the flag only makes the message present.
            case USER_NET -> {
                if (s.userNet == null) s.userNet = org.jnsjail.api.UserNet.DEFAULT;
            }
            case SECCOMP_UNOTIFY -> s.seccompUnotify = true;
            case SECCOMP_UNOTIFY_REPORT -> s.seccompUnotifyReport = v;
        }
    }

    /** -E VAR=val, or VAR taking the supervisor's value (warning and ignored if unset), as nsjail's addEnv. */
    static void addEnv(Settings s, String v, Map<String, String> hostEnv) {
        int eq = v.indexOf('=');
        if (eq >= 0) {
            s.envars.remove(v.substring(0, eq));
            s.envars.put(v.substring(0, eq), v.substring(eq + 1));
            return;
        }
        String cur = hostEnv.get(v);
        if (cur == null) {
            Log.warn("Environment variable '" + v + "' is not set; not passing it to the jail");
            return;
        }
        s.envars.remove(v);
        s.envars.put(v, cur);
    }

    private void rlimit(RLimit r, String v, String name) throws CliException {
        // nsjail matches the words with strcasecmp
        s.rlimits.put(r, switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "max", "hard" -> new Settings.Rlim(Settings.Rlim.HARD, 0);
            case "def", "soft" -> new Settings.Rlim(Settings.Rlim.SOFT, 0);
            case "inf" -> new Settings.Rlim(Settings.Rlim.INF, 0);
            default -> new Settings.Rlim(Settings.Rlim.VALUE, Num.parse(v, name, 0, Long.MAX_VALUE));
        });
    }

    Run assemble(List<String> command) throws CliException {
        byte[] seccompFilter = SeccompOptions.compile(s);
        String unotifyReport = SeccompOptions.unotifyReport(s);

        JailSpec.Builder b = JailSpec.builder();
        // `-- cmd` replaces the configs' argv (arg0 included) but not exec_bin.path / -x: the path still
        // wins over argv[0], as in nsjail since 3.4. -x alone is no command, as in nsjail.
        List<String> argv = new ArrayList<>(command.isEmpty() ? configArgv : command);
        if (argv.isEmpty()) throw new CliException("No command-line provided", true);
        b.argv = argv;
        b.execPath = s.execPath;
        b.execFd = s.execFd;
        b.env = environment();
        b.hostname = s.hostname;
        b.cwd = s.cwd;
        b.namespaces.clear();
        if (s.cloneNewuser) b.namespaces.add(Namespace.USER);
        if (s.cloneNewpid) b.namespaces.add(Namespace.PID);
        if (s.cloneNewns) b.namespaces.add(Namespace.MOUNT);
        if (s.cloneNewnet) b.namespaces.add(Namespace.NET);
        if (s.cloneNewipc) b.namespaces.add(Namespace.IPC);
        if (s.cloneNewuts) b.namespaces.add(Namespace.UTS);
        if (s.cloneNewcgroup) b.namespaces.add(Namespace.CGROUP);
        if (s.cloneNewtime) b.namespaces.add(Namespace.TIME);
        if (!s.cloneNewuser && host.euid() != 0) {
            throw new CliException("--disable_clone_newuser requires euid==0", false);
        }

        b.uidMaps = uids.isEmpty() ? List.of(new IdMap(host.uid(), host.uid(), 1, false)) : uids;
        b.gidMaps = gids.isEmpty() ? List.of(new IdMap(host.gid(), host.gid(), 1, false)) : gids;

        List<MountPt> mounts = new ArrayList<>();
        if (chroot != null) mounts.add(new MountPt(chroot, "/", "", "", true, rw, true, true, false, false, false,
                false, null, "", ""));
        for (Settings.Mount m : s.mounts) {
            MountPt pt = m.pt();
            if (m.fromTmpfsFlag()) pt = MountPt.fs("", pt.dst(), "tmpfs", "size=" + s.tmpfsSize, true, true);
            mounts.add(pt);
        }
        if (procPath != null) {
            // nosuid,nodev,noexec as upstream nsjail since PR #283 (2026-08).
            mounts.add(MountPt.fs("", procPath, "proc", "", procRw, true).withFlags(true, true, true));
        }
        b.mounts = mounts;
        b.rootRw = rw;
        b.noPivotRoot = s.noPivotRoot;
        b.timeLimitSec = (int) Math.min(Integer.MAX_VALUE, s.timeLimit);
        b.silent = s.silent;
        b.stderrToNull = s.stderrToNull;
        b.skipSetsid = s.skipSetsid;
        b.passFds = passFds;
        b.keepCaps = s.keepCaps;
        b.caps = new ArrayList<>();
        for (String c : s.caps) b.caps.add(Capability.byName(c));
        b.disableNoNewPrivs = s.disableNoNewPrivs;
        b.rlimits = s.disableRlimits ? null : resolveRlimits();
        b.personality = s.personality;
        b.niceLevel = s.niceLevel;
        b.maxCpus = s.maxCpus;
        b.oomScoreAdj = s.oomScoreAdj;
        b.disableTsc = s.disableTsc;
        b.useCoreScheduling = s.useCoreScheduling;
        b.ifaceNoLo = s.ifaceNoLo;
        b.net = netConfig();
        b.seccompFilter = seccompFilter;
        b.seccompLog = s.seccompLog;
        b.seccompUnotify = s.seccompUnotify;
        b.cgroups = cgroupLimits();
        JailSpec spec = b.build();
        return new Run(s.mode, spec, s.forwardSignals, chroot == null ? "" : chroot, Summary.lines(s, spec,
                chroot == null ? "" : chroot, host), new org.jnsjail.supervisor.Listener.Options(s.bindhost, s.port,
                s.maxConns, s.maxConnsPerIp, s.forwardSignals), s.daemon, unotifyReport);
    }

    /** -I/--macvlan_*, --iface_own and traffic_rule; checked now, so a bad value starts nothing. */
    private org.jnsjail.api.NetConfig netConfig() throws CliException {
        var net = new org.jnsjail.api.NetConfig(s.ifaceOwn, s.macvlanIface, s.macvlanVsIp, s.macvlanVsNm,
                s.macvlanVsGw, s.macvlanVsMa, s.macvlanVsMo, s.trafficRules, s.userNet);
        if (s.userNet != null) checkUserNet(s.userNet);
        if (!net.any()) return net;
        if (s.mode == Settings.Mode.EXECVE) {
            throw new CliException("--macvlan_iface, --iface_own and traffic_rule cannot be used with -Me (no supervisor"
                    + " stays to set up interfaces)", false);
        }
        if (!s.cloneNewnet) {
            throw new CliException("--macvlan_iface, --iface_own and traffic_rule need a network namespace (they cannot"
                    + " be used with --disable_clone_newnet)", false);
        }
        try {
            org.jnsjail.net.JailNetwork.check(net);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), false);
        }
        return net;
    }

    /** user_net: nsjail's requirements, and every address and rule checked before anything starts. */
    private void checkUserNet(org.jnsjail.api.UserNet un) throws CliException {
        if (s.mode == Settings.Mode.EXECVE) {
            // nsjail's EXECVE mode has no initParent, so it would silently give the jail no network.
            throw new CliException("user_net cannot be used with -Me (no supervisor stays to carry the jail's traffic)",
                    false);
        }
        if (!s.cloneNewnet) {
            throw new CliException("user_net needs a network namespace (it cannot be used with --disable_clone_newnet)",
                    false);
        }
        try {
            org.jnsjail.net.UserNetwork.check(un);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), false);
        }
        for (String w : org.jnsjail.net.UserNetwork.unusedSettings(un)) org.jnsjail.log.Log.warn(w);
    }

    /** The 17 cgroup settings; nsjail's "cannot set both" check happens now, before anything starts. */
    private org.jnsjail.api.CgroupLimits cgroupLimits() throws CliException {
        var l = new org.jnsjail.api.CgroupLimits(s.cgroupMemMax, s.cgroupMemMemswMax, s.cgroupMemSwapMax,
                s.cgroupMemMount, s.cgroupMemParent, s.cgroupPidsMax, s.cgroupPidsMount, s.cgroupPidsParent,
                s.cgroupNetClsClassid, s.cgroupNetClsMount, s.cgroupNetClsParent, s.cgroupCpuMsPerSec, s.cgroupCpuMount,
                s.cgroupCpuParent, s.cgroupv2Mount, s.useCgroupv2, s.detectCgroupv2);
        try {
            org.jnsjail.cgroup.Cgroups.check(l);
        } catch (org.jnsjail.api.JailException e) {
            throw new CliException(e.getMessage(), false);
        }
        return l;
    }

    private List<String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (s.keepEnv) env.putAll(hostEnv);
        for (Map.Entry<String, String> e : s.envars.entrySet()) {
            env.remove(e.getKey());
            env.put(e.getKey(), e.getValue());
        }
        List<String> out = new ArrayList<>(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) out.add(e.getKey() + "=" + e.getValue());
        return out;
    }

    /** Units, and "soft"/"hard" as a supervisor started by the caller has them (nsjail raised NOFILE first). */
    private Map<RLimit, Long> resolveRlimits() throws CliException {
        Map<RLimit, Long> out = new java.util.EnumMap<>(RLimit.class);
        for (Map.Entry<RLimit, Settings.Rlim> e : s.rlimits.entrySet()) {
            RLimit r = e.getKey();
            Settings.Rlim v = e.getValue();
            long value;
            switch (v.type()) {
                case Settings.Rlim.INF -> value = RLimit.RLIM_INFINITY;
                case Settings.Rlim.VALUE -> {
                    long mul = Settings.multiplier(r);
                    value = v.value() > Long.MAX_VALUE / mul ? RLimit.RLIM_INFINITY : v.value() * mul;
                }
                default -> {
                    Caller.Limit cur = caller.inherited(r);
                    if (cur == null) throw new CliException("getrlimit(" + r + "): " + Errno.describe(Errno.EINVAL), false);
                    value = v.type() == Settings.Rlim.HARD ? cur.hard() : cur.soft();
                }
            }
            out.put(r, value);
        }
        return out;
    }
}
