package org.jnsjail.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jnsjail.sys.Capability;
import org.jnsjail.sys.RLimit;

/**
 * Everything that defines one jail, fully resolved (numeric ids, final environment, final mount
 * list, rlimit values in the kernel's units). Built with {@link #builder()}, whose defaults are
 * nsjail's. Immutable and safe to reuse for any number of jails.
 *
 * @param execPath the file to execve; null means argv[0]. No PATH search, as in nsjail.
 * @param execFd open execPath before the namespaces exist and execveat() it (--execute_fd)
 * @param env the complete environment of the jailed program
 * @param mounts in order; the root ("/") entry, if any, first. With no "/" entry the root is an
 *     empty tmpfs, read-only unless {@code rootRw}
 * @param timeLimitMillis wall-clock limit in milliseconds from the program's start, 0 = none
 * @param passFds fds kept open at the same numbers, besides 0, 1 and 2
 * @param rlimits soft = hard = value; null means --disable_rlimits (inherit)
 * @param caps capabilities kept (inheritable + ambient); all others leave the bounding set
 * @param seccompFilter a compiled classic-BPF program (struct sock_filter[]), or null
 * @param seccompUnotify --seccomp_unotify: also report the jail's file and network system calls
 *     through a seccomp user-notification filter (observation only)
 * @param cgroups per-jail cgroup limits; {@link CgroupLimits#NONE} for none
 * @param net interfaces and traffic rules beyond lo; {@link NetConfig#NONE} for none
 * @param init --init (jnsjail extension): the jail's PID 1 is a minimal init that reaps orphans,
 *     forwards SIGTERM, SIGINT and SIGHUP to the program (its only child) and exits with its status
 */
