package org.jnsjail.config;

import static org.jnsjail.config.ConfigTestFiles.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnsjail.config.proto.NsjailConfigProto.LogLevel;
import org.jnsjail.config.proto.NsjailConfigProto.Mode;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig.TrafficRule;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig.UserNet;
import org.jnsjail.config.proto.NsjailConfigProto.RLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  /** Loads a resource expected to be rejected; checks the message is one line naming the file. */
  private static String failure(String resourceName) {
    Path file = resource(resourceName);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    String msg = e.getMessage();
    assertFalse(msg.contains("\n") || msg.contains("\r"), () -> "multi-line: " + msg);
    assertTrue(msg.contains("'" + file + "'"), () -> "file not named: " + msg);
    assertEquals(0, e.getStackTrace().length, "no stack trace is recorded");
    return msg;
  }

  // ---- formats ----

  @Test
  void textAndJsonTwinsLoadEqual() throws Exception {
    NsJailConfig text = ConfigLoader.load(resource("features.cfg"));
    NsJailConfig json = ConfigLoader.load(resource("features.json"));
    assertEquals(text, json);
  }

  @Test
  void jsonFeatures() throws Exception {
    NsJailConfig c = ConfigLoader.load(resource("features.json"));
    // camelCase and snake_case keys are both accepted
    assertEquals(RLimit.HARD, c.getRlimitNprocType());
    assertTrue(c.hasRlimitAsType());
    assertTrue(c.getMount(1).getIsBind());
    // enums by name
    assertEquals(Mode.LISTEN, c.getMode());
    assertEquals(LogLevel.WARNING, c.getLogLevel());
    assertEquals(UserNet.Backend.PASTA, c.getUserNet().getBackend());
    assertEquals(UserNet.NstunRule.Action.REDIRECT, c.getUserNet().getRule4(0).getAction());
    assertEquals(TrafficRule.Protocol.ICMPV6, c.getTrafficRule(0).getProto());
    // 64-bit integers as strings, beyond double precision and the full uint64 range
    assertEquals(-1L, c.getRlimitAs(), "uint64 max reads back as the same 64 bits");
    assertEquals(9007199254740993L, c.getCgroupPidsMax());
    assertEquals(-5L, c.getCgroupMemSwapMax());
    // bytes as base64
    assertEquals(
        ByteString.copyFrom(new byte[] {'h', 'e', 'l', 'l', 'o', '\n', 1, 'b', 'i', 'n', 'a', 'r', 'y', (byte) 0xff}),
        c.getMount(0).getSrcContent());
    assertFalse(c.getUserNet().getPasta().getNat());
    assertEquals("/bin/true", c.getExecBin().getPath());
  }

  @Test
  void jsonAcceptsNumbersForInt64AndEnums() throws Exception {
    NsJailConfig c = ConfigLoader.load(resource("numbers-as-json-numbers.json"));
    assertEquals(128, c.getRlimitAs());
    assertEquals(-1, c.getCgroupMemSwapMax());
    assertTrue(c.hasCgroupMemSwapMax());
    assertEquals(Mode.RERUN, c.getMode());
    assertEquals(5, c.getTimeLimit());
  }

  @Test
  void commentOnlyTextIsAnEmptyConfig() throws Exception {
    // Valid TextProto (nothing set), invalid JSON: loads, as in nsjail.
    assertEquals(NsJailConfig.getDefaultInstance(), ConfigLoader.load(resource("comments-only.cfg")));
  }

  // ---- I/O errors ----

  @Test
  void emptyFile(@TempDir Path dir) throws Exception {
    Path file = Files.createFile(dir.resolve("empty.cfg"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals("Config file '" + file + "' is empty", e.getMessage());
  }

  @Test
  void missingFile(@TempDir Path dir) {
    Path file = dir.resolve("nope.cfg");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(
        "Couldn't read config file '" + file + "': No such file or directory", e.getMessage());
  }

  @Test
  void directoryInsteadOfFile(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
    assertEquals("Couldn't read config file '" + dir + "': Is a directory", e.getMessage());
  }

  // ---- TextFormat errors (JSON also fails on these files; both reasons are reported) ----

  @Test
  void syntaxError() {
    String msg = failure("syntax-error.cfg");
    Path f = resource("syntax-error.cfg");
    // The unterminated `mount {` swallows `time_limit: 5`, which the C++ parser reports at once (nsjail,
    // observed: "4:11: Message type "nsjail.MountPt" has no field named "time_limit"."); protobuf-java
    // alone would say `5:1: Expected "}".` at the end of input. Only the TextProto error is shown: the
    // file cannot be JSON.
    assertTrue(msg.endsWith("as TextProto: " + f
        + ":4:11: Message type \"nsjail.MountPt\" has no field named \"time_limit\"."), msg);
    assertFalse(msg.contains("JSON"), msg);
  }

  @Test
  void unknownFieldUsesNsjailWording() {
    String msg = failure("unknown-field.cfg");
    assertTrue(
        msg.contains(
            resource("unknown-field.cfg")
                + ":3:14: Message type \"nsjail.NsJailConfig\" has no field named \"bogus_field\"."),
        msg);
  }

  @Test
  void unknownNestedFieldColumnCountsTabsAsProtocDoes() {
    String msg = failure("unknown-nested-field.cfg");
    // "\tbogus:" : the C++ tokenizer (and protoc) put a tab at the next multiple of 8; the error is at the
    // token after the name, as nsjail reports it (observed: 3:14).
    assertTrue(
        msg.contains(
            resource("unknown-nested-field.cfg")
                + ":3:14: Message type \"nsjail.MountPt\" has no field named \"bogus\"."),
        msg);
  }

  @Test
  void wrongType() {
    String msg = failure("wrong-type.cfg");
    // nsjail, observed: "1:13: Expected integer, got: "ten""
    assertTrue(msg.endsWith(resource("wrong-type.cfg") + ":1:13: Expected integer, got: \"ten\""), msg);
  }

  @Test
  void duplicateSingularFieldIsAnError() {
    String msg = failure("duplicate-field.cfg");
    assertTrue(
        msg.contains(
            resource("duplicate-field.cfg")
                + ":2:9: Non-repeated field \"hostname\" is specified multiple times."),
        msg);
  }

  @Test
  void missingRequiredDstNamesFieldAndPosition() {
    String msg = failure("missing-dst.cfg");
    // Points at the `mount` that lacks dst (second one, line 5).
    assertTrue(
        msg.contains(
            resource("missing-dst.cfg") + ":5:1: Message missing required fields: mount[1].dst"),
        msg);
  }

  @Test
  void missingRequiredExecPath() {
    String msg = failure("missing-path.cfg");
    assertTrue(msg.contains(":1:1: Message missing required fields: exec_bin.path"), msg);
  }

  // ---- JSON errors ----

  /**
   * JSON errors are protobuf-java's words (docs/compatibility.md); the first problem is still the one named.
   * nsjail d6454b4 for `{"hostname": 5, "bogus": 1}`: "ProtoJSON parse status: 'INVALID_ARGUMENT:bogus: Cannot
   * find field.'"; for `{"time_limit": "abc"}`: "(time_limit): invalid value "abc" for type TYPE_UINT32".
   */
  @Test
  void jsonFirstProblemInProtobufJavasWords() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse("t.json", "{\"hostname\": 5, \"bogus\": 1}"));
    assertEquals("Couldn't parse config file 't.json' as ProtoJSON: Message type \"nsjail.NsJailConfig\" has no field"
        + " named \"bogus\".", e.getMessage());
    e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("t.json", "{\"time_limit\": \"abc\"}"));
    assertEquals("Couldn't parse config file 't.json' as ProtoJSON: Not an uint32 value: \"abc\"", e.getMessage());
  }

  /**
   * nsjail d6454b4 for `mount { src: "/" }`: "Message missing required fields: mount[0].dst" (no position);
   * jnsjail adds the position of the message that lacks it.
   */
  @Test
  void missingRequiredFieldHasThePositionOfItsMessage() {
    assertEquals("1:1: Message missing required fields: mount[0].dst", firstProblem("mount { src: \"/\" }\n"));
  }

  @Test
  void jsonUnknownField() {
    String msg = failure("unknown-field.json");
    assertTrue(
        msg.contains(
            "ProtoJSON: Message type \"nsjail.NsJailConfig\" has no field named \"bogus_field\"."),
        msg);
    // A file that starts with '{' can only be JSON: the TextProto error would say nothing.
    assertFalse(msg.contains("TextProto"), msg);
  }

  @Test
  void jsonWrongType() {
    String msg = failure("wrong-type.json");
    assertTrue(msg.contains("ProtoJSON: Not an uint32 value: \"ten\""), msg);
  }

  @Test
  void jsonSyntaxErrorHasPosition() {
    String msg = failure("syntax-error.json");
    assertTrue(
        msg.contains(
            "ProtoJSON: " + resource("syntax-error.json") + ":4:1: expected a quoted key, found '}'"),
        msg);
  }

  @Test
  void jsonMissingRequiredDst() {
    String msg = failure("missing-dst.json");
    assertTrue(msg.contains("ProtoJSON: Message missing required fields: dst"), msg);
  }

  @Test
  void jsonLenienciesOfGsonAreRejected() {
    // protobuf-java alone would accept all three; nsjail's C++ JSON parser does not.
    assertTrue(failure("lenient-comment.json").contains(":1:1: expected a JSON object"));
    assertTrue(failure("lenient-unquoted.json").contains(":1:2: expected a quoted key, found 't'"));
    assertTrue(
        failure("lenient-trailing.json").contains(":1:18: unexpected 't' after the JSON object"));
  }


  // ---- the first problem, as nsjail's C++ parser reports it (issue #18 item 7) ----

  private static String firstProblem(String content) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("t.cfg", content));
    String msg = e.getMessage();
    String prefix = "Couldn't parse config file 't.cfg' as TextProto: t.cfg:";
    assertTrue(msg.startsWith(prefix), msg);
    return msg.substring(prefix.length());
  }

  /** Each expected text is what the reference nsjail printed for the same file (its ProtoTextFormat line). */
  @Test
  void unknownFieldIsReportedEvenWhenALaterTokenIsWrong() {
    // nsjail: "4:5: Message type "nsjail.MountPt" has no field named "ro"." (protobuf-java alone:
    // "6:11: Expected string.", about the later `hostname: 12`)
    assertEquals("4:5: Message type \"nsjail.MountPt\" has no field named \"ro\".",
        firstProblem("mount {\n  src: \"/\"\n  dst: \"/\"\n  ro: true\n}\nhostname: 12 34\n"));
    // nsjail: "1:12: Message type "nsjail.NsJailConfig" has no field named "bogus_field"."
    assertEquals("1:12: Message type \"nsjail.NsJailConfig\" has no field named \"bogus_field\".",
        firstProblem("bogus_field: 1\nmount { dst: 5 }\n"));
  }

  @Test
  void otherFirstProblemsInNsjailsWords() {
    // nsjail: "2:13: Expected integer, got: "abc""
    assertEquals("2:13: Expected integer, got: \"abc\"", firstProblem("hostname: \"x\"\ntime_limit: \"abc\"\n"));
    // nsjail: "2:1: Expected identifier, got: " (end of input inside `mount {`)
    assertEquals("2:1: Expected identifier, got:", firstProblem("mount { src: \"/\" dst: \"/\" \n"));
    // nsjail: "2:1: Unknown enumeration value of "FOO" for field "mode"."
    assertEquals("2:1: Unknown enumeration value of \"FOO\" for field \"mode\".", firstProblem("mode: FOO\n"));
    // nsjail: "2:9: Non-repeated field "hostname" is specified multiple times."
    assertEquals("2:9: Non-repeated field \"hostname\" is specified multiple times.",
        firstProblem("hostname: \"x\"\nhostname: \"y\"\n"));
    // nsjail: "1:11: Expected string, got: 5"
    assertEquals("1:11: Expected string, got: 5", firstProblem("hostname: 5\n"));
    // nsjail: "1:13: Integer out of range (4294967296)", and "1:14: ... (2147483649)" after a '-'
    assertEquals("1:13: Integer out of range (4294967296)", firstProblem("time_limit: 4294967296\n"));
    assertEquals("1:14: Integer out of range (2147483649)", firstProblem("nice_level: -2147483649\n"));
    // nsjail: "3:1: Invalid value for boolean field "keep_env". Value: "maybe"." (after the value)
    assertEquals("3:1: Invalid value for boolean field \"keep_env\". Value: \"maybe\".",
        firstProblem("keep_env: maybe\n# end\n"));
    // nsjail: "2:1: Unknown enumeration value of "7" for field "mode"."
    assertEquals("2:1: Unknown enumeration value of \"7\" for field \"mode\".", firstProblem("mode: 7\n"));
    // nsjail: "1:10: Expected ":", found ""x""." and "1:1: Expected identifier, got: }"
    assertEquals("1:10: Expected \":\", found \"\"x\"\".", firstProblem("hostname \"x\"\n"));
    assertEquals("1:1: Expected identifier, got: }", firstProblem("}\n"));
  }

  @Test
  void validTextStillLoads() throws Exception {
    NsJailConfig c = ConfigLoader.parse("t.cfg", "# c\nname: \"a\" \"b\"\nmode: 2\ntime_limit: 0x10;\nkeep_env: t,\n"
        + "mount < dst: '/x' >\nmount: { dst: \"/y\" is_bind: 1 }\nuidmap [{ inside_id: \"1\" }, { inside_id: \"2\" }]\n"
        + "pass_fd: [3, 4]\nnice_level: -5\n");
    assertEquals("ab", c.getName());
    assertEquals(Mode.RERUN, c.getMode());
    assertEquals(16, c.getTimeLimit());
    assertEquals(2, c.getMountCount());
    assertEquals(2, c.getUidmapCount());
    assertEquals(-5, c.getNiceLevel());
  }

  // ---- the one-of-two rule ----

  @Test
  void bothFormatsSucceedingIsAmbiguous() {
    // No real file parses both ways (TextFormat cannot start with '{', JSON must), so drive the
    // decision directly.
    var ok = new ConfigLoader.Parsed(NsJailConfig.getDefaultInstance());
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.decide("x.cfg", ok, ok, false));
    assertEquals("Config file 'x.cfg' ambiguously parsed as TextProto and ProtoJSON", e.getMessage());
  }

  @Test
  void exactlyOneFormatWins() throws Exception {
    NsJailConfig a = NsJailConfig.newBuilder().setName("a").build();
    var failed = new ConfigLoader.Failed("nope");
    assertEquals(a, ConfigLoader.decide("x", new ConfigLoader.Parsed(a), failed, false));
    assertEquals(a, ConfigLoader.decide("x", failed, new ConfigLoader.Parsed(a), true));
    var t = new ConfigLoader.Failed("text says no");
    var j = new ConfigLoader.Failed("json says no");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.decide("x", t, j, false));
    assertEquals("Couldn't parse config file 'x' as TextProto: text says no", e.getMessage());
    e = assertThrows(ConfigException.class, () -> ConfigLoader.decide("x", t, j, true));
    assertEquals("Couldn't parse config file 'x' as ProtoJSON: json says no", e.getMessage());
  }
}
