package org.jnsjail.config;

import static org.jnsjail.config.ConfigTestFiles.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.junit.jupiter.api.Test;

class ConfigFieldAuditTest {

  @Test
  void setFieldsListsEveryPresentFieldInDeclarationOrder() throws Exception {
    NsJailConfig c = ConfigLoader.load(resource("audit.cfg"));
    assertEquals(
        List.of(
            "hostname",
            "envar",
            "clone_newnet",
            "mount",
            "mount[0].dst",
            "mount[1].dst",
            "mount[1].is_bind",
            "mount[2].src",
            "mount[2].prefix_src_env",
            "mount[2].dst",
            "mount[3].dst",
            "mount[3].mandatory",
            "user_net",
            "user_net.rule4",
            "user_net.rule4[0].action",
            // direction (number 11) is declared first in NstunRule
            "user_net.rule4[1].direction",
            "user_net.rule4[1].dport",
            "exec_bin",
            "exec_bin.path"),
        ConfigFieldAudit.setFields(c));
  }

  @Test
  void nonDefaultFieldsDropsRestatedDefaultsButKeepsMessages() throws Exception {
    NsJailConfig c = ConfigLoader.load(resource("audit.cfg"));
    List<String> fields = ConfigFieldAudit.nonDefaultFields(c);
    assertTrue(!fields.contains("clone_newnet") && !fields.contains("mount[3].mandatory"), fields::toString);
    assertTrue(fields.contains("mount[3].dst") && fields.contains("user_net.rule4[0].action"), fields::toString);
    List<String> emptyUserNet =
        ConfigFieldAudit.nonDefaultFields(
            NsJailConfig.newBuilder()
                .setUserNet(NsJailConfig.UserNet.getDefaultInstance())
                .setCloneNewnet(true)
                .build());
    assertEquals(List.of("user_net"), emptyUserNet, "presence of user_net alone is meaningful");
  }

  @Test
  void emptyConfigHasNoFields() {
    assertEquals(List.of(), ConfigFieldAudit.setFields(NsJailConfig.getDefaultInstance()));
  }

  @Test
  void genericStripsIndices() {
    assertEquals("mount.prefix_src_env", ConfigFieldAudit.generic("mount[2].prefix_src_env"));
    assertEquals("user_net.rule4.dport", ConfigFieldAudit.generic("user_net.rule4[10].dport"));
    assertEquals("user_net.rule4", ConfigFieldAudit.generic("user_net.rule4"));
  }
}
