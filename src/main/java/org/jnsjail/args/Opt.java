package org.jnsjail.args;

import java.util.List;

import org.jnsjail.model.Defaults;

/**
 * The command-line option table: one constant per option, in the order {@code --help} lists them.
 *
 * <p>This single declarative table drives both {@link Getopt} and {@link Help}. It holds nsjail's 104 long options
 * (30 of which also have a short letter) plus three options from older nsjail releases that were later removed
 * ({@link #TMPFS_SIZE}, {@link #PIVOT_ROOT_ONLY}, {@link #ENABLE_CLONE_NEWCGROUP}; {@link #nsjail()} is false for them).
 * Older spellings whose meaning did not change ({@code --iface}, {@code --iface_vs_ip}, ...) are extra names
 * ({@link #aliases()}) on the current constant, so they parse to it.
 *
 * <p>Help wording is our own; option names, argument kinds and defaults follow nsjail.
 */
public enum Opt {
    // --- general, mode, program
    HELP(Group.GENERAL, "help", 'h', null, "Print this help text and exit"),
    MODE(Group.GENERAL, "mode", 'M', "MODE", """
            How the jail is run (default: 'o' [MODE_STANDALONE_ONCE]); only the first letter counts:
              l: [MODE_LISTEN_TCP]
            \tAccept TCP connections on --port and start one jail per connection
              o: [MODE_STANDALONE_ONCE]
            \tRun a single jailed process (clone + execve) on the console
              e: [MODE_STANDALONE_EXECVE]
            \tEnter the namespaces and execve the program in place, with no supervisor
              r: [MODE_STANDALONE_RERUN]
            \tLike 'o', but start the process again every time it exits, forever"""),
    CONFIG(Group.GENERAL, "config", 'C', "FILE",
            "Load a configuration file (config.proto, as TextProto or ProtoJSON; see the configs/ directory) "
            + "at this point of the command line; it replaces the settings given before it"),
    EXEC_FILE(Group.GENERAL, "exec_file", 'x', "FILE",
            "Path of the file to execute (default: the command's argv[0])"),
    EXECUTE_FD(Group.GENERAL, "execute_fd", '\0', null,
            "Open the program (argv[0] or --exec_file) before any namespace is created and start it with "
            + "execveat() on that descriptor, so the path is resolved outside the jail"),
    VERSION(Origin.JNSJAIL, Group.GENERAL, "version", '\0', null,
            "jnsjail extension: print jnsjail's version, the nsjail version it follows and the Java runtime, "
            + "and exit"),
    DUMP_PLAN(Origin.JNSJAIL, Group.GENERAL, "dump_plan", '\0', null,
            "jnsjail extension: print the plan the exec stub would run for the jail (one operation per line, "
            + "with its arguments and description) and exit 0 without starting anything"),

    // --- logging and daemon
    LOG(Group.LOGGING, "log", 'l', "FILE", "Write log messages to this file (default: use --log_fd)"),
    LOG_FD(Group.LOGGING, "log_fd", 'L', "FD", "Write log messages to this file descriptor (default: 2)"),
    VERBOSE(Group.LOGGING, "verbose", 'v', null, "Log debug messages too"),
    QUIET(Group.LOGGING, "quiet", 'q', null, "Log only warnings and more serious messages"),
    REALLY_QUIET(Group.LOGGING, "really_quiet", 'Q', null, "Log only fatal messages"),
    DAEMON(Group.LOGGING, "daemon", 'd', null, "Detach and run in the background once started"),
    STATUS_FILE(Origin.JNSJAIL, Group.LOGGING, "status_file", '\0', "FILE",
            "jnsjail extension: write what each jail did to this file (created or truncated first) as one JSON "
            + "object per line: pid, cause (exited, signaled, time_limit, oom_killed, seccomp_violation, "
            + "killed_by_supervisor, setup_failed), status, exit code or signal, wall, user and system time, peak "
            + "memory and pids, the seccomp violation, and LISTEN's remote address"),
    STATUS_FD(Origin.JNSJAIL, Group.LOGGING, "status_fd", '\0', "FD",
            "jnsjail extension: write the --status_file JSON lines to this open file descriptor instead"),

