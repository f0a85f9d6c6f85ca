package org.jnsjail.args;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.IdMap;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.MountPt;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Quote;
import org.jnsjail.mount.MountPlanner;
import org.jnsjail.sys.HostInfo;

/** nsjail's start-up summary (cmdline.cc logParams), line for line. */
final class Summary {
    private Summary() {}

    /** Each entry: a level letter ('D', 'I' or 'W') followed by the text. */
    static List<String> lines(Settings s, JailSpec spec, List<MountPt> listed, String chroot, HostInfo host) {
        List<String> out = new ArrayList<>();
        out.add("IMode: " + switch (s.mode) {
            case LISTEN -> "LISTEN_TCP";
            case ONCE -> "STANDALONE_ONCE";
            case EXECVE -> "STANDALONE_EXECVE";
            case RERUN -> "STANDALONE_RERUN";
        });
        String bindhost = s.bindhost.indexOf(':') >= 0 ? "[" + s.bindhost + "]" : s.bindhost;
        out.add("IJail parameters: hostname:" + Quote.of(spec.hostname()) + ", chroot:" + Quote.of(chroot) + ", process:"
                + Quote.of(spec.program()) + ", bind:" + bindhost + ":" + s.port + ", max_conns:" + s.maxConns
                + ", max_conns_per_ip:" + s.maxConnsPerIp + ", time_limit:" + spec.timeLimitMillis() / 1000 + ", daemonize:"
                + s.daemon + ", clone_newnet:" + spec.has(Namespace.NET) + ", clone_newuser:" + spec.has(Namespace.USER)
                + ", clone_newns:" + spec.has(Namespace.MOUNT) + ", clone_newpid:" + spec.has(Namespace.PID)
                + ", clone_newipc:" + spec.has(Namespace.IPC) + ", clone_newuts:" + spec.has(Namespace.UTS)
                + ", cgroupv2:" + org.jnsjail.cgroup.Cgroups.usesV2(spec.cgroups()) + ", keep_caps:" + spec.keepCaps()
                + ", disable_no_new_privs:"
                + spec.disableNoNewPrivs() + ", max_cpus:" + spec.maxCpus() + ", use_core_scheduling:"
                + spec.useCoreScheduling());
        // Every mount given, as nsjail lists them, even those a missing mount namespace leaves out.
        for (MountPt m : listed) out.add("I" + MountPlanner.describe(m));
        for (IdMap m : spec.uidMaps()) {
            out.add("IUid map: inside_uid:" + m.inside() + " outside_uid:" + m.outside() + " count:" + m.count()
                    + " newuidmap:" + m.useNewIdMap());
            if (m.outside() == 0 && host.euid() == 0 && spec.has(Namespace.USER)) {
                out.add("WProcess will be UID/EUID=0 in the global user namespace, and will have user root-level access to files");
            }
        }
        for (IdMap m : spec.gidMaps()) {
            out.add("IGid map: inside_gid:" + m.inside() + " outside_gid:" + m.outside() + " count:" + m.count()
                    + " newgidmap:" + m.useNewIdMap());
            if (m.outside() == 0 && host.euid() == 0 && spec.has(Namespace.USER)) {
                out.add("WProcess will be GID/EGID=0 in the global user namespace, and will have group root-level access to files");
            }
        }
        // -v: nsjail's sandbox.cc logs the policy's source next (compiled earlier here, at parsing).
        if (s.seccompPolicyFile != null) {
            out.add("DCompiling seccomp policy from file: " + Quote.of(s.seccompPolicyFile));
        } else if (!s.seccompString.isEmpty()) {
            out.add("DCompiling seccomp policy from string: " + Quote.of(String.join("\n", s.seccompString)));
        }
        return out;
    }
}
