package org.jnsjail.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every example config shipped with nsjail must load (read in place, never copied here). */
class ReferenceConfigsTest {

  @TestFactory
  Stream<DynamicTest> everyReferenceConfigLoads() throws IOException {
    Path dir = ConfigTestFiles.referenceConfigs();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no files in " + dir);
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      NsJailConfig c = ConfigLoader.load(f);
                      assertFalse(c.getAllFields().isEmpty(), "nothing was set");
                    }));
  }

  @Test
  void bashWithFakeGeteuidTextAndJsonAreEqual() throws Exception {
    Path dir = ConfigTestFiles.referenceConfigs();
    NsJailConfig text = ConfigLoader.load(dir.resolve("bash-with-fake-geteuid.cfg"));
    NsJailConfig json = ConfigLoader.load(dir.resolve("bash-with-fake-geteuid.json"));
    assertEquals(text, json);
    // Spot checks that the content really went through (not two empty messages).
    assertEquals("bash-with-fake-geteuid", text.getName());
    assertTrue(text.hasUserNet(), "user_net { } / \"userNet\": {} set presence");
    assertEquals("nameserver 8.8.8.8\n", text.getMount(9).getSrcContent().toStringUtf8());
    assertEquals(128, text.getRlimitAs());
    assertEquals("sh", json.getExecBin().getArg0());
  }
}