    // --- LISTEN mode
    PORT(Group.LISTEN, "port", 'p', "PORT",
            "TCP port to listen on; selects [MODE_LISTEN_TCP] (default: 0, any free port)"),
    BINDHOST(Group.LISTEN, "bindhost", '\0', "ADDR",
            "Address the listening socket is bound to, [MODE_LISTEN_TCP] only (default: '" + Defaults.BINDHOST + "')"),
    MAX_CONNS(Group.LISTEN, "max_conns", '\0', "N",
            "Maximum number of jails running at once for all clients, [MODE_LISTEN_TCP] only "
            + "(default: 0, no limit)"),
    MAX_CONNS_PER_IP(Group.LISTEN, "max_conns_per_ip", 'i', "N",
            "Maximum number of jails running at once for one client address, [MODE_LISTEN_TCP] only "
            + "(default: 0, no limit)"),

    // --- identity and environment
    USER(Group.IDENTITY, "user", 'u', "USER",
            "User name or uid of the jailed process (default: your current uid). The form "
            + "inside_uid:outside_uid:count adds a whole range. May be given more than once"),
    GROUP(Group.IDENTITY, "group", 'g', "GROUP",
            "Group name or gid of the jailed process (default: your current gid). The form "
            + "inside_gid:outside_gid:count adds a whole range. May be given more than once"),
    UID_MAPPING(Group.IDENTITY, "uid_mapping", 'U', "IN:OUT:COUNT",
            "Add a uid map line inside_uid:outside_uid:count, written by the setuid newuidmap helper, "
            + "which must be installed"),
    GID_MAPPING(Group.IDENTITY, "gid_mapping", 'G', "IN:OUT:COUNT",
            "Add a gid map line inside_gid:outside_gid:count, written by the setuid newgidmap helper, "
            + "which must be installed"),
    HOSTNAME(Group.IDENTITY, "hostname", 'H', "NAME", "Host name (UTS name) inside the jail (default: '" + Defaults.HOSTNAME + "')"),
    CWD(Group.IDENTITY, "cwd", 'D', "DIR", "Working directory of the jailed process (default: '" + Defaults.CWD + "')"),
    KEEP_ENV(Group.IDENTITY, "keep_env", 'e', null,
            "Hand the whole environment to the jailed process (default: it starts with an empty environment)"),
    ENV(Group.IDENTITY, "env", 'E', "VAR[=VAL]",
            "Set an environment variable for the jailed process; may be given more than once. A bare name "
            + "without '=' (e.g. 'DISPLAY') copies its current value"),

    // --- time, CPU, scheduling
    TIME_LIMIT(Group.TIME_CPU, "time_limit", 't', "SECONDS",
            "Wall-clock time after which the jail is killed, in seconds; 0 means no limit (default: " + Defaults.TIME_LIMIT_SEC + ")"),
    MAX_CPUS(Group.TIME_CPU, "max_cpus", '\0', "N",
            "Number of CPUs the jailed process may run on, chosen at random (default: 0, no limit)"),
    NICE_LEVEL(Group.TIME_CPU, "nice_level", '\0', "NICE",
            "Niceness of the jailed process, from -20 (highest priority) to 19 (lowest) (default: " + Defaults.NICE_LEVEL + ")"),
    USE_CORE_SCHEDULING(Group.TIME_CPU, "use_core_scheduling", '\0', null,
            "Give the jail its own core-scheduling cookie (prctl(PR_SCHED_CORE), kernel 5.14 or newer), so "
            + "no other task shares a physical core with it"),
    OOM_SCORE_ADJ(Group.TIME_CPU, "oom_score_adj", '\0', "ADJ",
            "Value written to /proc/self/oom_score_adj of the jailed process, -1000 to 1000 (default: not set)"),
    DISABLE_TSC(Group.TIME_CPU, "disable_tsc", '\0', null,
            "Make the rdtsc and rdtscp instructions fault (x86 and x86_64 only). To be effective, the seccomp "
            + "policy must also forbid prctl(PR_SET_TSC, PR_TSC_ENABLE, ...). Dynamically linked programs "
            + "built by GCC tend to need RDTSC; static ones usually work"),