public record JailSpec(
        List<String> argv, String execPath, boolean execFd, List<String> env,
        String hostname, String cwd, Set<Namespace> namespaces,
        List<IdMap> uidMaps, List<IdMap> gidMaps,
        List<MountPt> mounts, boolean rootRw, boolean noPivotRoot,
        long timeLimitMillis, boolean silent, boolean stderrToNull, boolean skipSetsid, List<Integer> passFds,
        boolean keepCaps, List<Capability> caps, boolean disableNoNewPrivs,
        Map<RLimit, Long> rlimits, int personality, int niceLevel, int maxCpus, Integer oomScoreAdj,
        boolean disableTsc, boolean useCoreScheduling,
        byte[] seccompFilter, boolean seccompLog, boolean seccompUnotify, boolean ifaceNoLo, CgroupLimits cgroups,
        NetConfig net, boolean init) {

    public JailSpec {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        namespaces = namespaces.isEmpty() ? Set.of() : EnumSet.copyOf(namespaces);
        uidMaps = List.copyOf(uidMaps);
        gidMaps = List.copyOf(gidMaps);
        mounts = List.copyOf(mounts);
        passFds = List.copyOf(passFds);
        caps = List.copyOf(caps);
        rlimits = rlimits == null ? null : java.util.Collections.unmodifiableMap(new EnumMap<>(rlimits));
        if (argv.isEmpty()) throw new IllegalArgumentException("No command-line provided");
        if (cgroups == null) cgroups = CgroupLimits.NONE;
        if (net == null) net = NetConfig.NONE;
    }

    /** Without --init, as before it existed. */
    public JailSpec(List<String> argv, String execPath, boolean execFd, List<String> env, String hostname, String cwd,
            Set<Namespace> namespaces, List<IdMap> uidMaps, List<IdMap> gidMaps, List<MountPt> mounts, boolean rootRw,
            boolean noPivotRoot, long timeLimitMillis, boolean silent, boolean stderrToNull, boolean skipSetsid,
            List<Integer> passFds, boolean keepCaps, List<Capability> caps, boolean disableNoNewPrivs,
            Map<RLimit, Long> rlimits, int personality, int niceLevel, int maxCpus, Integer oomScoreAdj,
            boolean disableTsc, boolean useCoreScheduling, byte[] seccompFilter, boolean seccompLog,
            boolean seccompUnotify, boolean ifaceNoLo, CgroupLimits cgroups, NetConfig net) {
        this(argv, execPath, execFd, env, hostname, cwd, namespaces, uidMaps, gidMaps, mounts, rootRw, noPivotRoot,
                timeLimitMillis, silent, stderrToNull, skipSetsid, passFds, keepCaps, caps, disableNoNewPrivs, rlimits,
                personality, niceLevel, maxCpus, oomScoreAdj, disableTsc, useCoreScheduling, seccompFilter, seccompLog,
                seccompUnotify, ifaceNoLo, cgroups, net, false);
    }

    public boolean has(Namespace ns) {
        return namespaces.contains(ns);
    }

    /** The file that is executed: execPath, or argv[0]. */
    public String program() {
        return execPath != null ? execPath : argv.getFirst();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder with nsjail's defaults. */
    public static final class Builder {
        public List<String> argv = new ArrayList<>();
        public String execPath;
        public boolean execFd;
        public List<String> env = new ArrayList<>();
        public String hostname = Defaults.HOSTNAME;
        public String cwd = Defaults.CWD;
        public Set<Namespace> namespaces = Defaults.namespaces();
        public List<IdMap> uidMaps = new ArrayList<>();
        public List<IdMap> gidMaps = new ArrayList<>();
        public List<MountPt> mounts = new ArrayList<>();
        public boolean rootRw;
        public boolean noPivotRoot;
        public long timeLimitMillis = Defaults.TIME_LIMIT_SEC * 1000L;
        public boolean silent, stderrToNull, skipSetsid;
        public List<Integer> passFds = new ArrayList<>();
        public boolean keepCaps;
        public List<Capability> caps = new ArrayList<>();
        public boolean disableNoNewPrivs;
        /** nsjail's explicit defaults; the "soft" ones (NPROC, STACK, ...) are added by the CLI layer. */
        public Map<RLimit, Long> rlimits = defaultRlimits();
        public int personality;
        public int niceLevel = Defaults.NICE_LEVEL;
        public int maxCpus;
        public Integer oomScoreAdj;
        public boolean disableTsc, useCoreScheduling;
        public byte[] seccompFilter;
        public boolean seccompLog;
        public boolean seccompUnotify;
        public boolean ifaceNoLo;
        public CgroupLimits cgroups = CgroupLimits.NONE;
        public NetConfig net = NetConfig.NONE;
        public boolean init;

        public Builder command(String... args) {
            argv = new ArrayList<>(List.of(args));
            return this;
        }

        public Builder mount(MountPt m) {
            mounts.add(m);
            return this;
        }

        static Map<RLimit, Long> defaultRlimits() {
            Map<RLimit, Long> m = new EnumMap<>(RLimit.class);
            for (Defaults.Rlimit r : Defaults.RLIMITS) if (!r.soft()) m.put(r.resource(), r.kernelValue());
            return m;
        }

        /** Unset maps default to nsjail's: the caller's uid and gid, mapped to themselves. */
        public JailSpec build() {
            if (uidMaps.isEmpty() || gidMaps.isEmpty()) {
                org.jnsjail.sys.HostInfo h = org.jnsjail.sys.HostInfo.get();
                if (uidMaps.isEmpty()) uidMaps = List.of(new IdMap(h.uid(), h.uid(), 1, false));
                if (gidMaps.isEmpty()) gidMaps = List.of(new IdMap(h.gid(), h.gid(), 1, false));
            }
            return new JailSpec(argv, execPath, execFd, env, hostname, cwd, namespaces, uidMaps, gidMaps, mounts,
                    rootRw, noPivotRoot, timeLimitMillis, silent, stderrToNull, skipSetsid, passFds, keepCaps, caps,
                    disableNoNewPrivs, rlimits, personality, niceLevel, maxCpus, oomScoreAdj, disableTsc,
                    useCoreScheduling, seccompFilter, seccompLog, seccompUnotify, ifaceNoLo, cgroups, net, init);
        }
    }
}
