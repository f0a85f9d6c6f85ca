package org.jnsjail.supervisor;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.log.Quote;
import org.jnsjail.mount.MountPlanner;
import org.jnsjail.stub.Op;
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
            long[] a = op.args();
            switch (op.code()) {
                case WRITE_FILE -> out.add("Writing " + Quote.of(text(op, 1)) + " to '" + text(op, 0) + "'");
                case SETRESGID -> out.add("setresgid(" + a[0] + ")");
                case SETGROUPS -> out.add("setgroups(" + a.length + ", " + java.util.Arrays.toString(a) + ")");
                case SETRESUID -> out.add("setresuid(" + a[0] + ")");
                case OPEN_AT, SYMLINK_AT, CHROOT -> {
                    if (!mountsDone) mounts(out, spec);
                    mountsDone = true;
                }
                case SETHOSTNAME -> out.add("Setting hostname to " + Quote.of(text(op, 0)));
                case CAPSET -> {
                    inheritable = a[2];
                    capsAt = out.size();
                }
                case PRCTL -> {
                    if (a[0] == Prctl.PR_CAPBSET_DROP) dropped.add(capName((int) a[1]));
                    else if (a[0] == Prctl.PR_CAP_AMBIENT && a[1] == Prctl.PR_CAP_AMBIENT_RAISE) ambient.add(capName((int) a[2]));
                    else if (a[0] == Prctl.PR_SET_NO_NEW_PRIVS) out.add("prctl(PR_SET_NO_NEW_PRIVS, 1)");
                }
                case SCHED_SETAFFINITY -> {
                    affinity = true;
                    out.add("Setting new CPU mask=" + cpus(op.strs().getFirst()) + " (max_cpus=" + spec.maxCpus() + ")");
                }
                case PRLIMIT -> out.add("Setting " + rlimitName(a[0]) + " to " + limit(a[1])
                        + (a[1] == a[2] ? "" : " (hard " + limit(a[2]) + ")"));
                case PERSONALITY -> out.add("personality(0x" + Long.toHexString(a[0]) + ")");
                case SETPRIORITY -> out.add("setpriority(" + a[2] + ")");
                case SETSID -> out.add("setsid()");
                case FDS_CLOEXEC -> {
                    for (int fd = 0; fd <= 2; fd++) out.add("fd=" + fd + " will be passed to the child process");
                    for (long fd : a) if (fd > 2) out.add("fd=" + fd + " will be passed to the child process");
                }
                case SECCOMP -> out.add("Installing the seccomp-bpf program: " + op.strs().getFirst().length / 8
                        + " instructions" + (op.what().contains("notification") ? " (--seccomp_unotify)" : "")
                        + ((a[0] & 2) != 0 ? " (SECCOMP_FILTER_FLAG_LOG)" : ""));
                case INIT -> out.add("PID 1 stays as a minimal init: it reaps orphans and passes SIGTERM, SIGINT and"
                        + " SIGHUP on to the program (--init)");
                case EXECVE -> execFd = (int) a[2];
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

    private static String text(Op op, int i) {
        return i < op.strs().size() ? new String(op.strs().get(i), java.nio.charset.StandardCharsets.UTF_8) : "";
    }
}