    // --- stdio, session, fds, signals
    SILENT(Group.STDIO, "silent", '\0', null, "Connect fd 0, 1 and 2 of the jailed process to /dev/null"),
    STDERR_TO_NULL(Group.STDIO, "stderr_to_null", '\0', null,
            "Connect fd 2 (STDERR_FILENO) of the jailed process to /dev/null"),
    SKIP_SETSID(Group.STDIO, "skip_setsid", '\0', null,
            "Do not call setsid(), so the jailed process keeps the terminal and its signals. Dangerous"),
    PASS_FD(Group.STDIO, "pass_fd", '\0', "FD",
            "Keep this file descriptor open in the jailed process; may be given more than once "
            + "(fd 0, 1 and 2 are always kept)"),
    FORWARD_SIGNALS(Group.STDIO, "forward_signals", '\0', null,
            "Pass fatal signals on to the jailed process instead of always killing it with SIGKILL"),
    INIT(Origin.JNSJAIL, Group.STDIO, "init", '\0', null,
            "jnsjail extension: PID 1 of the jail is a minimal init instead of the program: it reaps orphaned "
            + "processes, passes SIGTERM, SIGINT and SIGHUP on to the program and exits with its status "
            + "(128+signal when a signal killed it). Without it, the program is PID 1, as in nsjail"),

    // --- privileges
    KEEP_CAPS(Group.PRIVILEGES, "keep_caps", '\0', null, "Keep all capabilities instead of dropping them"),
    CAP(Group.PRIVILEGES, "cap", '\0', "CAP_NAME",
            "Keep this one capability, e.g. CAP_NET_RAW; may be given more than once"),
    DISABLE_NO_NEW_PRIVS(Group.PRIVILEGES, "disable_no_new_privs", '\0', null,
            "Do not call prctl(PR_SET_NO_NEW_PRIVS, 1) (DANGEROUS)"),

    // --- resource limits
    RLIMIT_AS(Group.RLIMITS, "rlimit_as", '\0', "VALUE", rlimit("RLIMIT_AS in MiB", "4096")),
    RLIMIT_CORE(Group.RLIMITS, "rlimit_core", '\0', "VALUE", rlimit("RLIMIT_CORE in MiB", "0")),
    RLIMIT_CPU(Group.RLIMITS, "rlimit_cpu", '\0', "VALUE", rlimit("RLIMIT_CPU in seconds", "600")),
    RLIMIT_FSIZE(Group.RLIMITS, "rlimit_fsize", '\0', "VALUE", rlimit("RLIMIT_FSIZE in MiB", "1")),
    RLIMIT_NOFILE(Group.RLIMITS, "rlimit_nofile", '\0', "VALUE", rlimit("RLIMIT_NOFILE", "32")),
    RLIMIT_NPROC(Group.RLIMITS, "rlimit_nproc", '\0', "VALUE", rlimit("RLIMIT_NPROC", "'soft'")),
    RLIMIT_STACK(Group.RLIMITS, "rlimit_stack", '\0', "VALUE", rlimit("RLIMIT_STACK in MiB", "'soft'")),
    RLIMIT_MEMLOCK(Group.RLIMITS, "rlimit_memlock", '\0', "VALUE", rlimit("RLIMIT_MEMLOCK in KiB", "'soft'")),
    RLIMIT_RTPRIO(Group.RLIMITS, "rlimit_rtprio", '\0', "VALUE", rlimit("RLIMIT_RTPRIO", "'soft'")),
    RLIMIT_MSGQUEUE(Group.RLIMITS, "rlimit_msgqueue", '\0', "VALUE", rlimit("RLIMIT_MSGQUEUE in bytes", "'soft'")),
    DISABLE_RLIMITS(Group.RLIMITS, "disable_rlimits", '\0', null,
            "Set no resource limits at all; the jail inherits those of its parent"),

