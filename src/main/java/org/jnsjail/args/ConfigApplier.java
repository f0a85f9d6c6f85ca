package org.jnsjail.args;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.IdMap;
import org.jnsjail.config.ConfigException;
import org.jnsjail.config.ConfigLoader;
import org.jnsjail.config.proto.NsjailConfigProto;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Capability;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Persona;
import org.jnsjail.sys.RLimit;

/**
 * Turns a loaded config into {@link Settings}, as nsjail's config.cc parseInternal does after its
 * {@code CopyFrom}: a fresh set of settings (so everything earlier options stored is gone), plus
 * the side effects on state nsjail keeps outside its config message ({@link Outside}).
 *
 * <p>The only class in cli/ that touches the generated protobuf classes: their descriptors cost
 * ~200 ms to initialise, so this class must load only when -C is given.
 */
final class ConfigApplier {
    private ConfigApplier() {}

    /**
     * nsjail state outside the config message that a config feeds: its lists are appended to (they
     * accumulate over several -C), and {@code procPath} is cleared unless the config has mount_proc.
     */
    static final class Outside {
        final List<IdMap> uids, gids;
        final List<Integer> passFds;
        /** nsjail's nsj->argv: each config's exec_bin is appended; `-- cmd` later replaces it all. */
        final List<String> argv;
        String procPath;
        /** The last config said mount_proc: true. */
        boolean mountProc;

        Outside(List<IdMap> uids, List<IdMap> gids, List<Integer> passFds, List<String> argv, String procPath) {
            this.uids = uids;
            this.gids = gids;
            this.passFds = passFds;
            this.argv = argv;
            this.procPath = procPath;
        }
    }

