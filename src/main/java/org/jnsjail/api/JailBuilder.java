package org.jnsjail.api;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.model.Caller;
import org.jnsjail.model.Defaults;
import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.NetConfig;
import org.jnsjail.model.UserNet;
import org.jnsjail.seccomp.JailPolicy;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.RLimit;

/**
 * Describes a jail, as {@link ProcessBuilder} describes a process: the command, its file system,
 * environment, ids, limits, seccomp policy, network and standard streams; {@link #start()} starts
 * one, {@link #build()} makes an immutable {@link Jail} that starts any number.
 *
 * <p>The defaults are nsjail's, so a builder left alone gives the jail {@code nsjail -Mo -- CMD}
 * gives (and {@link NsjailArgs} turns such a command line into a builder): every namespace but the
 * time namespace; the caller's uid and gid mapped to themselves; a root that is an empty read-only
 * tmpfs with procfs at /proc (read-only, nosuid, nodev, noexec); an empty environment and no PATH
 * search; cwd "/", host name "NSJAIL"; a 600 s time limit; nsjail's rlimits (address space 4096 MiB,
 * no core files, 600 s of CPU, files up to 1 MiB, 32 open files, the others as the caller has them);
 * nice level 19; no new privileges and no capabilities; no seccomp policy; no cgroup limits; only the
 * loopback interface. Unlike the command line, the standard streams are {@link Redirect#PIPE}s, as a
 * {@link ProcessBuilder}'s.
 *
 * <p>Setters check their argument at once (a null is a {@link NullPointerException}, a value out of
 * range an {@link IllegalArgumentException}); {@link #build()} checks the whole (an
 * {@link IllegalStateException} for an empty command, say) and reads the seccomp policy. Nothing on
 * the host is touched before {@link Jail#start()}. A builder is not thread-safe.
 *
 * <p>Example: {@code new JailBuilder("/bin/echo", "hello").readOnlyRoot().timeLimit(Duration.ofSeconds(2))
 * .memoryLimit(64 << 20).start()}.
 */
public final class JailBuilder {
    private List<String> command;
    private String executable;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private String hostname = Defaults.HOSTNAME;
    private String cwd = Defaults.CWD;
    private final EnumSet<org.jnsjail.model.Namespace> namespaces = EnumSet.copyOf(Defaults.namespaces());
    private final List<IdMap> uidMaps = new ArrayList<>(), gidMaps = new ArrayList<>();
    /** The mount at "/", or null: an empty tmpfs. */
    private MountPt root;
    private boolean rootRw;
    private final List<MountPt> mounts = new ArrayList<>();
    /** procfs, mounted after every other mount as the command line does; null for none. */
    private MountPt proc = procAt(Defaults.PROC_PATH, false);
    private long timeLimitMillis = Defaults.TIME_LIMIT_SEC * 1000L;
    /** Explicit rlimits; the others are nsjail's defaults. */
    private final Map<RLimit, Long> rlimits = new EnumMap<>(RLimit.class);
    private boolean inheritRlimits;
    private CgroupLimits cgroups = CgroupLimits.NONE;
    private String seccompPolicy;
    private Path seccompPolicyFile;
    /** A compiled filter (from {@link NsjailArgs}); replaced by a policy set here. */
    private byte[] seccompFilter;
    private boolean seccompLog;
    private NetConfig net = NetConfig.NONE;
    private boolean ifaceNoLo;
    private boolean keepCaps;
    private final List<Capability> caps = new ArrayList<>();
    private boolean disableNoNewPrivs;
    private int niceLevel = Defaults.NICE_LEVEL;
    private int maxCpus = Defaults.MAX_CPUS;
    private Integer oomScoreAdj;
    private boolean init;
    /** What only a command line or config sets: kept as they came. */
    private boolean execFd, noPivotRoot, silent, stderrToNull, skipSetsid, disableTsc, useCoreScheduling,
            seccompUnotify;
    private int personality;
    private List<Integer> passFds = List.of();
    private Redirect stdin = Redirect.PIPE, stdout = Redirect.PIPE, stderr = Redirect.PIPE;
    private boolean redirectErrorStream;

    /**
     * A builder for {@code command}.
     *
     * @param command the program (an absolute path inside the jail: there is no PATH search) and its arguments
     */
    public JailBuilder(String... command) {
        command(command);
    }

    /**
     * A builder for {@code command}.
     *
     * @param command the program (an absolute path inside the jail) and its arguments
     */
    public JailBuilder(List<String> command) {
        command(command);
    }

    // ---- the program -------------------------------------------------------------------------