    // --- personality
    PERSONA_ADDR_COMPAT_LAYOUT(Group.PERSONALITY, "persona_addr_compat_layout", '\0', null,
            "Add ADDR_COMPAT_LAYOUT to the personality(2) of the jailed process"),
    PERSONA_MMAP_PAGE_ZERO(Group.PERSONALITY, "persona_mmap_page_zero", '\0', null,
            "Add MMAP_PAGE_ZERO to the personality(2) of the jailed process"),
    PERSONA_READ_IMPLIES_EXEC(Group.PERSONALITY, "persona_read_implies_exec", '\0', null,
            "Add READ_IMPLIES_EXEC to the personality(2) of the jailed process"),
    PERSONA_ADDR_LIMIT_3GB(Group.PERSONALITY, "persona_addr_limit_3gb", '\0', null,
            "Add ADDR_LIMIT_3GB to the personality(2) of the jailed process"),
    PERSONA_ADDR_NO_RANDOMIZE(Group.PERSONALITY, "persona_addr_no_randomize", '\0', null,
            "Add ADDR_NO_RANDOMIZE to the personality(2) of the jailed process"),

    // --- namespaces
    DISABLE_CLONE_NEWNET(Group.NAMESPACES, "disable_clone_newnet", 'N', null,
            "Do not create a network namespace (no CLONE_NEWNET): the jail uses the host's networking"),
    DISABLE_CLONE_NEWUSER(Group.NAMESPACES, "disable_clone_newuser", '\0', null,
            "Do not create a user namespace (no CLONE_NEWUSER). Needs euid==0"),
    DISABLE_CLONE_NEWNS(Group.NAMESPACES, "disable_clone_newns", '\0', null,
            "Do not create a mount namespace (no CLONE_NEWNS)"),
    DISABLE_CLONE_NEWPID(Group.NAMESPACES, "disable_clone_newpid", '\0', null,
            "Do not create a PID namespace (no CLONE_NEWPID)"),
    DISABLE_CLONE_NEWIPC(Group.NAMESPACES, "disable_clone_newipc", '\0', null,
            "Do not create an IPC namespace (no CLONE_NEWIPC)"),
    DISABLE_CLONE_NEWUTS(Group.NAMESPACES, "disable_clone_newuts", '\0', null,
            "Do not create a UTS namespace (no CLONE_NEWUTS)"),
    DISABLE_CLONE_NEWCGROUP(Group.NAMESPACES, "disable_clone_newcgroup", '\0', null,
            "Do not create a cgroup namespace (no CLONE_NEWCGROUP); kernels older than 4.6 may need this"),
    ENABLE_CLONE_NEWTIME(Group.NAMESPACES, "enable_clone_newtime", '\0', null,
            "Also create a time namespace (CLONE_NEWTIME), kernel 5.3 or newer"),
    ENABLE_CLONE_NEWCGROUP(Origin.LEGACY, Group.NAMESPACES, "enable_clone_newcgroup", '\0', null,
            "Older nsjail option: create a cgroup namespace (CLONE_NEWCGROUP). This is now the default, "
            + "see --disable_clone_newcgroup"),

