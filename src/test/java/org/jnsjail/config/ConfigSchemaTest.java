package org.jnsjail.config;

import static org.jnsjail.config.ConfigTestFiles.resource;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.jnsjail.config.proto.NsjailConfigProto.Exe;
import org.jnsjail.config.proto.NsjailConfigProto.IdMap;
import org.jnsjail.config.proto.NsjailConfigProto.Mode;
import org.jnsjail.config.proto.NsjailConfigProto.MountPt;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig.TrafficRule;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig.UserNet;
import org.jnsjail.config.proto.NsjailConfigProto.RLimit;
import org.junit.jupiter.api.Test;

/** The generated schema must match nsjail's config.proto facts (reference §2.2). */
class ConfigSchemaTest {

  /** NsJailConfig fields in declaration order; upstream numbers them 1..101 in this order. */
  private static final List<String> NSJAIL_CONFIG_FIELDS =
      List.of(
          "name", "description", "mode", "hostname", "cwd", "no_pivotroot", "port", "bindhost",
          "max_conns", "max_conns_per_ip", "time_limit", "daemon", "max_cpus", "nice_level",
          "log_fd", "log_file", "log_level", "keep_env", "envar", "keep_caps", "cap", "silent",
          "skip_setsid", "stderr_to_null", "pass_fd", "disable_no_new_privs", "forward_signals",
          "disable_tsc", "oom_score_adj", "rlimit_as", "rlimit_as_type", "rlimit_core",
          "rlimit_core_type", "rlimit_cpu", "rlimit_cpu_type", "rlimit_fsize", "rlimit_fsize_type",
          "rlimit_nofile", "rlimit_nofile_type", "rlimit_nproc", "rlimit_nproc_type",
          "rlimit_stack", "rlimit_stack_type", "rlimit_memlock", "rlimit_memlock_type",
          "rlimit_rtprio", "rlimit_rtprio_type", "rlimit_msgqueue", "rlimit_msgqueue_type",
          "disable_rl", "persona_addr_compat_layout", "persona_mmap_page_zero",
          "persona_read_implies_exec", "persona_addr_limit_3gb", "persona_addr_no_randomize",
          "clone_newnet", "clone_newuser", "clone_newns", "clone_newpid", "clone_newipc",
          "clone_newuts", "clone_newcgroup", "clone_newtime", "uidmap", "gidmap", "mount_proc",
          "mount", "seccomp_policy_file", "seccomp_string", "seccomp_log", "cgroup_mem_max",
          "cgroup_mem_memsw_max", "cgroup_mem_swap_max", "cgroup_mem_mount", "cgroup_mem_parent",
          "cgroup_pids_max", "cgroup_pids_mount", "cgroup_pids_parent", "cgroup_net_cls_classid",
          "cgroup_net_cls_mount", "cgroup_net_cls_parent", "cgroup_cpu_ms_per_sec",
          "cgroup_cpu_mount", "cgroup_cpu_parent", "cgroupv2_mount", "use_cgroupv2",
          "detect_cgroupv2", "iface_no_lo", "iface_own", "macvlan_iface", "macvlan_vs_ip",
          "macvlan_vs_nm", "macvlan_vs_gw", "macvlan_vs_ma", "macvlan_vs_mo", "traffic_rule",
          "user_net", "exec_bin", "seccomp_unotify", "seccomp_unotify_report",
          "use_core_scheduling");

  /** jnsjail's own fields, numbered from 1000 up, after nsjail's. */
  private static final List<String> JNSJAIL_CONFIG_FIELDS = List.of("status_file", "status_fd", "init");

