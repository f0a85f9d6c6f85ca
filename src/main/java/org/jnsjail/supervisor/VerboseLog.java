package org.jnsjail.supervisor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.log.Quote;
import org.jnsjail.mount.MountPlanner;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.Step;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.Prctl;
import org.jnsjail.sys.RLimit;
import org.jnsjail.user.IdMapFiles;
import org.jnsjail.model.JailResource;

/**
 * What {@code -v} shows about each jail, in the order nsjail's verbose log shows it (subproc.cc,
 * user.cc, mnt.cc, uts.cc, caps.cc, cpu.cc, contain.cc): the clone flags, the id maps and how they are
 * written, then what the jail does before its execve, read from the plan the stub runs: ids, each
 * mount with its flags, the hostname, capabilities kept and dropped, CPUs, rlimits, nice, the fds
 * passed, the seccomp program and the exec. The cgroup paths come from the cgroup code as it makes
 * them (before this, since cgroups are attached first).
 *
 * <p>All lines are built here, from the spec and the plan, and logged at once when the jail's pid is
 * known ({@link #attach}), just before the supervisor writes the maps and lets the jail go; nothing
 * else in the supervisor logs set-up steps. Only made when DEBUG is enabled.
 */
final class VerboseLog implements JailResource {
    private final JailSpec spec;
    private final Plan plan;
    private final int euid;
    /** The first of the two: only the clone line, before the cgroup code's lines. */
    private final boolean head;

    private VerboseLog(JailSpec spec, Plan plan, int euid, boolean head) {
        this.spec = spec;
        this.plan = plan;
        this.euid = euid;
        this.head = head;
    }

    /**
     * With -v, adds the verbose logging of one jail to its resources: the clone line first, as nsjail
     * logs it before the cgroups, and the rest last, after them.
     */
    static void add(List<JailResource> resources, JailSpec spec, Plan plan, int euid) {
        if (!Log.enabled(Log.Level.DEBUG)) return;
        resources.addFirst(new VerboseLog(spec, plan, euid, true));
        resources.add(new VerboseLog(spec, plan, euid, false));
    }

    /** -Me: no clone and no supervisor, so the lines are logged before the process turns into the stub. */
    static void inPlace(JailSpec spec, Plan plan) {
        if (!Log.enabled(Log.Level.DEBUG)) return;
        for (String l : lines(spec, plan, -1, List.of())) Log.debug(l);
    }

    @Override
    public void attach(int pid) {
        if (head) {
            Log.debug(cloneLine(spec, pid));
            return;
        }
        List<IdMapFiles.Step> maps = spec.has(Namespace.USER)
                ? IdMapFiles.steps(pid, spec.uidMaps(), spec.gidMaps(), euid) : List.of();
        List<String> l = lines(spec, plan, pid, maps);
        for (String line : l.subList(1, l.size())) Log.debug(line);
    }

    @Override
    public void release() {}

    /** The lines for a jail with {@code pid} (-1: -Me, which unshares itself); pure. */
    static List<String> lines(JailSpec spec, Plan plan, int pid, List<IdMapFiles.Step> parentWrites) {
        List<String> out = new ArrayList<>();
        out.add(cloneLine(spec, pid));
        for (IdMapFiles.Step s : parentWrites) out.add(s.describe(pid));
        boolean mountsDone = false, affinity = false;
        int execFd = -1, capsAt = -1;
        long inheritable = 0;
        List<String> dropped = new ArrayList<>(), ambient = new ArrayList<>();
        for (Op op : plan.ops()) {
            switch (op.step()) {
                case Step.WriteFile w -> out.add("Writing " + Quote.of(new String(w.content(), StandardCharsets.UTF_8))
                        + " to '" + w.path() + "'");
                case Step.Setresgid g -> out.add("setresgid(" + g.rgid() + ")");
                case Step.Setgroups g -> out.add("setgroups(" + g.groups().length + ", "
                        + java.util.Arrays.toString(g.groups()) + ")");
                case Step.Setresuid u -> out.add("setresuid(" + u.ruid() + ")");
                case Step.OpenAt o -> mountsDone = mounts(out, spec, mountsDone);
                case Step.SymlinkAt o -> mountsDone = mounts(out, spec, mountsDone);
                case Step.Chroot o -> mountsDone = mounts(out, spec, mountsDone);
                case Step.Sethostname h -> out.add("Setting hostname to " + Quote.of(h.name()));
                case Step.Capset c -> {
                    inheritable = c.inheritable();
                    capsAt = out.size();
                }
                case Step.Prctl p -> {
                    if (p.option() == Prctl.PR_CAPBSET_DROP) dropped.add(capName((int) p.arg2()));
                    else if (p.option() == Prctl.PR_CAP_AMBIENT && p.arg2() == Prctl.PR_CAP_AMBIENT_RAISE) ambient.add(capName((int) p.arg3()));
                    else if (p.option() == Prctl.PR_SET_NO_NEW_PRIVS) out.add("prctl(PR_SET_NO_NEW_PRIVS, 1)");
                }
                case Step.SchedSetaffinity m -> {
                    affinity = true;
                    out.add("Setting new CPU mask=" + cpus(m.mask()) + " (max_cpus=" + spec.maxCpus() + ")");
                }
                case Step.Prlimit r -> out.add("Setting " + rlimitName(r.resource()) + " to " + limit(r.soft())
                        + (r.soft() == r.hard() ? "" : " (hard " + limit(r.hard()) + ")"));
                case Step.Personality p -> out.add("personality(0x" + Long.toHexString(p.persona()) + ")");
                case Step.Setpriority p -> out.add("setpriority(" + p.prio() + ")");
                case Step.Setsid x -> out.add("setsid()");
                case Step.FdsCloexec f -> {
                    for (int fd = 0; fd <= 2; fd++) out.add("fd=" + fd + " will be passed to the child process");
                    for (int fd : f.keep()) if (fd > 2) out.add("fd=" + fd + " will be passed to the child process");
                }
                case Step.Seccomp f -> out.add("Installing the seccomp-bpf program: " + f.filter().length / 8
                        + " instructions" + (f.listenerFd() >= 0 ? " (--seccomp_unotify)" : "")
                        + ((f.flags() & 2) != 0 ? " (SECCOMP_FILTER_FLAG_LOG)" : ""));
                case Step.Init i -> out.add("PID 1 stays as a minimal init: it reaps orphans and passes SIGTERM, SIGINT and"
                        + " SIGHUP on to the program (--init)");
                case Step.Execve e -> execFd = e.execFd();
                default -> { }
            }
        }
        if (!mountsDone && spec.has(Namespace.MOUNT)) mounts(out, spec);
        if (capsAt >= 0) {
            // nsjail's caps.cc lines, then cpu.cc's, in its order.
            List<String> caps = new ArrayList<>();
            caps.add("Adding the following capabilities to the inheritable set:" + caps(inheritable));
            if (!dropped.isEmpty()) caps.add("Dropped the following capabilities from the bounding set: "
                    + String.join(" ", dropped));
            caps.add("Added the following capabilities to the ambient set:" + (ambient.isEmpty() ? ""
                    : " " + String.join(" ", ambient)));
            if (!affinity) caps.add(spec.maxCpus() == 0 ? "No max_cpus limit set"
                    : "max_cpus=" + spec.maxCpus() + ": every CPU available is used");
            out.addAll(capsAt, caps);
        }
        List<String> quoted = new ArrayList<>();
        for (String arg : spec.argv()) quoted.add(Quote.of(arg));
        out.add("Exec: " + Quote.of(spec.program()) + ", Args: [" + Quote.cut(String.join(", ", quoted)) + "]"
                + (execFd >= 0 ? " (execveat of the file opened before the namespaces)" : ""));
        return out;
    }