    /**
     * Sets the command: the program and its arguments, argv[0] first.
     *
     * @param command the program (an absolute path inside the jail: there is no PATH search) and its arguments
     * @return this builder
     */
    public JailBuilder command(String... command) {
        return command(List.of(Objects.requireNonNull(command, "command")));
    }

    /**
     * Sets the command: the program and its arguments, argv[0] first.
     *
     * @param command the program and its arguments
     * @return this builder
     */
    public JailBuilder command(List<String> command) {
        Objects.requireNonNull(command, "command");
        for (String a : command) {
            Objects.requireNonNull(a, "an argument of the command is null");
            if (a.indexOf('\0') >= 0) throw new IllegalArgumentException("an argument contains a NUL character");
        }
        this.command = new ArrayList<>(command);
        return this;
    }

    /**
     * The command.
     *
     * @return a copy of the program and its arguments
     */
    public List<String> command() {
        return List.copyOf(command);
    }

    /**
     * Executes this file instead of argv[0] (nsjail's --exec_file); argv[0] is passed as it is.
     *
     * @param path the file inside the jail, or null for argv[0]
     * @return this builder
     */
    public JailBuilder executable(String path) {
        this.executable = path == null ? null : nonEmpty(path, "executable");
        return this;
    }

    /**
     * The jail's environment, to change in place as {@link ProcessBuilder#environment()}'s. It starts
     * empty (nsjail passes no variable unless asked).
     *
     * @return the live map
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Sets one environment variable.
     *
     * @param name its name (no '=')
     * @param value its value
     * @return this builder
     */
    public JailBuilder env(String name, String value) {
        Objects.requireNonNull(value, "value");
        if (nonEmpty(name, "name").indexOf('=') >= 0) throw new IllegalArgumentException("'=' in the name " + name);
        environment.put(name, value);
        return this;
    }

    /**
     * Copies this JVM's whole environment into the jail's (nsjail's --keep_env); later
     * {@link #env} calls still change it.
     *
     * @return this builder
     */
    public JailBuilder inheritEnvironment() {
        environment.putAll(System.getenv());
        return this;
    }

    /**
     * The working directory inside the jail (default "/").
     *
     * @param dir the directory, a path inside the jail
     * @return this builder
     */
    public JailBuilder cwd(String dir) {
        this.cwd = nonEmpty(dir, "cwd");
        return this;
    }

    /**
     * The jail's host name (default "NSJAIL"; needs the UTS namespace).
     *
     * @param name the host name
     * @return this builder
     */
    public JailBuilder hostname(String name) {
        this.hostname = Objects.requireNonNull(name, "hostname");
        return this;
    }

    // ---- the file system ---------------------------------------------------------------------

    /**
     * The host's whole file system, read-only, as the jail's root (nsjail's {@code --chroot /}).
     *
     * @return this builder
     */
    public JailBuilder readOnlyRoot() {
        return root(Path.of("/"), Access.READ_ONLY);
    }

    /**
     * A host directory as the jail's root (nsjail's --chroot, with --rw for {@link Access#READ_WRITE}).
     * Without one the root is an empty tmpfs, read-only unless {@link #writableRoot()}.
     *
     * @param hostDir the directory on the host
     * @param access read-only or writable
     * @return this builder
     */
    public JailBuilder root(Path hostDir, Access access) {
        Objects.requireNonNull(hostDir, "hostDir");
        Objects.requireNonNull(access, "access");
        boolean rw = access == Access.READ_WRITE;
        root = new MountPt(hostDir.toString(), "/", "", "", true, rw, true, true, false, false, false, false, null,
                "", "");
        rootRw = rw;
        return this;
    }

    /**
     * Makes the jail's root writable: the empty tmpfs root, or the {@link #root} directory (nsjail's --rw).
     *
     * @return this builder
     */
    public JailBuilder writableRoot() {
        rootRw = true;
        if (root != null) root = root(root, true);
        return this;
    }

    /**
     * Bind-mounts a host path into the jail (nsjail's -R, or -B for {@link Access#READ_WRITE}).
     *
     * @param hostPath the file or directory on the host
     * @param jailPath where it appears in the jail
     * @param access read-only or writable
     * @return this builder
     */
    public JailBuilder bind(Path hostPath, String jailPath, Access access) {
        Objects.requireNonNull(hostPath, "hostPath");
        Objects.requireNonNull(access, "access");
        mounts.add(MountPt.bind(hostPath.toString(), absolute(jailPath, "jailPath"), access == Access.READ_WRITE));
        return this;
    }