  @Test
  void fieldNamesAndNumbers() {
    List<FieldDescriptor> fields = NsJailConfig.getDescriptor().getFields();
    assertEquals(NSJAIL_CONFIG_FIELDS.size() + JNSJAIL_CONFIG_FIELDS.size(), fields.size());
    for (int i = 0; i < JNSJAIL_CONFIG_FIELDS.size(); i++) {
      FieldDescriptor f = fields.get(NSJAIL_CONFIG_FIELDS.size() + i);
      assertEquals(JNSJAIL_CONFIG_FIELDS.get(i), f.getName());
      assertEquals(1000 + i, f.getNumber(), f.getName());
    }
    fields = fields.subList(0, NSJAIL_CONFIG_FIELDS.size());
    for (int i = 0; i < fields.size(); i++) {
      assertEquals(NSJAIL_CONFIG_FIELDS.get(i), fields.get(i).getName());
      assertEquals(i + 1, fields.get(i).getNumber(), fields.get(i).getName());
    }
    assertEquals("nsjail.NsJailConfig", NsJailConfig.getDescriptor().getFullName());
    assertEquals(15, TrafficRule.getDescriptor().findFieldByName("ip_family").getNumber());
    assertEquals(11, UserNet.NstunRule.getDescriptor().findFieldByName("direction").getNumber());
    assertEquals(12, UserNet.getDescriptor().findFieldByName("rule6").getNumber());
  }

  @Test
  void onlyDstAndPathAreRequired() {
    List<String> required = new ArrayList<>();
    collectRequired(NsJailConfig.getDescriptor().getFile().getMessageTypes(), required);
    assertEquals(List.of("nsjail.MountPt.dst", "nsjail.Exe.path"), required);
  }

  private static void collectRequired(List<Descriptor> types, List<String> out) {
    for (Descriptor t : types) {
      t.getFields().stream().filter(FieldDescriptor::isRequired).forEach(f -> out.add(f.getFullName()));
      collectRequired(t.getNestedTypes(), out);
    }
  }

  @Test
  void typesThatMatter() {
    Descriptor d = NsJailConfig.getDescriptor();
    assertEquals(FieldDescriptor.Type.INT64, d.findFieldByName("cgroup_mem_swap_max").getType());
    assertEquals(FieldDescriptor.Type.INT32, d.findFieldByName("nice_level").getType());
    assertEquals(FieldDescriptor.Type.INT32, d.findFieldByName("oom_score_adj").getType());
    assertEquals(FieldDescriptor.Type.UINT64, d.findFieldByName("rlimit_as").getType());
    assertEquals(FieldDescriptor.Type.UINT32, d.findFieldByName("time_limit").getType());
    assertEquals(FieldDescriptor.Type.BYTES, MountPt.getDescriptor().findFieldByName("src_content").getType());
    assertTrue(d.findFieldByName("description").isRepeated());
    assertTrue(d.findFieldByName("seccomp_string").isRepeated());
    assertTrue(d.findFieldByName("pass_fd").isRepeated());
  }

