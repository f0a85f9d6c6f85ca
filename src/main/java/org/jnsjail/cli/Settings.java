package org.jnsjail.cli;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.MountPt;
import org.jnsjail.sys.RLimit;

/**
 * The settings nsjail keeps in its config message (NsJailConfig), with nsjail's defaults. A -C
 * replaces all of them at once (nsjail's CopyFrom); options after it override or append.
 * Settings that live outside the config message in nsjail (chroot, rw, ids, pass_fd, logging)
 * are in {@link CommandLine} instead and survive a -C.
 */
final class Settings {
    enum Mode { LISTEN, ONCE, RERUN, EXECVE }

    /** An rlimit as given: a value in nsjail's unit, or the current soft/hard limit, or infinity. */
    record Rlim(char type, long value) {
        static final char VALUE = 'v', SOFT = 's', HARD = 'h', INF = 'i';
    }

    /** A mount entry, remembering -T ones so --tmpfs_size can size them all. */
    record Mount(MountPt pt, boolean fromTmpfsFlag) {}

    /**
     * How each option that set a value here was typed (an alias, a prefix, a short letter), for
     * messages about that value; a -C replaces it with the rest, so config values are named by field.
     */
    final Map<Opt, String> spelled = new EnumMap<>(Opt.class);

    Mode mode = Mode.ONCE;
    String hostname = "NSJAIL";
    String cwd = "/";
    boolean noPivotRoot;
    int port;
    String bindhost = "::";
    long maxConns, maxConnsPerIp;
    long timeLimit = 600;
    boolean daemon;
    int maxCpus;
    int niceLevel = 19;
    boolean keepEnv;
    /** Final "K=V" values in order; a later value for the same key replaces the earlier one (putenv). */
    final Map<String, String> envars = new LinkedHashMap<>();
    boolean keepCaps;
    final List<String> caps = new ArrayList<>();
    boolean silent, skipSetsid, stderrToNull, disableNoNewPrivs, forwardSignals, disableTsc;
    Integer oomScoreAdj;
    final Map<RLimit, Rlim> rlimits = new EnumMap<>(RLimit.class);
    boolean disableRlimits;
    int personality;
    boolean cloneNewnet = true, cloneNewuser = true, cloneNewns = true, cloneNewpid = true, cloneNewipc = true,
            cloneNewuts = true, cloneNewcgroup = true, cloneNewtime;
    final List<Mount> mounts = new ArrayList<>();
    String seccompPolicyFile;
    final List<String> seccompString = new ArrayList<>();
    boolean seccompLog;
    boolean seccompUnotify;
    /** --seccomp_unotify_report; null = none. */
    String seccompUnotifyReport;
    /** --seccomp_arch (jnsjail): extra architectures the policy covers, by Kafel name. */
    final List<String> seccompArchs = new ArrayList<>();
    boolean ifaceNoLo;
    /** Networking beyond lo (-I, --macvlan_vs_*, --iface_own, traffic_rule); nsjail's defaults. */
    String macvlanIface;
    String macvlanVsIp = "192.168.0.2", macvlanVsNm = "255.255.255.0", macvlanVsGw = "192.168.0.1", macvlanVsMa = "",
            macvlanVsMo = "private";
    final List<String> ifaceOwn = new ArrayList<>();
    final List<org.jnsjail.model.NetConfig.TrafficRule> trafficRules = new ArrayList<>();
    /** user_net: null when the config has no user_net message and --user_net was not given. */
    org.jnsjail.model.UserNet userNet;
    /** exec_bin.path (-x); argv itself lives outside the config message, in CommandLine. */
    String execPath;
    boolean execFd;
    boolean useCoreScheduling;
    /** The -T size; nsjail's older --tmpfs_size. */
    long tmpfsSize = 4194304;
    /** cgroups (--cgroup_*): bytes, a process count, CPU ms per second; 0 (swap: -1) = off; nsjail's defaults. */
    long cgroupMemMax, cgroupMemMemswMax, cgroupMemSwapMax = -1, cgroupPidsMax, cgroupNetClsClassid, cgroupCpuMsPerSec;
    String cgroupMemMount = "/sys/fs/cgroup/memory", cgroupMemParent = "NSJAIL", cgroupPidsMount = "/sys/fs/cgroup/pids",
            cgroupPidsParent = "NSJAIL", cgroupNetClsMount = "/sys/fs/cgroup/net_cls", cgroupNetClsParent = "NSJAIL",
            cgroupCpuMount = "/sys/fs/cgroup/cpu", cgroupCpuParent = "NSJAIL", cgroupv2Mount = "/sys/fs/cgroup";
    boolean useCgroupv2, detectCgroupv2;
    /** jnsjail extensions: --status_file (null = none), --status_fd (-1 = none), --init. */
    String statusFile;
    int statusFd = -1;
    boolean init;

    Settings() {
        rlimits.put(RLimit.RLIMIT_AS, new Rlim(Rlim.VALUE, 4096));
        rlimits.put(RLimit.RLIMIT_CORE, new Rlim(Rlim.VALUE, 0));
        rlimits.put(RLimit.RLIMIT_CPU, new Rlim(Rlim.VALUE, 600));
        rlimits.put(RLimit.RLIMIT_FSIZE, new Rlim(Rlim.VALUE, 1));
        rlimits.put(RLimit.RLIMIT_NOFILE, new Rlim(Rlim.VALUE, 32));
        rlimits.put(RLimit.RLIMIT_NPROC, new Rlim(Rlim.SOFT, 1024));
        rlimits.put(RLimit.RLIMIT_STACK, new Rlim(Rlim.SOFT, 8));
        rlimits.put(RLimit.RLIMIT_MEMLOCK, new Rlim(Rlim.SOFT, 64));
        rlimits.put(RLimit.RLIMIT_RTPRIO, new Rlim(Rlim.SOFT, 0));
        rlimits.put(RLimit.RLIMIT_MSGQUEUE, new Rlim(Rlim.SOFT, 1024));
    }

    /** The option as typed when it set the current value, else its config field name. */
    String nameOf(Opt o, String configField) {
        String n = spelled.get(o);
        return n != null ? n : configField;
    }

    /** nsjail's unit for each rlimit option (config.cc adjustRLimit). */
    static long multiplier(RLimit r) {
        return switch (r) {
            case RLIMIT_AS, RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_STACK -> 1L << 20;
            case RLIMIT_MEMLOCK -> 1024L;
            default -> 1L;
        };
    }
}