    /**
     * Bind-mounts a host path read-only at the same path in the jail (nsjail's -R).
     *
     * @param hostPath the file or directory on the host, absolute
     * @return this builder
     */
    public JailBuilder bindReadOnly(Path hostPath) {
        return bind(hostPath, hostPath.toString(), Access.READ_ONLY);
    }

    /**
     * Mounts a tmpfs of nsjail's default size (4 MiB) in the jail (nsjail's -T).
     *
     * @param jailPath where
     * @return this builder
     */
    public JailBuilder tmpfs(String jailPath) {
        return tmpfs(jailPath, Defaults.TMPFS_SIZE);
    }

    /**
     * Mounts a writable tmpfs in the jail.
     *
     * @param jailPath where
     * @param sizeBytes its size in bytes, more than 0
     * @return this builder
     */
    public JailBuilder tmpfs(String jailPath, long sizeBytes) {
        if (sizeBytes <= 0) throw new IllegalArgumentException("a tmpfs size is more than 0 bytes, not " + sizeBytes);
        mounts.add(MountPt.fs("", absolute(jailPath, "jailPath"), "tmpfs", "size=" + sizeBytes, true, true));
        return this;
    }

    /**
     * Where procfs is mounted (default /proc, read-only), after every other mount.
     *
     * @param jailPath where, or null for no procfs (nsjail's --disable_proc)
     * @return this builder
     */
    public JailBuilder proc(String jailPath) {
        proc = jailPath == null ? null : procAt(absolute(jailPath, "jailPath"), proc != null && proc.rw());
        return this;
    }

    /**
     * Makes procfs writable (nsjail's --proc_rw).
     *
     * @return this builder
     * @throws IllegalStateException if there is no procfs ({@code proc(null)})
     */
    public JailBuilder writableProc() {
        if (proc == null) throw new IllegalStateException("there is no procfs mount (proc(null) was called)");
        proc = procAt(proc.dst(), true);
        return this;
    }

    /**
     * Creates a symbolic link in the jail (nsjail's -s).
     *
     * @param target what the link points to
     * @param jailPath the link
     * @return this builder
     */
    public JailBuilder symlink(String target, String jailPath) {
        mounts.add(MountPt.symlink(nonEmpty(target, "target"), absolute(jailPath, "jailPath")));
        return this;
    }