  /** §2.2 defaults, read through a loaded config that sets nothing but its name. */
  @Test
  void defaultsOfALoadedConfig() throws Exception {
    NsJailConfig c = ConfigLoader.load(resource("minimal.cfg"));
    assertEquals("minimal", c.getName());
    assertAll(
        () -> assertEquals(Mode.ONCE, c.getMode()),
        () -> assertEquals("NSJAIL", c.getHostname()),
        () -> assertEquals("/", c.getCwd()),
        () -> assertFalse(c.getNoPivotroot()),
        () -> assertEquals(0, c.getPort()),
        () -> assertEquals("::", c.getBindhost()),
        () -> assertEquals(0, c.getMaxConns()),
        () -> assertEquals(0, c.getMaxConnsPerIp()),
        () -> assertEquals(600, c.getTimeLimit()),
        () -> assertFalse(c.getDaemon()),
        () -> assertEquals(0, c.getMaxCpus()),
        () -> assertEquals(19, c.getNiceLevel()),
        () -> assertFalse(c.hasLogFd()),
        () -> assertFalse(c.hasLogFile()),
        () -> assertFalse(c.hasLogLevel()),
        () -> assertFalse(c.getKeepEnv()),
        () -> assertFalse(c.getKeepCaps()),
        () -> assertFalse(c.getSilent()),
        () -> assertFalse(c.getSkipSetsid()),
        () -> assertFalse(c.getStderrToNull()),
        () -> assertFalse(c.getDisableNoNewPrivs()),
        () -> assertFalse(c.getForwardSignals()),
        () -> assertFalse(c.getDisableTsc()),
        () -> assertFalse(c.hasOomScoreAdj()),
        () -> assertEquals(4096, c.getRlimitAs()),
        () -> assertEquals(RLimit.VALUE, c.getRlimitAsType()),
        () -> assertEquals(0, c.getRlimitCore()),
        () -> assertEquals(RLimit.VALUE, c.getRlimitCoreType()),
        () -> assertEquals(600, c.getRlimitCpu()),
        () -> assertEquals(RLimit.VALUE, c.getRlimitCpuType()),
        () -> assertEquals(1, c.getRlimitFsize()),
        () -> assertEquals(RLimit.VALUE, c.getRlimitFsizeType()),
        () -> assertEquals(32, c.getRlimitNofile()),
        () -> assertEquals(RLimit.VALUE, c.getRlimitNofileType()),
        () -> assertEquals(1024, c.getRlimitNproc()),
        () -> assertEquals(RLimit.SOFT, c.getRlimitNprocType()),
        () -> assertEquals(8, c.getRlimitStack()),
        () -> assertEquals(RLimit.SOFT, c.getRlimitStackType()),
        () -> assertEquals(64, c.getRlimitMemlock()),
        () -> assertEquals(RLimit.SOFT, c.getRlimitMemlockType()),
        () -> assertEquals(0, c.getRlimitRtprio()),
        () -> assertEquals(RLimit.SOFT, c.getRlimitRtprioType()),
        () -> assertEquals(1024, c.getRlimitMsgqueue()),
        () -> assertEquals(RLimit.SOFT, c.getRlimitMsgqueueType()),
        () -> assertFalse(c.getDisableRl()),
        () -> assertFalse(c.getPersonaAddrCompatLayout()),
        () -> assertFalse(c.getPersonaMmapPageZero()),
        () -> assertFalse(c.getPersonaReadImpliesExec()),
        () -> assertFalse(c.getPersonaAddrLimit3Gb()),
        () -> assertFalse(c.getPersonaAddrNoRandomize()),
        () -> assertTrue(c.getCloneNewnet()),
        () -> assertTrue(c.getCloneNewuser()),
        () -> assertTrue(c.getCloneNewns()),
        () -> assertTrue(c.getCloneNewpid()),
        () -> assertTrue(c.getCloneNewipc()),
        () -> assertTrue(c.getCloneNewuts()),
        () -> assertTrue(c.getCloneNewcgroup()),
        () -> assertFalse(c.getCloneNewtime()),
        () -> assertFalse(c.getMountProc(), "unlike the CLI, a config mounts no /proc by default"),
        () -> assertFalse(c.hasSeccompPolicyFile()),
        () -> assertFalse(c.getSeccompLog()),
        () -> assertEquals(0, c.getCgroupMemMax()),
        () -> assertEquals(0, c.getCgroupMemMemswMax()),
        () -> assertEquals(-1, c.getCgroupMemSwapMax()),
        () -> assertEquals("/sys/fs/cgroup/memory", c.getCgroupMemMount()),
        () -> assertEquals("NSJAIL", c.getCgroupMemParent()),
        () -> assertEquals(0, c.getCgroupPidsMax()),
        () -> assertEquals("/sys/fs/cgroup/pids", c.getCgroupPidsMount()),
        () -> assertEquals("NSJAIL", c.getCgroupPidsParent()),
        () -> assertEquals(0, c.getCgroupNetClsClassid()),
        () -> assertEquals("/sys/fs/cgroup/net_cls", c.getCgroupNetClsMount()),
        () -> assertEquals("NSJAIL", c.getCgroupNetClsParent()),
        () -> assertEquals(0, c.getCgroupCpuMsPerSec()),
        () -> assertEquals("/sys/fs/cgroup/cpu", c.getCgroupCpuMount()),
        () -> assertEquals("NSJAIL", c.getCgroupCpuParent()),
        () -> assertEquals("/sys/fs/cgroup", c.getCgroupv2Mount()),
        () -> assertFalse(c.getUseCgroupv2()),
        () -> assertFalse(c.getDetectCgroupv2()),
        () -> assertFalse(c.getIfaceNoLo()),
        () -> assertFalse(c.hasMacvlanIface()),
        () -> assertEquals("192.168.0.2", c.getMacvlanVsIp()),
        () -> assertEquals("255.255.255.0", c.getMacvlanVsNm()),
        () -> assertEquals("192.168.0.1", c.getMacvlanVsGw()),
        () -> assertEquals("", c.getMacvlanVsMa()),
        () -> assertEquals("private", c.getMacvlanVsMo()),
        () -> assertFalse(c.hasUserNet()),
        () -> assertFalse(c.hasExecBin()),
        () -> assertFalse(c.getSeccompUnotify()),
        () -> assertFalse(c.hasSeccompUnotifyReport()),
        () -> assertFalse(c.getUseCoreScheduling()),
        () -> assertEquals(0, c.getDescriptionCount() + c.getEnvarCount() + c.getCapCount()
            + c.getPassFdCount() + c.getUidmapCount() + c.getGidmapCount() + c.getMountCount()
            + c.getSeccompStringCount() + c.getIfaceOwnCount() + c.getTrafficRuleCount()));
  }

