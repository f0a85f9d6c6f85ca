package org.jnsjail.args;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.Defaults;
import org.jnsjail.model.MountPt;
import org.jnsjail.sys.RLimit;

/**
 * The settings nsjail keeps in its config message (NsJailConfig), with nsjail's defaults. A -C
 * replaces all of them at once (nsjail's CopyFrom); options after it override or append.
 * Settings that live outside the config message in nsjail (chroot, rw, ids, pass_fd, logging)
 * are in {@link CommandLine} instead and survive a -C.
 */
final class Settings {

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
    String hostname = Defaults.HOSTNAME;
    String cwd = Defaults.CWD;
    boolean noPivotRoot;
    int port;
    String bindhost = Defaults.BINDHOST;
    long maxConns = Defaults.MAX_CONNS, maxConnsPerIp = Defaults.MAX_CONNS_PER_IP;
    long timeLimit = Defaults.TIME_LIMIT_SEC;
    boolean daemon;
    int maxCpus = Defaults.MAX_CPUS;
    int niceLevel = Defaults.NICE_LEVEL;
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
    String macvlanVsIp = Defaults.MACVLAN_VS_IP, macvlanVsNm = Defaults.MACVLAN_VS_NM, macvlanVsGw = Defaults.MACVLAN_VS_GW,
            macvlanVsMa = Defaults.MACVLAN_VS_MA, macvlanVsMo = Defaults.MACVLAN_VS_MO;
    final List<String> ifaceOwn = new ArrayList<>();
    final List<org.jnsjail.model.NetConfig.TrafficRule> trafficRules = new ArrayList<>();
    /** user_net: null when the config has no user_net message and --user_net was not given. */
    org.jnsjail.model.UserNet userNet;
    /** exec_bin.path (-x); argv itself lives outside the config message, in CommandLine. */
    String execPath;
    boolean execFd;
    boolean useCoreScheduling;
    /** The -T size; nsjail's older --tmpfs_size. */
    long tmpfsSize = Defaults.TMPFS_SIZE;
    /** cgroups (--cgroup_*): bytes, a process count, CPU ms per second; 0 (swap: -1) = off; nsjail's defaults. */
    long cgroupMemMax, cgroupMemMemswMax, cgroupMemSwapMax = Defaults.CGROUP_MEM_SWAP_MAX, cgroupPidsMax,
            cgroupNetClsClassid, cgroupCpuMsPerSec;
    String cgroupMemMount = Defaults.CGROUP_MEM_MOUNT, cgroupMemParent = Defaults.CGROUP_PARENT,
            cgroupPidsMount = Defaults.CGROUP_PIDS_MOUNT, cgroupPidsParent = Defaults.CGROUP_PARENT,
            cgroupNetClsMount = Defaults.CGROUP_NET_CLS_MOUNT, cgroupNetClsParent = Defaults.CGROUP_PARENT,
            cgroupCpuMount = Defaults.CGROUP_CPU_MOUNT, cgroupCpuParent = Defaults.CGROUP_PARENT,
            cgroupv2Mount = Defaults.CGROUPV2_MOUNT;
    boolean useCgroupv2, detectCgroupv2;
    /** jnsjail extensions: --status_file (null = none), --status_fd (-1 = none), --init. */
    String statusFile;
    int statusFd = -1;
    boolean init;

    Settings() {
        for (Defaults.Rlimit r : Defaults.RLIMITS) {
            rlimits.put(r.resource(), new Rlim(r.soft() ? Rlim.SOFT : Rlim.VALUE, r.value()));
        }
    }

    /** The option as typed when it set the current value, else its config field name. */
    String nameOf(Opt o, String configField) {
        String n = spelled.get(o);
        return n != null ? n : configField;
    }

    /** nsjail's unit for each rlimit option (config.cc adjustRLimit). */
    static long multiplier(RLimit r) {
        return Defaults.rlimitUnit(r);
    }
}
