package org.jnsjail.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jnsjail.sys.RLimit;

/**
 * nsjail's defaults, in one place (nsjail's config.proto and cmdline.cc; the reference's §1). The
 * command line's settings ({@code args.Settings}), {@link JailSpec.Builder}, the public API's
 * builder and {@code --help} read them from here; config.proto, which the protobuf compiler reads,
 * states them again, and DefaultsTest checks that both say the same.
 */
public final class Defaults {
    private Defaults() {}

    public static final String HOSTNAME = "NSJAIL";
    public static final String CWD = "/";
    /** Seconds of wall-clock time; 0 is none. */
    public static final int TIME_LIMIT_SEC = 600;
    public static final int NICE_LEVEL = 19;
    /** 0: every CPU. */
    public static final int MAX_CPUS = 0;
    /** LISTEN: 0 picks any free port. */
    public static final int PORT = 0;
    public static final String BINDHOST = "::";
    /** LISTEN: 0 is no limit. */
    public static final long MAX_CONNS = 0, MAX_CONNS_PER_IP = 0;
    /** Where procfs is mounted unless --disable_proc. */
    public static final String PROC_PATH = "/proc";
    /** Bytes of each -T tmpfs (nsjail's older --tmpfs_size). */
    public static final long TMPFS_SIZE = 4194304;

    /** The namespaces a jail gets: all but the time namespace. */
    public static Set<Namespace> namespaces() {
        return EnumSet.of(Namespace.USER, Namespace.PID, Namespace.MOUNT, Namespace.NET, Namespace.IPC, Namespace.UTS,
                Namespace.CGROUP);
    }

    /**
     * One rlimit default: {@code value} in nsjail's unit for that option ({@link #rlimitUnit}), or, where
     * {@code soft}, the caller's soft limit (as a supervisor it started has it, nsjail's "soft").
     */
    public record Rlimit(RLimit resource, boolean soft, long value) {
        /** The value in the kernel's unit (bytes, seconds, a count); only for a non-soft one. */
        public long kernelValue() {
            long unit = rlimitUnit(resource);
            return value > Long.MAX_VALUE / unit ? RLimit.RLIM_INFINITY : value * unit;
        }
    }

    /** config.proto's rlimit_* defaults, in its order: five values, then five of the caller's soft limits. */
    public static final List<Rlimit> RLIMITS = List.of(new Rlimit(RLimit.RLIMIT_AS, false, 4096),
            new Rlimit(RLimit.RLIMIT_CORE, false, 0), new Rlimit(RLimit.RLIMIT_CPU, false, 600),
            new Rlimit(RLimit.RLIMIT_FSIZE, false, 1), new Rlimit(RLimit.RLIMIT_NOFILE, false, 32),
            new Rlimit(RLimit.RLIMIT_NPROC, true, 1024), new Rlimit(RLimit.RLIMIT_STACK, true, 8),
            new Rlimit(RLimit.RLIMIT_MEMLOCK, true, 64), new Rlimit(RLimit.RLIMIT_RTPRIO, true, 0),
            new Rlimit(RLimit.RLIMIT_MSGQUEUE, true, 1024));

    /** nsjail's unit for each rlimit option (config.cc adjustRLimit): MiB for sizes, KiB for memlock. */
    public static long rlimitUnit(RLimit r) {
        return switch (r) {
            case RLIMIT_AS, RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_STACK -> 1L << 20;
            case RLIMIT_MEMLOCK -> 1024L;
            default -> 1L;
        };
    }

    /** The cloned MACVLAN's settings (--macvlan_vs_*). */
    public static final String MACVLAN_VS_IP = "192.168.0.2", MACVLAN_VS_NM = "255.255.255.0",
            MACVLAN_VS_GW = "192.168.0.1", MACVLAN_VS_MA = "", MACVLAN_VS_MO = "private";

    /** cgroup v1 mounts and parents, and the v2 mount (--cgroup_*). */
    public static final String CGROUP_MEM_MOUNT = "/sys/fs/cgroup/memory", CGROUP_PIDS_MOUNT = "/sys/fs/cgroup/pids",
            CGROUP_NET_CLS_MOUNT = "/sys/fs/cgroup/net_cls", CGROUP_CPU_MOUNT = "/sys/fs/cgroup/cpu",
            CGROUP_PARENT = "NSJAIL", CGROUPV2_MOUNT = "/sys/fs/cgroup";
    /** cgroup limits: 0 is off; swap's off is -1. */
    public static final long CGROUP_MEM_SWAP_MAX = -1;

    /** user_net's addresses and interface. */
    public static final String USER_NET_IP4 = "10.255.255.2", USER_NET_GW4 = "10.255.255.1",
            USER_NET_IP6 = "fc00::2", USER_NET_GW6 = "fc00::1", USER_NET_IFACE = "eth0";
}