  @Test
  void subMessageDefaults() {
    IdMap id = IdMap.getDefaultInstance();
    MountPt m = MountPt.getDefaultInstance();
    Exe e = Exe.getDefaultInstance();
    TrafficRule tr = TrafficRule.getDefaultInstance();
    UserNet un = UserNet.getDefaultInstance();
    UserNet.NstunRule r = UserNet.NstunRule.getDefaultInstance();
    UserNet.Pasta p = UserNet.Pasta.getDefaultInstance();
    assertAll(
        () -> assertEquals("", id.getInsideId()),
        () -> assertEquals("", id.getOutsideId()),
        () -> assertEquals(1, id.getCount()),
        () -> assertFalse(id.getUseNewidmap()),
        () -> assertFalse(m.getIsBind()),
        () -> assertFalse(m.getRw()),
        () -> assertFalse(m.hasIsDir(), "is_dir has no default: unset means 'guess'"),
        () -> assertTrue(m.getMandatory()),
        () -> assertFalse(m.getIsSymlink()),
        () -> assertFalse(m.getNosuid() || m.getNodev() || m.getNoexec()),
        () -> assertFalse(e.hasArg0()),
        () -> assertFalse(e.getExecFd()),
        () -> assertEquals(TrafficRule.TrafficAction.DROP, tr.getAction()),
        () -> assertEquals(TrafficRule.Protocol.UNKNOWN_PROTO, tr.getProto()),
        () -> assertEquals(TrafficRule.IpFamily.IPV4, tr.getIpFamily()),
        () -> assertEquals(UserNet.Backend.NSTUN, un.getBackend()),
        () -> assertEquals("10.255.255.2", un.getIp4()),
        () -> assertEquals("10.255.255.1", un.getGw4()),
        () -> assertEquals("fc00::2", un.getIp6()),
        () -> assertEquals("fc00::1", un.getGw6()),
        () -> assertEquals("eth0", un.getNsIface()),
        () -> assertEquals(UserNet.NstunRule.Direction.GUEST_TO_HOST, r.getDirection()),
        () -> assertEquals(UserNet.NstunRule.Action.ALLOW, r.getAction()),
        () -> assertEquals(UserNet.NstunRule.Protocol.ANY, r.getProto()),
        () -> assertTrue(p.getNat()),
        () -> assertTrue(p.getEnableTcp() && p.getEnableUdp() && p.getEnableIcmp()),
        () -> assertTrue(p.getIp4Enabled()),
        () -> assertEquals("255.255.255.0", p.getMask4()),
        () -> assertFalse(p.getEnableIp4Dhcp()),
        () -> assertTrue(p.getIp6Enabled()),
        () -> assertEquals("64", p.getMask6()),
        () -> assertFalse(p.getEnableIp6Dhcp() || p.getEnableIp6Ra() || p.getEnableDns()),
        () -> assertEquals("", p.getDnsForward()),
        () -> assertTrue(p.getMapGw()),
        () -> assertEquals("none", p.getTcpMapIn()),
        () -> assertEquals("none", p.getUdpMapIn()),
        () -> assertEquals("none", p.getTcpMapOut()),
        () -> assertEquals("none", p.getUdpMapOut()));
  }
}
