package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OptTableTest {

    /** nsjail's 104 long options, from the reference §1 (by area). */
    static final List<String> NSJAIL_LONG = List.of(
            // general 5
            "help", "mode", "config", "exec_file", "execute_fd",
            // logging 6
            "log", "log_fd", "verbose", "quiet", "really_quiet", "daemon",
            // listen 4
            "port", "bindhost", "max_conns", "max_conns_per_ip",
            // identity 8
            "user", "group", "uid_mapping", "gid_mapping", "hostname", "cwd", "keep_env", "env",
            // time/cpu 6
            "time_limit", "max_cpus", "nice_level", "use_core_scheduling", "oom_score_adj", "disable_tsc",
            // stdio 5
            "silent", "stderr_to_null", "skip_setsid", "pass_fd", "forward_signals",
            // privileges 3
            "keep_caps", "cap", "disable_no_new_privs",
            // rlimits 11
            "rlimit_as", "rlimit_core", "rlimit_cpu", "rlimit_fsize", "rlimit_nofile", "rlimit_nproc",
            "rlimit_stack", "rlimit_memlock", "rlimit_rtprio", "rlimit_msgqueue", "disable_rlimits",
            // personality 5
            "persona_addr_compat_layout", "persona_mmap_page_zero", "persona_read_implies_exec",
            "persona_addr_limit_3gb", "persona_addr_no_randomize",
            // namespaces 8
            "disable_clone_newnet", "disable_clone_newuser", "disable_clone_newns", "disable_clone_newpid",
            "disable_clone_newipc", "disable_clone_newuts", "disable_clone_newcgroup", "enable_clone_newtime",
            // filesystem 12
            "chroot", "no_pivotroot", "rw", "bindmount_ro", "bindmount", "tmpfsmount", "mount", "symlink",
            "disable_proc", "proc_path", "proc_rw", "experimental_mnt",
            // seccomp 5
            "seccomp_policy", "seccomp_string", "seccomp_log", "seccomp_unotify", "seccomp_unotify_report",
            // cgroups 17
            "cgroup_mem_max", "cgroup_mem_memsw_max", "cgroup_mem_swap_max", "cgroup_mem_mount",
            "cgroup_mem_parent", "cgroup_pids_max", "cgroup_pids_mount", "cgroup_pids_parent",
            "cgroup_net_cls_classid", "cgroup_net_cls_mount", "cgroup_net_cls_parent", "cgroup_cpu_ms_per_sec",
            "cgroup_cpu_mount", "cgroup_cpu_parent", "cgroupv2_mount", "use_cgroupv2", "detect_cgroupv2",
            // networking 9
            "iface_no_lo", "iface_own", "macvlan_iface", "macvlan_vs_ip", "macvlan_vs_nm", "macvlan_vs_gw",
            "macvlan_vs_ma", "macvlan_vs_mo", "user_net");

    /** Long options that take an argument (nsjail's required_argument). */
    static final Set<String> WITH_ARG = Set.of(
            "mode", "config", "exec_file", "log", "log_fd", "port", "bindhost", "max_conns", "max_conns_per_ip",
            "user", "group", "uid_mapping", "gid_mapping", "hostname", "cwd", "env", "time_limit", "max_cpus",
            "nice_level", "oom_score_adj", "pass_fd", "cap", "rlimit_as", "rlimit_core", "rlimit_cpu",
            "rlimit_fsize", "rlimit_nofile", "rlimit_nproc", "rlimit_stack", "rlimit_memlock", "rlimit_rtprio",
            "rlimit_msgqueue", "chroot", "bindmount_ro", "bindmount", "tmpfsmount", "mount", "symlink",
            "proc_path", "experimental_mnt", "seccomp_policy", "seccomp_string", "seccomp_unotify_report",
            "cgroup_mem_max", "cgroup_mem_memsw_max", "cgroup_mem_swap_max", "cgroup_mem_mount",
            "cgroup_mem_parent", "cgroup_pids_max", "cgroup_pids_mount", "cgroup_pids_parent",
            "cgroup_net_cls_classid", "cgroup_net_cls_mount", "cgroup_net_cls_parent", "cgroup_cpu_ms_per_sec",
            "cgroup_cpu_mount", "cgroup_cpu_parent", "cgroupv2_mount", "iface_own", "macvlan_iface",
            "macvlan_vs_ip", "macvlan_vs_nm", "macvlan_vs_gw", "macvlan_vs_ma", "macvlan_vs_mo");

    /** nsjail's getopt string. */
    static final String OPTSTRING = "x:H:D:C:c:p:i:u:g:l:L:t:M:NdvqQeh?E:R:B:T:m:s:P:I:U:G:";

    /** The short letters and their long options (every optstring letter except '?', which has no long option). */
    static final Map<Character, String> SHORT = Map.ofEntries(
            Map.entry('x', "exec_file"), Map.entry('H', "hostname"), Map.entry('D', "cwd"),
            Map.entry('C', "config"), Map.entry('c', "chroot"), Map.entry('p', "port"),
            Map.entry('i', "max_conns_per_ip"), Map.entry('u', "user"), Map.entry('g', "group"),
            Map.entry('l', "log"), Map.entry('L', "log_fd"), Map.entry('t', "time_limit"), Map.entry('M', "mode"),
            Map.entry('N', "disable_clone_newnet"), Map.entry('d', "daemon"), Map.entry('v', "verbose"),
            Map.entry('q', "quiet"), Map.entry('Q', "really_quiet"), Map.entry('e', "keep_env"),
            Map.entry('h', "help"), Map.entry('E', "env"), Map.entry('R', "bindmount_ro"),
            Map.entry('B', "bindmount"), Map.entry('T', "tmpfsmount"), Map.entry('m', "mount"),
            Map.entry('s', "symlink"), Map.entry('P', "seccomp_policy"), Map.entry('I', "macvlan_iface"),
            Map.entry('U', "uid_mapping"), Map.entry('G', "gid_mapping"));

    @Test
    void exactlyTheNsjailLongOptions() {
        assertEquals(104, NSJAIL_LONG.size());
        assertEquals(104, new HashSet<>(NSJAIL_LONG).size());
        List<String> ours = new ArrayList<>();
        for (Opt o : Opt.values()) {
            if (o.nsjail()) {
                ours.add(o.longName());
            }
        }
        assertEquals(new TreeSet<>(NSJAIL_LONG), new TreeSet<>(ours));
        assertEquals(104, ours.size());
    }

    @Test
    void legacyOptionsAndAliases() {
        Set<String> legacy = new TreeSet<>();
        Map<String, Opt> aliases = new HashMap<>();
        for (Opt o : Opt.values()) {
            if (!o.nsjail() && !o.extension()) {
                legacy.add(o.longName());
            }
            for (String a : o.aliases()) {
                aliases.put(a, o);
            }
        }
        assertEquals(Set.of("tmpfs_size", "pivot_root_only", "enable_clone_newcgroup"), legacy);
        assertEquals(Map.of("iface", Opt.MACVLAN_IFACE, "iface_vs_ip", Opt.MACVLAN_VS_IP,
                "iface_vs_nm", Opt.MACVLAN_VS_NM, "iface_vs_gw", Opt.MACVLAN_VS_GW), aliases);
        // 104 nsjail options, 3 older ones from nsjail's project page, and jnsjail's own --seccomp_arch,
        // --version, --dump_plan, --status_file, --status_fd and --init
        assertEquals(113, Opt.values().length);
        for (Opt o : List.of(Opt.VERSION, Opt.DUMP_PLAN, Opt.STATUS_FILE, Opt.STATUS_FD, Opt.INIT)) {
            assertTrue(o.extension() && !o.nsjail() && o.help().startsWith("jnsjail extension: "), o.longName());
        }
        assertTrue(Opt.SECCOMP_ARCH.extension() && !Opt.SECCOMP_ARCH.nsjail());
        assertTrue(Opt.TMPFS_SIZE.hasArg());
        assertEquals("BYTES", Opt.TMPFS_SIZE.argName());
        assertTrue(Opt.TMPFS_SIZE.help().contains("4194304"));
        assertFalse(Opt.PIVOT_ROOT_ONLY.hasArg());
        assertFalse(Opt.ENABLE_CLONE_NEWCGROUP.hasArg());
    }

    @Test
    void allNamesUnique() {
        Set<String> seen = new HashSet<>();
        for (Opt o : Opt.values()) {
            assertEquals(o.name().toLowerCase(java.util.Locale.ROOT), o.longName(), "constant named after option");
            for (String n : o.names) {
                assertTrue(seen.add(n), "duplicate name " + n);
            }
        }
    }

    @Test
    void argumentKindsMatchNsjail() {
        for (Opt o : Opt.values()) {
            if (o.nsjail()) {
                assertEquals(WITH_ARG.contains(o.longName()), o.hasArg(), o.longName());
            }
            assertEquals(o.hasArg(), o.argName() != null, o.longName());
            assertFalse(o.help().isBlank(), o.longName());
        }
    }

    @Test
    void shortOptionsMatchTheOptstring() {
        assertEquals(30, SHORT.size());
        // Rebuild the optstring's letter set and argument flags from the table.
        Set<Character> fromOptstring = new HashSet<>();
        for (int k = 0; k < OPTSTRING.length(); k++) {
            char c = OPTSTRING.charAt(k);
            if (c == ':') {
                continue;
            }
            fromOptstring.add(c);
            boolean takesArg = k + 1 < OPTSTRING.length() && OPTSTRING.charAt(k + 1) == ':';
            Opt o = Opt.byShort(c);
            assertNotNull(o, "short " + c);
            assertEquals(takesArg, o.hasArg(), "short " + c);
        }
        assertEquals(31, fromOptstring.size()); // 30 letters + '?'
        Map<Character, String> ours = new HashMap<>();
        for (Opt o : Opt.values()) {
            if (o.shortOpt() != 0) {
                assertTrue(o.nsjail());
                ours.put(o.shortOpt(), o.longName());
            }
        }
        assertEquals(SHORT, ours);
        assertSame(Opt.HELP, Opt.byShort('?'));
        assertNull(Opt.byShort('z'));
        assertNull(Opt.byShort(':'));
        assertNull(Opt.byShort('\u00e9'));
    }

    @Test
    void lookupByLongName() {
        assertSame(Opt.CHROOT, Opt.byLongName("chroot"));
        assertSame(Opt.MACVLAN_IFACE, Opt.byLongName("iface"));
        assertSame(Opt.MACVLAN_VS_GW, Opt.byLongName("iface_vs_gw"));
        assertNull(Opt.byLongName("chro"));
    }
}