    // --- filesystem
    CHROOT(Group.FILESYSTEM, "chroot", 'c', "DIR", "Directory that becomes / of the jail (default: none)"),
    NO_PIVOTROOT(Group.FILESYSTEM, "no_pivotroot", '\0', null,
            "Switch to the new root with mount(MS_MOVE) and chroot() instead of pivot_root(), for places "
            + "where pivot_root is not allowed (e.g. an initramfs). Note: this can be escapable in some set-ups"),
    PIVOT_ROOT_ONLY(Origin.LEGACY, Group.FILESYSTEM, "pivot_root_only", '\0', null,
            "Older nsjail option: only call pivot_root(), without a chroot() afterwards, which allows "
            + "nested namespaces"),
    RW(Group.FILESYSTEM, "rw", '\0', null, "Mount the jail's / (the chroot directory) read-write (default: read-only)"),
    BINDMOUNT_RO(Group.FILESYSTEM, "bindmount_ro", 'R', "SRC[:DST]",
            "Bind-mount a path read-only into the jail; may be given more than once. Written as 'source' or "
            + "'source:dest'"),
    BINDMOUNT(Group.FILESYSTEM, "bindmount", 'B', "SRC[:DST[:OPTS]]",
            "Bind-mount a path read-write into the jail; may be given more than once. Written as 'source' or "
            + "'source:dest'"),
    TMPFSMOUNT(Group.FILESYSTEM, "tmpfsmount", 'T', "DST",
            "Mount a read-write tmpfs at this path in the jail; may be given more than once. Written as "
            + "'dest'. For another size use e.g. '-m none:dest:tmpfs:size=8388608'"),
    TMPFS_SIZE(Origin.LEGACY, Group.FILESYSTEM, "tmpfs_size", '\0', "BYTES",
            "Older nsjail option: size in bytes of every tmpfs created by --tmpfsmount (default: " + Defaults.TMPFS_SIZE + ")"),
    MOUNT(Group.FILESYSTEM, "mount", 'm', "SRC:DST:TYPE:OPTS",
            "Mount anything, written as src:dst:fs_type:options"),
    SYMLINK(Group.FILESYSTEM, "symlink", 's', "SRC:DST", "Create a symbolic link, written as src:dst"),
    DISABLE_PROC(Group.FILESYSTEM, "disable_proc", '\0', null, "Do not mount procfs in the jail"),
    PROC_PATH(Group.FILESYSTEM, "proc_path", '\0', "PATH", "Where procfs is mounted in the jail (default: '" + Defaults.PROC_PATH + "')"),
    PROC_RW(Group.FILESYSTEM, "proc_rw", '\0', null, "Mount procfs read-write (default: read-only)"),
    EXPERIMENTAL_MNT(Group.FILESYSTEM, "experimental_mnt", '\0', "new|old|auto",
            "Which mount API builds the jail's file system: 'old' is mount(2), 'new' is the fsopen()/"
            + "fsmount() API, 'auto' picks 'new' on kernel 6.3 or newer (default: 'old')"),

    // --- seccomp
    SECCOMP_POLICY(Group.SECCOMP, "seccomp_policy", 'P', "FILE",
            "File with a seccomp-bpf policy in the kafel language (see kafel/)"),
    SECCOMP_STRING(Group.SECCOMP, "seccomp_string", '\0', "POLICY",
            "A seccomp-bpf policy in the kafel language given as text (see kafel/); may be given more than "
            + "once, the pieces are joined with newlines"),
    SECCOMP_ARCH(Origin.JNSJAIL, Group.SECCOMP, "seccomp_arch", '\0', "ARCH",
            "jnsjail extension: an architecture the seccomp policy also covers (Kafel names: x86_64, x86, "
            + "aarch64, arm, mips, mips64, riscv64, m68k); repeatable. Default: the host's only, so 32-bit "
            + "(x86) binaries are killed, as with nsjail"),
    SECCOMP_LOG(Group.SECCOMP, "seccomp_log", '\0', null,
            "Install the filter with SECCOMP_FILTER_FLAG_LOG, which logs every action other than "
            + "SECCOMP_RET_ALLOW. Kernel 4.14 or newer"),
    SECCOMP_UNOTIFY(Group.SECCOMP, "seccomp_unotify", '\0', null,
            "Watch file and network system calls of the jail through a seccomp user-notification filter "
            + "and print a report of them at exit (observation only, every call is allowed)"),
    SECCOMP_UNOTIFY_REPORT(Group.SECCOMP, "seccomp_unotify_report", '\0', "FILE",
            "Also write the --seccomp_unotify report to this file, in text-proto format"),