    /**
     * Mounts a file system in the jail (nsjail's -m).
     *
     * @param source the source ("none" for a pseudo file system)
     * @param jailPath where
     * @param fstype the file system type ("tmpfs", "proc", "mqueue", ...)
     * @param options mount(2) data, e.g. "size=1m", or ""
     * @param access read-only or writable
     * @return this builder
     */
    public JailBuilder mount(String source, String jailPath, String fstype, String options, Access access) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(access, "access");
        mounts.add(MountPt.fs(source, absolute(jailPath, "jailPath"), nonEmpty(fstype, "fstype"), options,
                access == Access.READ_WRITE, null));
        return this;
    }

    /** Whether a mount may be written through. */
    public enum Access {
        /** Read-only. */
        READ_ONLY,
        /** Writable. */
        READ_WRITE
    }

    // ---- identity and namespaces -------------------------------------------------------------

    /**
     * The namespaces the jail gets (default: all but {@link Namespace#TIME}).
     *
     * @param namespaces the namespaces; without {@link Namespace#USER} only root may start the jail,
     *     without {@link Namespace#MOUNT} there are no mounts
     * @return this builder
     */
    public JailBuilder namespaces(Set<Namespace> namespaces) {
        Objects.requireNonNull(namespaces, "namespaces");
        this.namespaces.clear();
        for (Namespace n : namespaces) this.namespaces.add(org.jnsjail.model.Namespace.valueOf(n.name()));
        return this;
    }

    /**
     * Runs the program as {@code uid} inside the jail, mapped to this JVM's own uid (nsjail's -u).
     *
     * @param uid the uid inside, 0 or more
     * @return this builder
     */
    public JailBuilder user(long uid) {
        return uidMap(uid, HostInfo.get().uid(), 1);
    }

    /**
     * Runs the program with group {@code gid} inside the jail, mapped to this JVM's own gid (nsjail's -g).
     *
     * @param gid the gid inside, 0 or more
     * @return this builder
     */
    public JailBuilder group(long gid) {
        return gidMap(gid, HostInfo.get().gid(), 1);
    }

    /**
     * Adds a line to the user namespace's uid_map, written by this JVM (nsjail's {@code -u
     * inside:outside:count}): uids [inside, inside+count) in the jail are [outside, outside+count)
     * outside. The first map's inside uid is the program's. Without any, this JVM's uid is mapped to
     * itself. A map beyond one's own uid needs root; nsjail's -U, which has newuidmap(1) write it
     * (for /etc/subuid ranges), is {@code NsjailArgs.parse("-U", ...)}.
     *
     * @param inside the first uid inside
     * @param outside the first uid outside
     * @param count how many, 1 or more
     * @return this builder
     */
    public JailBuilder uidMap(long inside, long outside, long count) {
        uidMaps.add(idMap(inside, outside, count));
        return this;
    }

    /**
     * Adds a line to the gid_map, written by this JVM (nsjail's {@code -g inside:outside:count}), as
     * {@link #uidMap}.
     *
     * @param inside the first gid inside
     * @param outside the first gid outside
     * @param count how many, 1 or more
     * @return this builder
     */
    public JailBuilder gidMap(long inside, long outside, long count) {
        gidMaps.add(idMap(inside, outside, count));
        return this;
    }

    /**
     * Keeps these capabilities (inheritable and ambient) for the program; all others are dropped.
     *
     * @param names capability names, e.g. "CAP_NET_BIND_SERVICE"
     * @return this builder
     */
    public JailBuilder capabilities(String... names) {
        List<Capability> list = new ArrayList<>();
        for (String n : Objects.requireNonNull(names, "names")) {
            Capability c = Capability.byName(Objects.requireNonNull(n, "a capability name is null"));
            if (c == null) throw new IllegalArgumentException("unknown capability '" + n + "'");
            list.add(c);
        }
        caps.clear();
        caps.addAll(list);
        return this;
    }

    /**
     * Runs the program as PID 1 under a minimal init that reaps orphans and passes SIGTERM, SIGINT
     * and SIGHUP on (jnsjail's --init).
     *
     * @return this builder
     */
    public JailBuilder init() {
        init = true;
        return this;
    }

    // ---- limits ------------------------------------------------------------------------------

    /**
     * The wall-clock limit, from the program's start (default 600 s, nsjail's): past it the jail is
     * killed and its result says {@link JailResult#timedOut()}.
     *
     * @param limit the limit, {@link Duration#ZERO} for none
     * @return this builder
     */
    public JailBuilder timeLimit(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative()) throw new IllegalArgumentException("a time limit is not negative: " + limit);
        long ms = limit.toMillis();
        if (ms == 0 && !limit.isZero()) ms = 1;
        timeLimitMillis = ms;
        return this;
    }

    /**
     * A resource limit, as both soft and hard limit (default: nsjail's).
     *
     * @param resource which
     * @param value in the kernel's units (bytes, seconds, a count), or {@link Rlimit#INFINITY}
     * @return this builder
     */
    public JailBuilder rlimit(Rlimit resource, long value) {
        Objects.requireNonNull(resource, "resource");
        if (value < 0 && value != Rlimit.INFINITY) {
            throw new IllegalArgumentException(resource + ": a limit is 0 or more, or Rlimit.INFINITY, not " + value);
        }
        rlimits.put(RLimit.valueOf(resource.name()), value);
        inheritRlimits = false;
        return this;
    }

    /**
     * Sets no resource limit: the program has this JVM's (nsjail's --disable_rlimits).
     *
     * @return this builder
     */
    public JailBuilder inheritRlimits() {
        rlimits.clear();
        inheritRlimits = true;
        return this;
    }

    /**
     * Memory the jail's processes may use together, in a memory cgroup (nsjail's --cgroup_mem_max):
     * past it the kernel's OOM killer kills one, and the result says {@link JailResult#oomKilled()}.
     * Needs a writable cgroup hierarchy (see {@link #cgroupVersion}).
     *
     * @param bytes the limit, 0 for none
     * @return this builder
     */
    public JailBuilder memoryLimit(long bytes) {
        cgroups = withCgroup(bytes, "memoryLimit", cgroups.pidsMax(), cgroups.cpuMsPerSec());
        return this;
    }

    /**
     * Processes and threads the jail may have at once, in a pids cgroup (nsjail's --cgroup_pids_max).
     *
     * @param max the limit, 0 for none
     * @return this builder
     */
    public JailBuilder pidsLimit(long max) {
        cgroups = withCgroup(cgroups.memMax(), "pidsLimit", max, cgroups.cpuMsPerSec());
        return this;
    }

    /**
     * CPU time the jail may use per second of wall time, in a cpu cgroup (nsjail's
     * --cgroup_cpu_ms_per_sec): 500 is half a CPU.
     *
     * @param millisPerSecond the limit, 0 for none
     * @return this builder
     */
    public JailBuilder cpuLimit(long millisPerSecond) {
        cgroups = withCgroup(cgroups.memMax(), "cpuLimit", cgroups.pidsMax(), millisPerSecond);
        return this;
    }

    /**
     * Which cgroup hierarchy the cgroup limits are set in (default {@link CgroupVersion#V1}, nsjail's).
     *
     * @param version the hierarchy
     * @return this builder
     */
    public JailBuilder cgroupVersion(CgroupVersion version) {
        Objects.requireNonNull(version, "version");
        CgroupLimits c = cgroups;
        cgroups = new CgroupLimits(c.memMax(), c.memMemswMax(), c.memSwapMax(), c.memMount(), c.memParent(), c.pidsMax(),
                c.pidsMount(), c.pidsParent(), c.netClsClassid(), c.netClsMount(), c.netClsParent(), c.cpuMsPerSec(),
                c.cpuMount(), c.cpuParent(), c.cgroupv2Mount(), version == CgroupVersion.V2,
                version == CgroupVersion.DETECT);
        return this;
    }

    /**
     * The program's nice level (default 19).
     *
     * @param nice -20 to 19
     * @return this builder
     */
    public JailBuilder niceLevel(int nice) {
        if (nice < -20 || nice > 19) throw new IllegalArgumentException("a nice level is -20 to 19, not " + nice);
        niceLevel = nice;
        return this;
    }

    /**
     * How many CPUs the program may run on (sched_setaffinity; default 0, every CPU).
     *
     * @param cpus 0 for all
     * @return this builder
     */
    public JailBuilder maxCpus(int cpus) {
        if (cpus < 0) throw new IllegalArgumentException("a CPU count is 0 or more, not " + cpus);
        maxCpus = cpus;
        return this;
    }

    // ---- seccomp -----------------------------------------------------------------------------

    /**
     * A seccomp-bpf policy in the Kafel language (nsjail's --seccomp_string), compiled by
     * {@link #build()} as the command line compiles it: x32 calls it does not name are killed too.
     * A forbidden call's kill shows in {@link JailResult#seccompViolation()}.
     *
     * @param kafel the policy, e.g. {@code "KILL { ptrace } DEFAULT ALLOW"}; null for none
     * @return this builder
     */
    public JailBuilder seccompPolicy(String kafel) {
        seccompPolicy = kafel;
        seccompPolicyFile = null;
        seccompFilter = null;
        return this;
    }

    /**
     * A Kafel policy from a file (nsjail's -P), read and compiled by {@link #build()}.
     *
     * @param file the policy file; null for none
     * @return this builder
     */
    public JailBuilder seccompPolicy(Path file) {
        seccompPolicyFile = file;
        seccompPolicy = null;
        seccompFilter = null;
        return this;
    }

    /**
     * Logs the calls the policy forbids to the kernel's audit log (SECCOMP_FILTER_FLAG_LOG, nsjail's --seccomp_log).
     *
     * @param log whether to
     * @return this builder
     */
    public JailBuilder seccompLog(boolean log) {
        seccompLog = log;
        return this;
    }

    // ---- network -----------------------------------------------------------------------------

    /**
     * Shares this host's network: no network namespace (nsjail's --disable_clone_newnet).
     *
     * @return this builder
     */
    public JailBuilder hostNetwork() {
        namespaces.remove(org.jnsjail.model.Namespace.NET);
        return this;
    }

    /**
     * User-mode networking (nsjail's --user_net): an interface eth0 (10.255.255.2, fc00::2) whose
     * traffic this JVM carries over ordinary sockets; needs no root where /dev/net/tun is usable.
     *
     * @return this builder
     */
    public JailBuilder userNetwork() {
        net = net.withUserNet(UserNet.DEFAULT);
        return this;
    }

    /**
     * Moves a host interface into the jail's network namespace (nsjail's --iface_own; needs root).
     *
     * @param hostInterface its name
     * @return this builder
     */
    public JailBuilder moveInterface(String hostInterface) {
        List<String> own = new ArrayList<>(net.ifaceOwn());
        own.add(nonEmpty(hostInterface, "hostInterface"));
        net = new NetConfig(own, net.macvlanIface(), net.vsIp(), net.vsNm(), net.vsGw(), net.vsMa(), net.vsMo(),
                net.trafficRules(), net.userNet());
        return this;
    }

    /**
     * A MACVLAN interface "vs" cloned from a host interface (nsjail's -I with --macvlan_vs_ip, _nm,
     * _gw; needs root).
     *
     * @param hostInterface the host's interface
     * @param ip the address of vs
     * @param netmask its netmask
     * @param gateway the default gateway, or "0.0.0.0" for none
     * @return this builder
     */
    public JailBuilder macvlan(String hostInterface, String ip, String netmask, String gateway) {
        net = new NetConfig(net.ifaceOwn(), nonEmpty(hostInterface, "hostInterface"), nonEmpty(ip, "ip"),
                nonEmpty(netmask, "netmask"), nonEmpty(gateway, "gateway"), net.vsMa(), net.vsMo(), net.trafficRules(),
                net.userNet());
        return this;
    }

    /**
     * Leaves the loopback interface down (nsjail's --iface_no_lo).
     *
     * @return this builder
     */
    public JailBuilder noLoopback() {
        ifaceNoLo = true;
        return this;
    }

    // ---- standard streams --------------------------------------------------------------------

    /**
     * Where the jail's stdin comes from (default {@link Redirect#PIPE}).
     *
     * @param source the redirect
     * @return this builder
     */
    public JailBuilder redirectInput(Redirect source) {
        stdin = Objects.requireNonNull(source, "source");
        return this;
    }

    /**
     * Where the jail's stdout goes (default {@link Redirect#PIPE}).
     *
     * @param destination the redirect
     * @return this builder
     */
    public JailBuilder redirectOutput(Redirect destination) {
        stdout = Objects.requireNonNull(destination, "destination");
        return this;
    }

    /**
     * Where the jail's stderr goes (default {@link Redirect#PIPE}).
     *
     * @param destination the redirect
     * @return this builder
     */
    public JailBuilder redirectError(Redirect destination) {
        stderr = Objects.requireNonNull(destination, "destination");
        return this;
    }

    /**
     * As {@link #redirectInput(Redirect)}, with a {@link ProcessBuilder.Redirect}.
     *
     * @param source the redirect
     * @return this builder
     */
    public JailBuilder redirectInput(ProcessBuilder.Redirect source) {
        return redirectInput(Redirect.of(source));
    }

    /**
     * As {@link #redirectOutput(Redirect)}, with a {@link ProcessBuilder.Redirect}.
     *
     * @param destination the redirect
     * @return this builder
     */
    public JailBuilder redirectOutput(ProcessBuilder.Redirect destination) {
        return redirectOutput(Redirect.of(destination));
    }

    /**
     * As {@link #redirectError(Redirect)}, with a {@link ProcessBuilder.Redirect}.
     *
     * @param destination the redirect
     * @return this builder
     */
    public JailBuilder redirectError(ProcessBuilder.Redirect destination) {
        return redirectError(Redirect.of(destination));
    }

    /**
     * Reads the jail's stdin from a host file.
     *
     * @param file the file
     * @return this builder
     */
    public JailBuilder redirectInput(File file) {
        return redirectInput(Redirect.from(file.toPath()));
    }

    /**
     * Writes the jail's stdout to a host file (truncated).
     *
     * @param file the file
     * @return this builder
     */
    public JailBuilder redirectOutput(File file) {
        return redirectOutput(Redirect.to(file.toPath()));
    }

    /**
     * Writes the jail's stderr to a host file (truncated).
     *
     * @param file the file
     * @return this builder
     */
    public JailBuilder redirectError(File file) {
        return redirectError(Redirect.to(file.toPath()));
    }

    /**
     * Sends stderr where stdout goes (then {@link JailProcess#getErrorStream()} is empty).
     *
     * @param merge whether to
     * @return this builder
     */
    public JailBuilder redirectErrorStream(boolean merge) {
        redirectErrorStream = merge;
        return this;
    }

    /**
     * The jail's stdin, stdout and stderr are this JVM's ({@link Redirect#INHERIT}), as the command line does.
     *
     * @return this builder
     */
    public JailBuilder inheritIO() {
        stdin = stdout = stderr = Redirect.INHERIT;
        return this;
    }

    // ---- building ----------------------------------------------------------------------------

    /**
     * Checks the whole description and makes it an immutable, reusable {@link Jail}: compiles the
     * seccomp policy (read from its file now), checks the network addresses and cgroup limits.
     *
     * @return the jail's description
     * @throws IllegalStateException if the command is empty, or settings exclude each other
     * @throws JailException (step {@link JailException.Step#SPEC}) if the policy file cannot be
     *     read or the policy does not compile
     */
    public Jail build() throws JailException {
        if (command.isEmpty() && executable == null) {
            throw new IllegalStateException("no command: give the program and its arguments (command(...))");
        }
        if (!command.isEmpty() && command.getFirst().isEmpty() && executable == null) {
            throw new IllegalStateException("the command's program (argv[0]) is empty");
        }
        boolean mountNs = namespaces.contains(org.jnsjail.model.Namespace.MOUNT);
        if (!mountNs && (!mounts.isEmpty() || (root != null && !root.src().equals("/")))) {
            throw new IllegalStateException("mounts need the MOUNT namespace");
        }
        if ((net.any() || net.userNet() != null) && !namespaces.contains(org.jnsjail.model.Namespace.NET)) {
            throw new IllegalStateException("interfaces and user-mode networking need the NET namespace");
        }
        if (init && !namespaces.contains(org.jnsjail.model.Namespace.PID)) {
            throw new IllegalStateException("init() needs the PID namespace");
        }
        try {
            if (net.userNet() != null) org.jnsjail.net.UserNetwork.check(net.userNet());
            if (net.any()) org.jnsjail.net.JailNetwork.check(net);
            org.jnsjail.cgroup.Cgroups.check(cgroups);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (JailFailure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        JailSpec.Builder b = JailSpec.builder();
        b.argv = command.isEmpty() ? List.of("") : command;
        b.execPath = executable;
        b.execFd = execFd;
        List<String> env = new ArrayList<>(environment.size());
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0 || e.getKey().indexOf('\0') >= 0
                    || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalStateException("bad environment variable '" + e.getKey() + "'");
            }
            env.add(e.getKey() + "=" + e.getValue());
        }
        b.env = env;
        b.hostname = hostname;
        b.cwd = cwd;
        b.namespaces = EnumSet.copyOf(namespaces.isEmpty() ? EnumSet.noneOf(org.jnsjail.model.Namespace.class)
                : namespaces);
        b.uidMaps = new ArrayList<>(uidMaps);
        b.gidMaps = new ArrayList<>(gidMaps);
        List<MountPt> all = new ArrayList<>();
        if (root != null) all.add(root);
        if (mountNs) {
            all.addAll(mounts);
            if (proc != null) all.add(proc);
        }
        b.mounts = all;
        b.rootRw = rootRw;
        b.noPivotRoot = noPivotRoot;
        b.timeLimitMillis = timeLimitMillis;
        b.silent = silent;
        b.stderrToNull = stderrToNull;
        b.skipSetsid = skipSetsid;
        b.passFds = passFds;
        b.keepCaps = keepCaps;
        b.caps = new ArrayList<>(caps);
        b.disableNoNewPrivs = disableNoNewPrivs;
        b.rlimits = inheritRlimits ? null : rlimits();
        b.personality = personality;
        b.niceLevel = niceLevel;
        b.maxCpus = maxCpus;
        b.oomScoreAdj = oomScoreAdj;
        b.disableTsc = disableTsc;
        b.useCoreScheduling = useCoreScheduling;
        b.seccompFilter = seccompFilter();
        b.seccompLog = seccompLog;
        b.seccompUnotify = seccompUnotify;
        b.ifaceNoLo = ifaceNoLo;
        b.cgroups = cgroups;
        b.net = net;
        b.init = init;
        return new Jail(b.build(), stdin, stdout, redirectErrorStream ? null : stderr);
    }

    /**
     * {@link #build()} and {@link Jail#start()}: starts a jail and returns once its program runs.
     *
     * @return the running jail
     * @throws JailException if it could not be started (nothing is left behind)
     * @throws IllegalStateException if the description is incomplete or inconsistent
     */
    public JailProcess start() throws JailException {
        return build().start();
    }

    /** nsjail's rlimits, the caller's soft limit where nsjail takes that, then the ones set here. */
    private Map<RLimit, Long> rlimits() {
        Map<RLimit, Long> m = new EnumMap<>(RLimit.class);
        for (Defaults.Rlimit r : Defaults.RLIMITS) {
            if (!r.soft()) {
                m.put(r.resource(), r.kernelValue());
                continue;
            }
            Caller.Limit cur = Caller.self().inherited(r.resource());
            if (cur != null) m.put(r.resource(), cur.soft());
        }
        m.putAll(rlimits);
        return m;
    }

    private byte[] seccompFilter() throws JailException {
        String text = seccompPolicy;
        if (seccompPolicyFile != null) {
            try {
                // Kafel reads bytes; ISO-8859-1 maps each byte to one char, as the command line reads -P.
                text = Files.readString(seccompPolicyFile, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new JailException(JailException.Step.SPEC, 0, "Couldn't read the seccomp policy '"
                        + seccompPolicyFile + "': " + e.getMessage(), e);
            }
        }
        if (text == null) return seccompFilter;
        try {
            return JailPolicy.compile(text, List.of());
        } catch (KafelException e) {
            throw new JailException(JailException.Step.SPEC, 0, "Could not compile policy: " + e.getMessage(), e);
        }
    }

    // ---- from a command line or config -------------------------------------------------------

    /** A builder holding a spec that the command line's parser made ({@link NsjailArgs}). */
    static JailBuilder of(JailSpec s, boolean noCommand) {
        JailBuilder j = new JailBuilder(noCommand ? List.of() : s.argv());
        j.executable = s.execPath();
        j.execFd = s.execFd();
        for (String kv : s.env()) {
            int eq = kv.indexOf('=');
            j.environment.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
        j.hostname = s.hostname();
        j.cwd = s.cwd();
        j.namespaces.clear();
        j.namespaces.addAll(s.namespaces());
        j.uidMaps.addAll(s.uidMaps());
        j.gidMaps.addAll(s.gidMaps());
        List<MountPt> m = new ArrayList<>(s.mounts());
        j.root = !m.isEmpty() && m.getFirst().dst().equals("/") ? m.removeFirst() : null;
        j.proc = !m.isEmpty() && m.getLast().fstype().equals("proc") ? m.removeLast() : null;
        j.mounts.addAll(m);
        j.rootRw = s.rootRw();
        j.noPivotRoot = s.noPivotRoot();
        j.timeLimitMillis = s.timeLimitMillis();
        j.silent = s.silent();
        j.stderrToNull = s.stderrToNull();
        j.skipSetsid = s.skipSetsid();
        j.passFds = s.passFds();
        j.keepCaps = s.keepCaps();
        j.caps.addAll(s.caps());
        j.disableNoNewPrivs = s.disableNoNewPrivs();
        if (s.rlimits() == null) j.inheritRlimits = true;
        else j.rlimits.putAll(s.rlimits());
        j.personality = s.personality();
        j.niceLevel = s.niceLevel();
        j.maxCpus = s.maxCpus();
        j.oomScoreAdj = s.oomScoreAdj();
        j.disableTsc = s.disableTsc();
        j.useCoreScheduling = s.useCoreScheduling();
        j.seccompFilter = s.seccompFilter();
        j.seccompLog = s.seccompLog();
        j.seccompUnotify = s.seccompUnotify();
        j.ifaceNoLo = s.ifaceNoLo();
        j.cgroups = s.cgroups();
        j.net = s.net();
        j.init = s.init();
        return j;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static MountPt procAt(String path, boolean rw) {
        // nosuid,nodev,noexec as the command line mounts it
        return MountPt.fs("", path, "proc", "", rw, true).withFlags(true, true, true);
    }

    private static MountPt root(MountPt r, boolean rw) {
        return new MountPt(r.src(), r.dst(), r.fstype(), r.options(), r.isBind(), rw, r.isDir(), r.mandatory(),
                r.isSymlink(), r.nosuid(), r.nodev(), r.noexec(), r.srcContent(), r.prefixSrcEnv(), r.prefixDstEnv());
    }

    private CgroupLimits withCgroup(long mem, String what, long pids, long cpu) {
        for (long v : new long[] {mem, pids, cpu}) {
            if (v < 0) throw new IllegalArgumentException(what + ": a limit is 0 (none) or more, not " + v);
        }
        CgroupLimits c = cgroups;
        return new CgroupLimits(mem, c.memMemswMax(), c.memSwapMax(), c.memMount(), c.memParent(), pids, c.pidsMount(),
                c.pidsParent(), c.netClsClassid(), c.netClsMount(), c.netClsParent(), cpu, c.cpuMount(), c.cpuParent(),
                c.cgroupv2Mount(), c.useCgroupv2(), c.detectCgroupv2());
    }

    private static IdMap idMap(long inside, long outside, long count) {
        if (inside < 0 || outside < 0) throw new IllegalArgumentException("ids are 0 or more: " + inside + ", " + outside);
        if (count < 1) throw new IllegalArgumentException("an id map covers 1 id or more, not " + count);
        return new IdMap(inside, outside, count, false);
    }

    private static String nonEmpty(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty()) throw new IllegalArgumentException(what + " is empty");
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL character");
        return s;
    }

    private static String absolute(String path, String what) {
        if (!nonEmpty(path, what).startsWith("/")) throw new IllegalArgumentException(what + " is not absolute: " + path);
        return path;
    }
}