    private static String cloneLine(JailSpec spec, int pid) {
        String flags = cloneFlags(spec);
        return pid >= 0 ? "Created pid=" + pid + " with clone flags:" + flags
                : "Unsharing the namespaces " + flags + " (-Me: the program takes this process's place)";
    }

    /** The mount lines, once, at the first file system operation; whether they are written. */
    private static boolean mounts(List<String> out, JailSpec spec, boolean done) {
        if (!done) mounts(out, spec);
        return true;
    }

    private static void mounts(List<String> out, JailSpec spec) {
        if (!spec.has(Namespace.MOUNT)) {
            for (MountPt m : spec.mounts()) {
                if (m.isBind() && m.dst().equals("/")) out.add("chroot(" + Quote.of(m.src()) + ") (no mount namespace)");
            }
            return;
        }
        boolean root = false;
        for (MountPt m : spec.mounts()) root |= m.dst().equals("/") || m.dst().isEmpty();
        if (!root) out.add("Mounting: '/' type:'tmpfs' options:'' dir:true flags:" + (spec.rootRw() ? "0" : "MS_RDONLY"));
        for (MountPt m : spec.mounts()) {
            if (m.isSymlink()) {
                out.add("Creating symlink: " + Quote.of(m.src()) + " -> " + Quote.of(m.dst()));
                continue;
            }
            out.add("Mounting: " + MountPlanner.describe(m).substring("Mount: ".length()) + " flags:" + mountFlags(m));
        }
    }

    /** The flags the mount ends with: read-only (recursive for binds, unlike nsjail's default backend), nosuid, ... */
    static String mountFlags(MountPt m) {
        List<String> f = new ArrayList<>();
        if (m.isBind() || m.srcContent() != null) f.add("MS_BIND");
        if (m.isBind()) f.add("MS_REC");
        boolean ro = !m.rw(), nosuid = m.nosuid(), nodev = m.nodev(), noexec = m.noexec();
        for (String w : m.options().split(",")) {
            switch (w.strip()) {
                case "ro" -> ro = true;
                case "nosuid" -> nosuid = true;
                case "nodev" -> nodev = true;
                case "noexec" -> noexec = true;
                default -> { }
            }
        }
        if (ro) f.add(m.isBind() ? "MS_RDONLY (recursive)" : "MS_RDONLY");
        if (nosuid) f.add("MS_NOSUID");
        if (nodev) f.add("MS_NODEV");
        if (noexec) f.add("MS_NOEXEC");
        return f.isEmpty() ? "0" : String.join("|", f);
    }

    private static String cloneFlags(JailSpec spec) {
        List<String> f = new ArrayList<>();
        for (CloneFlag c : CloneFlag.values()) {
            for (Namespace ns : spec.namespaces()) if (ns.flag == c) f.add(c.name());
        }
        return f.isEmpty() ? "0" : String.join("|", f);
    }

    private static String caps(long mask) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < 64; c++) if ((mask & (1L << c)) != 0) b.append(' ').append(capName(c));
        return b.toString();
    }

    private static String capName(int c) {
        Capability[] all = Capability.values();
        return c < all.length ? all[c].name() : "CAP_" + c;
    }

    private static String rlimitName(long resource) {
        for (RLimit r : RLimit.values()) if (r.resource == resource) return r.name();
        return "rlimit " + resource;
    }

    private static String limit(long v) {
        return v == RLimit.RLIM_INFINITY ? "RLIM64_INFINITY" : Long.toUnsignedString(v);
    }

    private static String cpus(byte[] mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < mask.length * 8; i++) if ((mask[i / 8] & (1 << (i % 8))) != 0) out.add(Integer.toString(i));
        return "[" + String.join(",", out) + "]";
    }

}