    // --- cgroups
    CGROUP_MEM_MAX(Group.CGROUPS, "cgroup_mem_max", '\0', "BYTES",
            "Most memory, in bytes, the jail's cgroup may use (default: '0' - off)"),
    CGROUP_MEM_MEMSW_MAX(Group.CGROUPS, "cgroup_mem_memsw_max", '\0', "BYTES",
            "Most memory plus swap, in bytes, the jail's cgroup may use (default: '0' - off)"),
    CGROUP_MEM_SWAP_MAX(Group.CGROUPS, "cgroup_mem_swap_max", '\0', "BYTES",
            "Most swap, in bytes, the jail's cgroup may use (default: '" + Defaults.CGROUP_MEM_SWAP_MAX + "' - off)"),
    CGROUP_MEM_MOUNT(Group.CGROUPS, "cgroup_mem_mount", '\0', "DIR",
            "Where the memory cgroup (v1) file system is mounted (default: '" + Defaults.CGROUP_MEM_MOUNT + "')"),
    CGROUP_MEM_PARENT(Group.CGROUPS, "cgroup_mem_parent", '\0', "NAME",
            "memory cgroup (v1) under which jails are placed; created if missing (default: '" + Defaults.CGROUP_PARENT + "')"),
    CGROUP_PIDS_MAX(Group.CGROUPS, "cgroup_pids_max", '\0', "N",
            "Most processes the jail's cgroup may hold (default: '0' - off)"),
    CGROUP_PIDS_MOUNT(Group.CGROUPS, "cgroup_pids_mount", '\0', "DIR",
            "Where the pids cgroup (v1) file system is mounted (default: '" + Defaults.CGROUP_PIDS_MOUNT + "')"),
    CGROUP_PIDS_PARENT(Group.CGROUPS, "cgroup_pids_parent", '\0', "NAME",
            "pids cgroup (v1) under which jails are placed; created if missing (default: '" + Defaults.CGROUP_PARENT + "')"),
    CGROUP_NET_CLS_CLASSID(Group.CGROUPS, "cgroup_net_cls_classid", '\0', "ID",
            "Class id given to the network packets of the jail's cgroup (default: '0' - off)"),
    CGROUP_NET_CLS_MOUNT(Group.CGROUPS, "cgroup_net_cls_mount", '\0', "DIR",
            "Where the net_cls cgroup (v1) file system is mounted (default: '" + Defaults.CGROUP_NET_CLS_MOUNT + "')"),
    CGROUP_NET_CLS_PARENT(Group.CGROUPS, "cgroup_net_cls_parent", '\0', "NAME",
            "net_cls cgroup (v1) under which jails are placed; created if missing (default: '" + Defaults.CGROUP_PARENT + "')"),
    CGROUP_CPU_MS_PER_SEC(Group.CGROUPS, "cgroup_cpu_ms_per_sec", '\0', "MS",
            "Milliseconds of CPU time per second the jail's cgroup may use (default: '0' - no limit)"),
    CGROUP_CPU_MOUNT(Group.CGROUPS, "cgroup_cpu_mount", '\0', "DIR",
            "Where the cpu cgroup (v1) file system is mounted (default: '" + Defaults.CGROUP_CPU_MOUNT + "')"),
    CGROUP_CPU_PARENT(Group.CGROUPS, "cgroup_cpu_parent", '\0', "NAME",
            "cpu cgroup (v1) under which jails are placed; created if missing (default: '" + Defaults.CGROUP_PARENT + "')"),
    CGROUPV2_MOUNT(Group.CGROUPS, "cgroupv2_mount", '\0', "DIR",
            "Directory under which the cgroup v2 jail cgroups are created (default: '" + Defaults.CGROUPV2_MOUNT + "')"),
    USE_CGROUPV2(Group.CGROUPS, "use_cgroupv2", '\0', null, "Use cgroup v2 instead of v1"),
    DETECT_CGROUPV2(Group.CGROUPS, "detect_cgroupv2", '\0', null,
            "Use cgroup v2 when --cgroupv2_mount is a cgroup v2 file system, v1 otherwise "
            + "(give this instead of --use_cgroupv2)"),

