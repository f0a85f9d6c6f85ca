package org.jnsjail.args;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.model.Defaults;
import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.log.Quote;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Persona;
import org.jnsjail.sys.RLimit;

/**
 * Applies parsed options left to right, as nsjail's cmdline.cc does, and assembles the run:
 * the jail spec plus the supervisor's settings. Bad values are {@link CliException}s (one line, 255).
 */
public final class CommandLine {
    /**
     * What the command line asks for. @param unotifyReport --seccomp_unotify_report's file, or null
     * @param dumpPlan --dump_plan: show the jail's plan instead of running it
     * @param noCommand no command was given (only when parsing allowed that): the spec's argv is [""]
     */
    public record Run(Mode mode, JailSpec spec, boolean forwardSignals, String chroot, List<String> summary,
            org.jnsjail.model.ListenOptions listen, boolean daemon, String unotifyReport, String statusFile,
            int statusFd, boolean dumpPlan, boolean noCommand) {
        /** --status_file or --status_fd was given. */
        public boolean wantsStatus() {
            return statusFile != null || statusFd >= 0;
        }
    }

    // nsjail keeps these outside its config message, so a -C does not reset them.
    private String chroot;
    private boolean rw, procRw;
    private String procPath = Defaults.PROC_PATH;
    /** /proc was asked for (--proc_path, mount_proc: true), not just the command line's default. */
    private boolean procAsked;
    private final List<IdMap> uids = new ArrayList<>(), gids = new ArrayList<>();
    private final List<Integer> passFds = new ArrayList<>();
    /** --dump_plan (outside the config message: a -C does not reset it). */
    private boolean dumpPlan;
    /** nsjail's nsj->argv: each config's exec_bin appends to it; a positional command replaces it. */
    private final List<String> configArgv = new ArrayList<>();
    private Settings s = new Settings();
    private final Map<String, String> hostEnv;
    private final HostInfo host;
    private final Caller caller;
    private final ParseEffects fx;
    /** A library caller may give the command later: none is then no error. */
    private boolean commandOptional;

    CommandLine(Caller caller, HostInfo host, ParseEffects fx) {
        this.caller = caller;
        this.hostEnv = caller.env();
        this.host = host;
        this.fx = fx;
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
        return parse(argv, caller, HostInfo.get());
    }

    /** As {@link #parse(String[], Caller)}, with the host's facts given (the plan tests' fixed host). */
    public static Run parse(String[] argv, Caller caller, HostInfo host) throws CliException, HelpRequested {
        return parse(argv, caller, host, ParseEffects.applied());
    }

    /**
     * As {@link #parse(String[], Caller, HostInfo)}; the logging options and the warnings of parsing go
     * to {@code fx} (applied to this process's log, or collected with no side effect).
     */
    public static Run parse(String[] argv, Caller caller, HostInfo host, ParseEffects fx)
            throws CliException, HelpRequested {
        return parse(argv, caller, host, fx, false);
    }

    /** As {@link #parse(String[], Caller, HostInfo, ParseEffects)}; {@code commandOptional}: see {@link Run#noCommand()}. */
    public static Run parse(String[] argv, Caller caller, HostInfo host, ParseEffects fx, boolean commandOptional)
            throws CliException, HelpRequested {
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
        CommandLine cl = new CommandLine(caller, host, fx);
        cl.commandOptional = commandOptional;
        for (ParsedOption o : args.options()) cl.apply(o);
        return cl.assemble(args.command());
    }

