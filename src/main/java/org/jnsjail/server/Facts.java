package org.jnsjail.server;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Pidfd;
import org.jnsjail.sys.RLimit;
import org.jnsjail.sys.Syscall;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a process passes on to the children it starts, as the kernel reports it (proc(5), prlimit(2),
 * ioprio_get(2), the pidfd namespace ioctls): never what a client says about itself. Only what any
 * process of the same uid may read (PTRACE_MODE_READ at most), so that Yama's ptrace_scope does not
 * turn every request cold. A cold jnsjail
 * would have exactly these, and so would its jail; the server compares a client's with its own.
 *
 * @param ids the Uid:, Gid: and Groups: lines of /proc/PID/status
 * @param caps CapInh, CapPrm, CapEff, CapBnd and CapAmb
 * @param seccomp the Seccomp: mode and Seccomp_filters: count
 * @param cpus Cpus_allowed and Mems_allowed (affinity and cpuset)
 * @param sched nice, scheduling policy, real-time priority and I/O priority
 * @param cgroups the lines of /proc/PID/cgroup (v1 hierarchies and the v2 "0::" line)
 * @param lsm the LSM label (/proc/PID/attr/current), "" without one
 * @param cwd the working directory, as a path in the server's (the same) root
 */
record Facts(String ids, String caps, int noNewPrivs, String seccomp, int umask, int tracerPid, String cpus,
        Map<Pidfd.Ns, Pidfd.FileId> namespaces, Pidfd.FileId root, String sched, String oomScoreAdj, List<String> cgroups, String lsm, Map<RLimit, Caller.Limit> rlimits, String cwd) {

    /** The lines of /proc/PID/status that a jail inherits (proc(5)). */
    private static final java.util.Set<String> STATUS_KEYS = java.util.Set.of("Uid", "Gid", "Groups", "CapInh", "CapPrm",
            "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters", "Umask", "TracerPid",
            "Cpus_allowed", "Mems_allowed");

    /** The v2 cgroup path ("0::" line), or null without one. */
    String cgroup2() {
        for (String l : cgroups) if (l.startsWith("0::")) return l.substring(3);
        return null;
    }

    /** Every line but the v2 one: the v1 hierarchies. */
    List<String> cgroupsV1() {
        return cgroups.stream().filter(l -> !l.startsWith("0::")).toList();
    }

    /** A client: {@code pid} as SO_PEERCRED names it, {@code pidfd} pinning that process. */
    static Facts ofClient(int pidfd, int pid) throws IOException, ErrnoException {
        String dir = "/proc/" + pid;
        Map<Pidfd.Ns, Pidfd.FileId> ns = new EnumMap<>(Pidfd.Ns.class);
        for (Pidfd.Ns n : Pidfd.Ns.values()) ns.put(n, Pidfd.namespace(pidfd, pid, n));
        return read(dir, pid, ns, Pidfd.stat(dir + "/root"), FsState.readlink(dir + "/cwd"));
    }

    /**
     * This thread's (the request threads it creates inherit its attributes): /proc/thread-self for
     * what is per thread, /proc/self/ns for the namespaces.
     */
    static Facts ofSelf() throws IOException, ErrnoException {
        Map<Pidfd.Ns, Pidfd.FileId> ns = new EnumMap<>(Pidfd.Ns.class);
        for (Pidfd.Ns n : Pidfd.Ns.values()) ns.put(n, Pidfd.ownNamespace(n));
        return read("/proc/thread-self", 0, ns, Pidfd.stat("/"), "/");
    }

    private static Facts read(String dir, int pid, Map<Pidfd.Ns, Pidfd.FileId> ns, Pidfd.FileId root, String cwd)
            throws IOException, ErrnoException {
        Map<String, String> st = new java.util.HashMap<>();
        for (String line : HostInfo.readProc(dir + "/status").split("\n")) {
            int c = line.indexOf(':');
            if (c <= 0 || !STATUS_KEYS.contains(line.substring(0, c))) continue;
            st.put(line.substring(0, c), line.substring(c + 1).replace('\t', ' ').trim());
        }
        String ids = st.get("Uid") + " / " + st.get("Gid") + " / " + st.getOrDefault("Groups", "");
        String caps = st.get("CapInh") + " " + st.get("CapPrm") + " " + st.get("CapEff") + " " + st.get("CapBnd") + " "
                + st.get("CapAmb");
        String seccomp = st.getOrDefault("Seccomp", "0") + " filters " + st.getOrDefault("Seccomp_filters", "0");
        String cpus = st.get("Cpus_allowed") + " mems " + st.get("Mems_allowed");
        // /proc/PID/stat after the comm: field 19 is nice, 40 rt_priority, 41 policy (proc(5)).
        String stat = HostInfo.readProc(dir + "/stat");
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ioprio = Libc.sys(org.jnsjail.sys.Syscall.SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, pid, 0, 0, 0, 0);
        String sched = "nice " + f[16] + ", policy " + f[38] + ", rt priority " + f[37] + ", io priority " + ioprio;
        List<String> cgroups = new ArrayList<>(HostInfo.readProc(dir + "/cgroup").lines().toList());
        String lsm = "";
        if (lsmLabels()) {
            try {
                lsm = HostInfo.readProc(dir + "/attr/current").trim();
            } catch (IOException e) {
                // no LSM answers for attr/current
            }
        }
        return new Facts(ids, caps, Integer.parseInt(st.getOrDefault("NoNewPrivs", "0")), seccomp,
                Integer.parseInt(st.getOrDefault("Umask", "0022"), 8), Integer.parseInt(st.getOrDefault("TracerPid", "0")),
                cpus, ns, root, sched, HostInfo.readProc(dir + "/oom_score_adj").trim(), cgroups, lsm, limits(pid), cwd);
    }

    private static volatile Boolean lsmLabels;

    /**
     * Whether an LSM answers /proc/PID/attr/current on this kernel (proc(5)): asked once, of this
     * process, since the answer is the kernel's, not the process's. Without one every read fails, and
     * a failed read per request costs an exception.
     */
    private static boolean lsmLabels() {
        Boolean b = lsmLabels;
        if (b == null) {
            boolean yes;
            try {
                HostInfo.readProc("/proc/self/attr/current");
                yes = true;
            } catch (IOException e) {
                yes = false;
            }
            lsmLabels = b = yes;
        }
        return b;
    }

    /** prlimit(2) of every resource (pid 0: the caller); the kernel allows it for a process with our ids. */
    private static Map<RLimit, Caller.Limit> limits(int pid) throws ErrnoException {
        Map<RLimit, Caller.Limit> out = new EnumMap<>(RLimit.class);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(JAVA_LONG, 2);
            for (RLimit r : RLimit.values()) {
                if (Libc.sys(Syscall.SYS_prlimit64, pid, r.resource, 0, rl.address(), 0, 0) < 0) {
                    throw new ErrnoException("prlimit(" + pid + ", " + r + ")", Libc.errno());
                }
                out.put(r, new Caller.Limit(rl.getAtIndex(JAVA_LONG, 0), rl.getAtIndex(JAVA_LONG, 1)));
            }
        }
        return out;
    }
}