    // --- networking
    IFACE_NO_LO(Group.NETWORK, "iface_no_lo", '\0', null, "Leave the 'lo' interface down"),
    IFACE_OWN(Group.NETWORK, "iface_own", '\0', "IFACE",
            "Move this existing network interface into the jail's network namespace; may be given more "
            + "than once"),
    MACVLAN_IFACE(Group.NETWORK, "macvlan_iface", 'I', "IFACE",
            "Create a MACVLAN interface on top of this one and put it into the jail's network namespace "
            + "as 'vs'", "iface"),
    MACVLAN_VS_IP(Group.NETWORK, "macvlan_vs_ip", '\0', "IP",
            "IPv4 address of the 'vs' interface, '0.0.0.0' leaves it unconfigured (default: '" + Defaults.MACVLAN_VS_IP + "')",
            "iface_vs_ip"),
    MACVLAN_VS_NM(Group.NETWORK, "macvlan_vs_nm", '\0', "NETMASK",
            "Netmask of the 'vs' interface (default: '" + Defaults.MACVLAN_VS_NM + "')", "iface_vs_nm"),
    MACVLAN_VS_GW(Group.NETWORK, "macvlan_vs_gw", '\0', "IP",
            "Default gateway reached through the 'vs' interface, '0.0.0.0' sets no route "
            + "(default: '" + Defaults.MACVLAN_VS_GW + "')", "iface_vs_gw"),
    MACVLAN_VS_MA(Group.NETWORK, "macvlan_vs_ma", '\0', "MAC",
            "MAC address of the 'vs' interface, e.g. 'ba:ad:ba:be:45:00' (default: chosen by the kernel)"),
    MACVLAN_VS_MO(Group.NETWORK, "macvlan_vs_mo", '\0', "MODE",
            "MACVLAN mode of the 'vs' interface: 'private', 'vepa', 'bridge' or 'passthru' "
            + "(default: '" + Defaults.MACVLAN_VS_MO + "')"),
    USER_NET(Group.NETWORK, "user_net", '\0', null,
            "Give the jail user-mode networking (the built-in nstun stack on a TUN device) with the default "
            + "addresses: 10.255.255.2 via 10.255.255.1 and fc00::2 via fc00::1 on 'eth0'. The other "
            + "settings are in the config file only");

    /** Areas of the table; {@link Help} lists the options in table order, which follows these areas. */
    public enum Group {
        GENERAL("General"), LOGGING("Logging"), LISTEN("Listen mode"), IDENTITY("Identity and environment"),
        TIME_CPU("Time, CPU and scheduling"), STDIO("Standard I/O, file descriptors, signals"),
        PRIVILEGES("Privileges"), RLIMITS("Resource limits"), PERSONALITY("Personality"),
        NAMESPACES("Namespaces"), FILESYSTEM("File system"), SECCOMP("Seccomp"), CGROUPS("Cgroups"),
        NETWORK("Networking");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** Where an option comes from: current nsjail, or a release that has since dropped it. */
    /** Where an option comes from: today's nsjail, nsjail's older project page, or jnsjail itself. */
    enum Origin { NSJAIL, LEGACY, JNSJAIL }

    private final Group group;
    private final boolean nsjail;
    private final Origin origin;
    private final String longName;
    private final char shortOpt;
    private final String argName;
    private final String help;
    // names[0] is the long name, the rest are aliases; a plain array keeps the Getopt scan allocation-free
    final String[] names;

    Opt(Group group, String longName, char shortOpt, String argName, String help, String... aliases) {
        this(Origin.NSJAIL, group, longName, shortOpt, argName, help, aliases);
    }

    Opt(Origin origin, Group group, String longName, char shortOpt, String argName, String help,
            String... aliases) {
        this.group = group;
        this.nsjail = origin == Origin.NSJAIL;
        this.origin = origin;
        this.longName = longName;
        this.shortOpt = shortOpt;
        this.argName = argName;
        this.help = help;
        String[] n = new String[aliases.length + 1];
        n[0] = longName;
        System.arraycopy(aliases, 0, n, 1, aliases.length);
        this.names = n;
    }