    void apply(ParsedOption o) throws CliException, HelpRequested {
        String v = o.value();
        // Messages name the option as it was typed: an alias (--iface_vs_ip), a prefix (--chro), -t.
        String name = o.spelledAs();
        s.spelled.put(o.opt(), name);
        switch (o.opt()) {
            case HELP -> {
                if (o.isQuestionMark()) throw new CliException("invalid option -- '?'", true);
                throw new HelpRequested();
            }
            case VERSION -> throw new HelpRequested(true);
            case DUMP_PLAN -> dumpPlan = true;
            case STATUS_FILE -> s.statusFile = v;
            case STATUS_FD -> s.statusFd = (int) Num.parse(v, name, 0, Integer.MAX_VALUE);
            case INIT -> s.init = true;
            case MODE -> s.mode = switch (v.isEmpty() ? ' ' : v.charAt(0)) {
                case 'l' -> Mode.LISTEN;
                case 'o' -> Mode.ONCE;
                case 'e' -> Mode.EXECVE;
                case 'r' -> Mode.RERUN;
                default -> throw new CliException("Modes supported: -M l, -M o, -M e, -M r; not " + Quote.of(v), true);
            };
            case CONFIG -> {
                // nsjail's CopyFrom: every setting in the config message is replaced; see ConfigApplier.
                var out = new ConfigApplier.Outside(uids, gids, passFds, configArgv, procPath);
                s = ConfigApplier.fromFile(v, hostEnv, host, out, fx);
                procPath = out.procPath;
                procAsked = procPath != null && (out.mountProc || procAsked);
            }
            case EXEC_FILE -> s.execPath = v;
            case EXECUTE_FD -> s.execFd = true;
            // nsjail treats an empty value of these as "not given" (an unset shell variable, say).
            case LOG -> {
                if (!v.isEmpty()) fx.logToFile(v);
            }
            case LOG_FD -> fx.logToFd((int) Num.parse(v, name, 0, Integer.MAX_VALUE));
            case VERBOSE -> fx.logLevel(Log.Level.DEBUG);
            case QUIET -> fx.logLevel(Log.Level.WARNING);
            case REALLY_QUIET -> fx.logLevel(Log.Level.FATAL);
            case DAEMON -> s.daemon = true;
            case PORT -> {
                s.port = (int) Num.parse(v, name, 0, 65535);
                s.mode = Mode.LISTEN;
            }
            case BINDHOST -> s.bindhost = v;
            case MAX_CONNS -> s.maxConns = Num.parse(v, name, 0, 0xffffffffL);
            case MAX_CONNS_PER_IP -> s.maxConnsPerIp = Num.parse(v, name, 0, 0xffffffffL);
            case USER -> uids.add(Ids.parse(v, name, true, false, host));
            case GROUP -> gids.add(Ids.parse(v, name, false, false, host));
            case UID_MAPPING -> uids.add(Ids.parse(v, name, true, true, host));
            case GID_MAPPING -> gids.add(Ids.parse(v, name, false, true, host));
            case HOSTNAME -> s.hostname = v;
            case CWD -> s.cwd = v;
            case KEEP_ENV -> s.keepEnv = true;
            case ENV -> addEnv(s, v, hostEnv, fx);
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
                if (Capability.byName(v) == null) throw new CliException("Unknown capability: " + Quote.of(v), false);
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
            case CHROOT -> chroot = v.isEmpty() ? null : v;
            case NO_PIVOTROOT -> s.noPivotRoot = true;
            case PIVOT_ROOT_ONLY -> s.noPivotRoot = false;
            case RW -> rw = true;
            case BINDMOUNT_RO -> s.mounts.add(new Settings.Mount(MountSpecs.bindRo(v, name), false));
            case BINDMOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.bindRw(v, name), false));
            case TMPFSMOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.tmpfs(v, name), true));
            case TMPFS_SIZE -> s.tmpfsSize = Num.parse(v, name, 1, Long.MAX_VALUE);
            case MOUNT -> s.mounts.add(new Settings.Mount(MountSpecs.mount(v, name), false));
            case SYMLINK -> s.mounts.add(new Settings.Mount(MountSpecs.symlink(v, name), false));
            case DISABLE_PROC -> {
                procPath = null;
                procAsked = false;
            }
            case PROC_PATH -> {
                procPath = v.isEmpty() ? null : v; // nsjail mounts no procfs at an empty path
                procAsked = !v.isEmpty();
            }
            case PROC_RW -> procRw = true;
            case EXPERIMENTAL_MNT -> {
                if (!v.equals("new") && !v.equals("old") && !v.equals("auto")) {
                    throw new CliException(name + ": unknown value " + Quote.of(v) + " (use 'new', 'old' or 'auto')", false);
                }
                fx.debug("--experimental_mnt " + v + ": jnsjail has one mount backend; read-only is recursive, as nsjail's 'new'");
            }
            case SECCOMP_POLICY -> s.seccompPolicyFile = v.isEmpty() ? null : v;
            case SECCOMP_STRING -> s.seccompString.add(v);
            case SECCOMP_LOG -> s.seccompLog = true;
            case SECCOMP_ARCH -> s.seccompArchs.add(SeccompOptions.arch(v));
            case IFACE_NO_LO -> s.ifaceNoLo = true;
            case IFACE_OWN -> s.ifaceOwn.add(v);
            case MACVLAN_IFACE -> s.macvlanIface = v.isEmpty() ? null : v;
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
                if (s.userNet == null) s.userNet = org.jnsjail.model.UserNet.DEFAULT;
            }
            case SECCOMP_UNOTIFY -> s.seccompUnotify = true;
            case SECCOMP_UNOTIFY_REPORT -> s.seccompUnotifyReport = v.isEmpty() ? null : v;
        }
    }

    /** -E VAR=val, or VAR taking the supervisor's value (warning and ignored if unset), as nsjail's addEnv. */
    static void addEnv(Settings s, String v, Map<String, String> hostEnv, ParseEffects fx) {
        int eq = v.indexOf('=');
        if (eq >= 0) {
            s.envars.remove(v.substring(0, eq));
            s.envars.put(v.substring(0, eq), v.substring(eq + 1));
            return;
        }
        String cur = hostEnv.get(v);
        if (cur == null) {
            fx.warn("Environment variable " + Quote.of(v) + " is not set; not passing it to the jail");
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
        // nsjail's rule (cmdline.cc setupArgv), observed with the reference build for every combination
        // of exec_bin {path, arg, arg0, exec_fd}, -x and `-- cmd`: the file executed is -x (after the last
        // -C), else exec_bin.path, else argv[0]; argv is `-- cmd` when one is given (the configs' arg and
        // arg0 are dropped), else the configs' [path, arg...] with arg0 as argv[0]. A file with no argv at
        // all (-x alone) runs with an empty one, which the kernel turns into argv[0] = "" (execve(2)).
        boolean noCommand = false;
        List<String> argv = new ArrayList<>(command.isEmpty() ? configArgv : command);
        if (argv.isEmpty()) {
            if (s.execPath == null && !commandOptional) throw new CliException("No command-line provided", true);
            noCommand = s.execPath == null;
            argv.add("");
        }
        // nsjail opens the file for execveat(2) while parsing, so a missing one fails before anything starts.
        if (s.execFd && !noCommand) checkExecFd(s.execPath != null ? s.execPath : argv.getFirst());
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
        b.mounts = s.cloneNewns ? mounts : withoutMountNamespace(mounts);
        b.rootRw = rw;
        b.noPivotRoot = s.noPivotRoot;
        b.timeLimitMillis = Math.min(s.timeLimit, 0xffffffffL) * 1000L;
        b.silent = s.silent;
        b.stderrToNull = s.stderrToNull;
        b.skipSetsid = s.skipSetsid;
        // A --pass_fd the caller does not have open is nothing to keep (nsjail: configs/bash-with-fake-geteuid.cfg
        // has `pass_fd: 100`); never the JVM's own fd that happens to have that number.
        b.passFds = passFds.stream().filter(caller::hasFd).toList();
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
        b.init = s.init;
        checkExtensions();
        JailSpec spec = b.build();
        return new Run(s.mode, spec, s.forwardSignals, chroot == null ? "" : chroot, Summary.lines(s, spec, mounts,
                chroot == null ? "" : chroot, host), new org.jnsjail.model.ListenOptions(s.bindhost, s.port,
                s.maxConns, s.maxConnsPerIp, s.forwardSignals), s.daemon, unotifyReport, s.statusFile, s.statusFd, dumpPlan,
                noCommand);
    }

    /** --status_file/--status_fd and --init: what they need, checked before anything starts. */
    private void checkExtensions() throws CliException {
        String file = s.nameOf(Opt.STATUS_FILE, "status_file"), fd = s.nameOf(Opt.STATUS_FD, "status_fd");
        if (s.statusFile != null && s.statusFd >= 0) {
            throw new CliException(file + " and " + fd + " cannot both be given: the status goes to one place", false);
        }
        if ((s.statusFile != null || s.statusFd >= 0) && s.mode == Mode.EXECVE) {
            throw new CliException((s.statusFile != null ? file : fd) + " cannot be used with -Me (no supervisor stays"
                    + " to see the program end)", false);
        }
        if (s.statusFile != null && s.statusFile.isEmpty()) throw new CliException(file + ": empty file name", false);
        if (s.init && s.mode == Mode.EXECVE) {
            throw new CliException(s.nameOf(Opt.INIT, "init") + " cannot be used with -Me (the program is not PID 1"
                    + " there: a dummy init already reaps orphans)", false);
        }
        if (s.init && !s.cloneNewpid) {
            throw new CliException(s.nameOf(Opt.INIT, "init") + " needs a PID namespace (it cannot be used with"
                    + " --disable_clone_newpid)", false);
        }
    }

    /**
     * Without a mount namespace nsjail honours only --chroot, with chroot(2) (mnt.cc initNs): every
     * mount and symlink of the command line and the configs is left out, a config's mount onto '/'
     * included. The same here, with a warning naming what is left out (the automatic /proc only when
     * it was asked for).
     */
    private List<MountPt> withoutMountNamespace(List<MountPt> mounts) {
        List<MountPt> kept = chroot != null ? List.of(mounts.getFirst()) : List.of();
        List<String> ignored = new ArrayList<>();
        for (Settings.Mount m : s.mounts) ignored.add(Quote.of(m.pt().dst()));
        if (procPath != null && procAsked) ignored.add(Quote.of(procPath));
        if (!ignored.isEmpty()) {
            String n = s.nameOf(Opt.DISABLE_CLONE_NEWNS, "clone_newns: false");
            fx.warn("No mount namespace (" + n + "): ignoring the mount" + (ignored.size() > 1 ? "s " : " ")
                    + Quote.cut(String.join(", ", ignored)) + ", as nsjail does" + (chroot != null
                    ? "; only --chroot applies (chroot(2))" : ""));
        }
        return kept;
    }

    /** exec_fd / --execute_fd: the file must open (O_PATH) now, as nsjail's setupArgv opens it. */
    private void checkExecFd(String path) throws CliException {
        try {
            Libc.close(Libc.open(path, org.jnsjail.sys.Fcntl.O_RDONLY | org.jnsjail.sys.Fcntl.O_PATH
                    | org.jnsjail.sys.Fcntl.O_CLOEXEC, 0));
        } catch (ErrnoException e) {
            throw new CliException("Couldn't open " + Quote.of(path) + " file for " + s.nameOf(Opt.EXECUTE_FD,
                    "exec_bin.exec_fd") + ": " + org.jnsjail.sys.Errno.describe(e.errno()), false);
        }
    }

    /** -I/--macvlan_*, --iface_own and traffic_rule; checked now, so a bad value starts nothing. */
    private org.jnsjail.model.NetConfig netConfig() throws CliException {
        var net = new org.jnsjail.model.NetConfig(s.ifaceOwn, s.macvlanIface, s.macvlanVsIp, s.macvlanVsNm,
                s.macvlanVsGw, s.macvlanVsMa, s.macvlanVsMo, s.trafficRules, s.userNet);
        if (s.userNet != null) checkUserNet(s.userNet);
        if (!net.any()) return net;
        if (s.mode == Mode.EXECVE) {
            throw new CliException("--macvlan_iface, --iface_own and traffic_rule cannot be used with -Me (no supervisor"
                    + " stays to set up interfaces)", false);
        }
        if (!s.cloneNewnet) {
            throw new CliException("--macvlan_iface, --iface_own and traffic_rule need a network namespace (they cannot"
                    + " be used with --disable_clone_newnet)", false);
        }
        try {
            if (s.macvlanIface != null) {
                // First with the names as typed (--iface_vs_ip, or the config's field); then the rest.
                org.jnsjail.net.Inet.ipv4(s.macvlanVsIp, s.nameOf(Opt.MACVLAN_VS_IP, "macvlan_vs_ip"));
                org.jnsjail.net.Inet.prefixOfNetmask(s.macvlanVsNm, s.nameOf(Opt.MACVLAN_VS_NM, "macvlan_vs_nm"));
                org.jnsjail.net.Inet.ipv4(s.macvlanVsGw, s.nameOf(Opt.MACVLAN_VS_GW, "macvlan_vs_gw"));
                if (s.macvlanVsMa != null && !s.macvlanVsMa.isEmpty()) {
                    org.jnsjail.net.Inet.mac(s.macvlanVsMa, s.nameOf(Opt.MACVLAN_VS_MA, "macvlan_vs_ma"));
                }
                try {
                    org.jnsjail.net.MacvlanMode.parse(s.macvlanVsMo);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(s.nameOf(Opt.MACVLAN_VS_MO, "macvlan_vs_mo") + ": " + e.getMessage());
                }
            }
            org.jnsjail.net.JailNetwork.check(net);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), false);
        }
        return net;
    }

    /** user_net: nsjail's requirements, and every address and rule checked before anything starts. */
    private void checkUserNet(org.jnsjail.model.UserNet un) throws CliException {
        if (s.mode == Mode.EXECVE) {
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
        for (String w : org.jnsjail.net.UserNetwork.unusedSettings(un)) fx.warn(w);
    }

    /** The 17 cgroup settings; nsjail's "cannot set both" check happens now, before anything starts. */
    private org.jnsjail.model.CgroupLimits cgroupLimits() throws CliException {
        var l = new org.jnsjail.model.CgroupLimits(s.cgroupMemMax, s.cgroupMemMemswMax, s.cgroupMemSwapMax,
                s.cgroupMemMount, s.cgroupMemParent, s.cgroupPidsMax, s.cgroupPidsMount, s.cgroupPidsParent,
                s.cgroupNetClsClassid, s.cgroupNetClsMount, s.cgroupNetClsParent, s.cgroupCpuMsPerSec, s.cgroupCpuMount,
                s.cgroupCpuParent, s.cgroupv2Mount, s.useCgroupv2, s.detectCgroupv2);
        try {
            org.jnsjail.cgroup.Cgroups.check(l);
        } catch (org.jnsjail.model.JailFailure e) {
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