    /** -C FILE: loads it and converts it; a bad file is a one-line CliException (exit 255). */
    static Settings fromFile(String file, Map<String, String> hostEnv, HostInfo host, Outside out, ParseEffects fx)
            throws CliException {
        NsJailConfig cfg;
        try {
            cfg = ConfigLoader.load(Path.of(file));
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), false);
        }
        return toSettings(cfg, hostEnv, host, out, fx);
    }

    static Settings toSettings(NsJailConfig cfg, Map<String, String> hostEnv, HostInfo host, Outside out,
            ParseEffects fx)
            throws CliException {
        // Logging first, as nsjail does, so that the warnings below already go to the config's sink.
        if (cfg.hasLogFd()) fx.logToFd(cfg.getLogFd());
        // An empty string is "not given" for these, as in nsjail (config.cc checks empty(), not has_).
        if (cfg.hasLogFile() && !cfg.getLogFile().isEmpty()) fx.logToFile(cfg.getLogFile());
        if (cfg.hasLogLevel()) fx.logLevel(Log.Level.valueOf(cfg.getLogLevel().name()));

        Settings s = new Settings();
        s.mode = Mode.valueOf(cfg.getMode().name());
        s.hostname = cfg.getHostname();
        s.cwd = cfg.getCwd();
        s.noPivotRoot = cfg.getNoPivotroot();
        s.port = (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(cfg.getPort())); // no mode switch, unlike -p
        s.bindhost = cfg.getBindhost();
        s.maxConns = Integer.toUnsignedLong(cfg.getMaxConns());
        s.maxConnsPerIp = Integer.toUnsignedLong(cfg.getMaxConnsPerIp());
        s.timeLimit = Integer.toUnsignedLong(cfg.getTimeLimit());
        s.daemon = cfg.getDaemon();
        s.maxCpus = (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(cfg.getMaxCpus()));
        s.niceLevel = cfg.getNiceLevel();
        s.keepEnv = cfg.getKeepEnv();
        // Bare names take the supervisor's value now, as nsjail's second addEnv pass.
        for (String e : cfg.getEnvarList()) CommandLine.addEnv(s, e, hostEnv, fx);
        s.keepCaps = cfg.getKeepCaps();
        for (String c : cfg.getCapList()) {
            // nsjail only warns about an unknown name in a config (the CLI refuses it).
            if (Capability.byName(c) == null) fx.warn("Unknown capability: '" + c + "'; ignoring it");
            else s.caps.add(c);
        }
        s.silent = cfg.getSilent();
        s.skipSetsid = cfg.getSkipSetsid();
        s.stderrToNull = cfg.getStderrToNull();
        s.disableNoNewPrivs = cfg.getDisableNoNewPrivs();
        s.forwardSignals = cfg.getForwardSignals();
        s.disableTsc = cfg.getDisableTsc();
        s.oomScoreAdj = cfg.hasOomScoreAdj() ? cfg.getOomScoreAdj() : null;

        rlimit(s, RLimit.RLIMIT_AS, cfg.getRlimitAs(), cfg.getRlimitAsType());
        rlimit(s, RLimit.RLIMIT_CORE, cfg.getRlimitCore(), cfg.getRlimitCoreType());
        rlimit(s, RLimit.RLIMIT_CPU, cfg.getRlimitCpu(), cfg.getRlimitCpuType());
        rlimit(s, RLimit.RLIMIT_FSIZE, cfg.getRlimitFsize(), cfg.getRlimitFsizeType());
        rlimit(s, RLimit.RLIMIT_NOFILE, cfg.getRlimitNofile(), cfg.getRlimitNofileType());
        rlimit(s, RLimit.RLIMIT_NPROC, cfg.getRlimitNproc(), cfg.getRlimitNprocType());
        rlimit(s, RLimit.RLIMIT_STACK, cfg.getRlimitStack(), cfg.getRlimitStackType());
        rlimit(s, RLimit.RLIMIT_MEMLOCK, cfg.getRlimitMemlock(), cfg.getRlimitMemlockType());
        rlimit(s, RLimit.RLIMIT_RTPRIO, cfg.getRlimitRtprio(), cfg.getRlimitRtprioType());
        rlimit(s, RLimit.RLIMIT_MSGQUEUE, cfg.getRlimitMsgqueue(), cfg.getRlimitMsgqueueType());
        s.disableRlimits = cfg.getDisableRl();

        // The same bits as the --persona_* options.
        if (cfg.getPersonaAddrCompatLayout()) s.personality |= Persona.ADDR_COMPAT_LAYOUT.bit;
        if (cfg.getPersonaMmapPageZero()) s.personality |= Persona.MMAP_PAGE_ZERO.bit;
        if (cfg.getPersonaReadImpliesExec()) s.personality |= Persona.READ_IMPLIES_EXEC.bit;
        if (cfg.getPersonaAddrLimit3Gb()) s.personality |= Persona.ADDR_LIMIT_3GB.bit;
        if (cfg.getPersonaAddrNoRandomize()) s.personality |= Persona.ADDR_NO_RANDOMIZE.bit;

        s.cloneNewnet = cfg.getCloneNewnet();
        s.cloneNewuser = cfg.getCloneNewuser();
        s.cloneNewns = cfg.getCloneNewns();
        s.cloneNewpid = cfg.getCloneNewpid();
        s.cloneNewipc = cfg.getCloneNewipc();
        s.cloneNewuts = cfg.getCloneNewuts();
        s.cloneNewcgroup = cfg.getCloneNewcgroup();
        s.cloneNewtime = cfg.getCloneNewtime();

        for (NsjailConfigProto.MountPt m : cfg.getMountList()) s.mounts.add(new Settings.Mount(mount(m), false));

        if (cfg.hasSeccompPolicyFile()) s.seccompPolicyFile = emptyIsUnset(cfg.getSeccompPolicyFile());
        s.seccompString.addAll(cfg.getSeccompStringList());
        s.seccompLog = cfg.getSeccompLog();
        s.seccompUnotify = cfg.getSeccompUnotify();
        if (cfg.hasSeccompUnotifyReport()) s.seccompUnotifyReport = emptyIsUnset(cfg.getSeccompUnotifyReport());
        s.ifaceNoLo = cfg.getIfaceNoLo();
        s.ifaceOwn.addAll(cfg.getIfaceOwnList());
        if (cfg.hasMacvlanIface()) s.macvlanIface = emptyIsUnset(cfg.getMacvlanIface());
        s.macvlanVsIp = cfg.getMacvlanVsIp();
        s.macvlanVsNm = cfg.getMacvlanVsNm();
        s.macvlanVsGw = cfg.getMacvlanVsGw();
        s.macvlanVsMa = cfg.getMacvlanVsMa();
        s.macvlanVsMo = cfg.getMacvlanVsMo();
        for (NsjailConfigProto.NsJailConfig.TrafficRule r : cfg.getTrafficRuleList()) s.trafficRules.add(trafficRule(r));
        if (cfg.hasUserNet()) s.userNet = userNet(cfg.getUserNet());
        s.useCoreScheduling = cfg.getUseCoreScheduling();
        cgroups(s, cfg);
        // jnsjail's own fields (numbers 1000 and up).
        if (cfg.hasStatusFile()) s.statusFile = cfg.getStatusFile();
        if (cfg.hasStatusFd()) {
            if (cfg.getStatusFd() < 0) throw new CliException("status_fd: not a file descriptor: " + cfg.getStatusFd(), false);
            s.statusFd = cfg.getStatusFd();
        }
        s.init = cfg.getInit();

        // State outside the config message: appended, so earlier -u/-g/--pass_fd and configs survive.
        for (NsjailConfigProto.IdMap m : cfg.getUidmapList()) out.uids.add(idMap(m, true, host));
        for (NsjailConfigProto.IdMap m : cfg.getGidmapList()) out.gids.add(idMap(m, false, host));
        out.passFds.addAll(cfg.getPassFdList());
        // mount_proc:false (the default) clears the automatic /proc; true leaves the path as it was
        // (nsjail never sets it from a config, so an earlier --proc_path or --disable_proc stands).
        if (!cfg.getMountProc()) out.procPath = null;
        out.mountProc = cfg.getMountProc();
        if (cfg.hasExecBin()) {
            NsjailConfigProto.Exe exe = cfg.getExecBin();
            out.argv.add(exe.getPath());
            out.argv.addAll(exe.getArgList());
            if (exe.hasArg0()) out.argv.set(0, exe.getArg0());
            // An empty path (configs/imagemagick-convert.cfg) means "none": argv[0] is executed.
            s.execPath = exe.getPath().isEmpty() ? null : exe.getPath();
            s.execFd = exe.getExecFd();
        }
        return s;
    }

    /** The cgroup fields 71..87; uint64 above Long.MAX_VALUE arrives negative and means "as much as possible". */
    private static void cgroups(Settings s, NsJailConfig cfg) {
        s.cgroupMemMax = unsigned(cfg.getCgroupMemMax());
        s.cgroupMemMemswMax = unsigned(cfg.getCgroupMemMemswMax());
        s.cgroupMemSwapMax = Math.max(-1, cfg.getCgroupMemSwapMax());
        s.cgroupMemMount = cfg.getCgroupMemMount();
        s.cgroupMemParent = cfg.getCgroupMemParent();
        s.cgroupPidsMax = unsigned(cfg.getCgroupPidsMax());
        s.cgroupPidsMount = cfg.getCgroupPidsMount();
        s.cgroupPidsParent = cfg.getCgroupPidsParent();
        s.cgroupNetClsClassid = Integer.toUnsignedLong(cfg.getCgroupNetClsClassid());
        s.cgroupNetClsMount = cfg.getCgroupNetClsMount();
        s.cgroupNetClsParent = cfg.getCgroupNetClsParent();
        s.cgroupCpuMsPerSec = Integer.toUnsignedLong(cfg.getCgroupCpuMsPerSec());
        s.cgroupCpuMount = cfg.getCgroupCpuMount();
        s.cgroupCpuParent = cfg.getCgroupCpuParent();
        s.cgroupv2Mount = cfg.getCgroupv2Mount();
        s.useCgroupv2 = cfg.getUseCgroupv2();
        s.detectCgroupv2 = cfg.getDetectCgroupv2();
    }

    private static long unsigned(long v) {
        return v < 0 ? Long.MAX_VALUE : v;
    }

    private static void rlimit(Settings s, RLimit r, long value, NsjailConfigProto.RLimit type) {
        char t = switch (type) {
            case VALUE -> Settings.Rlim.VALUE;
            case SOFT -> Settings.Rlim.SOFT;
            case HARD -> Settings.Rlim.HARD;
            case INF -> Settings.Rlim.INF;
        };
        // uint64 above Long.MAX_VALUE arrives negative; it is "unlimited" in any unit.
        s.rlimits.put(r, new Settings.Rlim(t, value < 0 ? Long.MAX_VALUE : value));
    }

    /** Enum values become the API's words; UNKNOWN_* are refused later, when the rule is checked. */
    private static org.jnsjail.model.NetConfig.TrafficRule trafficRule(NsjailConfigProto.NsJailConfig.TrafficRule r) {
        String proto = switch (r.getProto()) {
            case UNKNOWN_PROTO -> null;
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmpv6";
        };
        return new org.jnsjail.model.NetConfig.TrafficRule(r.getSrcIp(), r.getDstIp(), r.getIif(), r.getOif(), proto,
                r.getSport(), r.getDport(), r.getSportEnd(), r.getDportEnd(), r.getAction().name(),
                r.getIpFamily() == NsjailConfigProto.NsJailConfig.TrafficRule.IpFamily.IPV6);
    }

    /** The message as the API's record; an unset *_end port equals its start, as in nsjail's rule parser. */
    static org.jnsjail.model.UserNet userNet(NsjailConfigProto.NsJailConfig.UserNet u) {
        var pasta = u.hasPasta() ? pasta(u.getPasta()) : null;
        return new org.jnsjail.model.UserNet(org.jnsjail.model.UserNet.Backend.valueOf(u.getBackend().name()), u.getIp4(),
                u.getGw4(), u.getIp6(), u.getGw6(), u.getNsIface(), u.getRule4List().stream().map(ConfigApplier::nstunRule)
                .toList(), u.getRule6List().stream().map(ConfigApplier::nstunRule).toList(), pasta);
    }

    private static org.jnsjail.model.UserNet.Rule nstunRule(NsjailConfigProto.NsJailConfig.UserNet.NstunRule r) {
        int sport = (int) Math.min(Integer.toUnsignedLong(r.getSport()), Integer.MAX_VALUE);
        int dport = (int) Math.min(Integer.toUnsignedLong(r.getDport()), Integer.MAX_VALUE);
        return new org.jnsjail.model.UserNet.Rule(
                org.jnsjail.model.UserNet.Direction.valueOf(r.getDirection().name()),
                org.jnsjail.model.UserNet.Action.valueOf(r.getAction().name()),
                org.jnsjail.model.UserNet.Proto.valueOf(r.getProto().name()),
                r.hasSrcIp() && !r.getSrcIp().isEmpty() ? r.getSrcIp() : null, sport,
                r.hasSportEnd() ? (int) Math.min(Integer.toUnsignedLong(r.getSportEnd()), Integer.MAX_VALUE) : sport,
                r.hasDstIp() && !r.getDstIp().isEmpty() ? r.getDstIp() : null, dport,
                r.hasDportEnd() ? (int) Math.min(Integer.toUnsignedLong(r.getDportEnd()), Integer.MAX_VALUE) : dport,
                r.hasRedirectIp() && !r.getRedirectIp().isEmpty() ? r.getRedirectIp() : null,
                (int) Math.min(Integer.toUnsignedLong(r.getRedirectPort()), Integer.MAX_VALUE));
    }

    private static org.jnsjail.model.UserNet.Pasta pasta(NsjailConfigProto.NsJailConfig.UserNet.Pasta p) {
        return new org.jnsjail.model.UserNet.Pasta(p.getNat(), p.getEnableTcp(), p.getEnableUdp(), p.getEnableIcmp(),
                p.getIp4Enabled(), p.getMask4(), p.getEnableIp4Dhcp(), p.getIp6Enabled(), p.getMask6(),
                p.getEnableIp6Dhcp(), p.getEnableIp6Ra(), p.getEnableDns(), p.getDnsForward(), p.getMapGw(),
                p.getTcpMapIn(), p.getUdpMapIn(), p.getTcpMapOut(), p.getUdpMapOut());
    }

    private static org.jnsjail.model.MountPt mount(NsjailConfigProto.MountPt m) {
        // nsjail writes a content file only for non-empty src_content.
        byte[] content = m.getSrcContent().isEmpty() ? null : m.getSrcContent().toByteArray();
        return new org.jnsjail.model.MountPt(m.getSrc(), m.getDst(), m.getFstype(), m.getOptions(), m.getIsBind(),
                m.getRw(), m.hasIsDir() ? m.getIsDir() : null, m.getMandatory(), m.getIsSymlink(), m.getNosuid(),
                m.getNodev(), m.getNoexec(), content, m.getPrefixSrcEnv(), m.getPrefixDstEnv());
    }

    /** Resolved now, like -u/-g/-U/-G (names cannot contain ':', so the joined form is unambiguous). */
    private static IdMap idMap(NsjailConfigProto.IdMap m, boolean user, HostInfo host) throws CliException {
        String spec = m.getInsideId() + ":" + m.getOutsideId() + ":" + Integer.toUnsignedLong(m.getCount());
        return Ids.parse(spec, user ? "uidmap" : "gidmap", user, m.getUseNewidmap(), host);
    }

    private static String emptyIsUnset(String v) {
        return v.isEmpty() ? null : v;
    }
}