    // Every rlimit option shares the same value syntax; only the unit and the default differ.
    // String.concat, not '+': indy string concatenation costs milliseconds to bootstrap at start-up.
    private static String rlimit(String what, String dflt) {
        return what.concat(", or 'max'/'hard' for the current hard limit, 'def'/'soft' for the current soft "
                + "limit, 'inf' for RLIM64_INFINITY (default: ").concat(dflt).concat(")");
    }

    /** The long name without dashes, e.g. {@code "chroot"}. */
    public String longName() {
        return longName;
    }

    /** The short option letter, or {@code 0} if the option has none. */
    public char shortOpt() {
        return shortOpt;
    }

    /** Whether the option requires an argument (nsjail has no optional arguments). */
    public boolean hasArg() {
        return argName != null;
    }

    /** How {@code --help} names the argument, e.g. {@code "DIR"}; {@code null} when there is none. */
    public String argName() {
        return argName;
    }

    /** Help text, including the default; {@code '\n'} starts a new help line. */
    public String help() {
        return help;
    }

    public Group group() {
        return group;
    }

    /** True for nsjail's current 104 options, false for options only older nsjail releases had. */
    public boolean nsjail() {
        return nsjail;
    }

    /** True for jnsjail's own extensions (not in any nsjail). */
    public boolean extension() {
        return origin == Origin.JNSJAIL;
    }

    /**
     * The fixed set of values the argument takes, for shell completion and the man page (empty when
     * it is free-form): -M's modes, the rlimit words, --cap's names, ... Read from the same tables the
     * parser uses, so they cannot drift.
     */
    public List<String> choices() {
        return switch (this) {
            case MODE -> List.of("l", "o", "e", "r");
            case EXPERIMENTAL_MNT -> List.of("new", "old", "auto");
            case MACVLAN_VS_MO -> java.util.Arrays.stream(org.jnsjail.net.MacvlanMode.values()).map(m -> m.word).toList();
            case CAP -> java.util.Arrays.stream(org.jnsjail.sys.Capability.values()).map(Enum::name).toList();
            case SECCOMP_ARCH -> java.util.Arrays.stream(org.jnsjail.seccomp.Arch.values()).map(a -> a.kafelName).toList();
            case RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_STACK,
                    RLIMIT_MEMLOCK, RLIMIT_RTPRIO, RLIMIT_MSGQUEUE -> List.of("max", "hard", "def", "soft", "inf");
            default -> List.of();
        };
    }

    /** Older long names (no dashes) that parse to this option, e.g. {@code iface} for {@link #MACVLAN_IFACE}. */
    public List<String> aliases() {
        return List.of(names).subList(1, names.length);
    }

    /** The option a short letter selects, or {@code null}. {@code '?'} selects {@link #HELP}, see {@link Getopt}. */
    public static Opt byShort(char c) {
        return c < Index.SHORT.length ? Index.SHORT[c] : null;
    }

    /** The option with exactly this long name or alias (no dashes, no prefix matching), or {@code null}. */
    public static Opt byLongName(String name) {
        for (Opt o : Index.ALL) {
            for (String n : o.names) {
                if (n.equals(name)) {
                    return o;
                }
            }
        }
        return null;
    }

    /** Every long name (no dashes), the current one first, then {@link #aliases()}. */
    public List<String> names() {
        return List.of(names);
    }

    /** values() clones on every call; Getopt scans this shared copy instead. Do not modify. */
    public static Opt[] all() {
        return Index.ALL;
    }

    // Holder class: built on first lookup, after the enum constants exist.
    private static final class Index {
        static final Opt[] ALL = values();
        static final Opt[] SHORT = new Opt[128];

        static {
            for (Opt o : ALL) {
                if (o.shortOpt != 0) {
                    SHORT[o.shortOpt] = o;
                }
            }
            // nsjail's optstring has "h?": '-?' is accepted by getopt but nsjail treats it as a usage error
            SHORT['?'] = HELP;
        }
    }
}
