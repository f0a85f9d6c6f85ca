package org.jnsjail.config;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;

/**
 * Loads an nsjail config file ({@code -C FILE}) the way nsjail does: the whole file is parsed both
 * as protobuf TextFormat and as ProtoJSON, and exactly one of the two must succeed.
 *
 * <p>Differences from the raw protobuf-java parsers, each to match nsjail's C++ behaviour:
 *
 * <ul>
 *   <li>TextFormat: a non-repeated field given twice is an error (C++ {@code ParseFromString}
 *       forbids singular overwrites; Java's default parser allows them).
 *   <li>TextFormat: unknown-field and overwrite errors are reworded to the C++ messages, and
 *       positions are printed protoc-style (1-based, columns in bytes, tabs to multiples of 8).
 *   <li>JSON: input is first checked to be strict RFC 8259 JSON (see {@link StrictJson}).
 *   <li>Both: required fields ({@code MountPt.dst}, {@code Exe.path}) must be present.
 * </ul>
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** The outcome of one parser over the file. */
  sealed interface Attempt permits Parsed, Failed {}

  record Parsed(NsJailConfig config) implements Attempt {}

  /** {@code error} is a complete description, including a position where there is one. */
  record Failed(String error) implements Attempt {}

  private static final Pattern UNKNOWN_FIELD =
      Pattern.compile("(\\d+):(\\d+):\\s*([\\w.]+)\\.(\\w+)");
  private static final Pattern OVERWRITE =
      Pattern.compile("Non-repeated field \"[\\w.]*?\\.?(\\w+)\" cannot be overwritten\\.");
  private static final Pattern JSON_UNKNOWN_FIELD =
      Pattern.compile("Cannot find field: (\\S+) in message (\\S+)");

  /**
   * Reads and parses {@code file}.
   *
   * @throws ConfigException with a one-line message naming the file (and line:column where the
   *     parser gave one) if the file is unreadable, empty, invalid in both formats, or valid in both
   */
  public static NsJailConfig load(Path file) throws ConfigException {
    String name = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("Couldn't read config file '" + name + "': " + reason(e));
    }
    if (bytes.length == 0) {
      throw new ConfigException("Config file '" + name + "' is empty");
    }
    return parse(name, new String(bytes, UTF_8));
  }

  /** Parses already-read content; {@code name} is used in messages only. */
  /**
   * No string field (paths, names, options) may hold a NUL: the kernel would see a shorter string
   * than the one logged. Bytes fields (src_content) may.
   */
  private static void rejectNul(String file, com.google.protobuf.Message m, String prefix) throws ConfigException {
    for (var e : m.getAllFields().entrySet()) {
      var f = e.getKey();
      String name = prefix + f.getName();
      java.util.List<?> values = f.isRepeated() ? (java.util.List<?>) e.getValue() : java.util.List.of(e.getValue());
      for (Object v : values) {
        if (v instanceof String str && str.indexOf('\0') >= 0) {
          throw new ConfigException("Config file '" + file + "': field '" + name + "' contains a NUL character");
        }
        if (v instanceof com.google.protobuf.Message sub) rejectNul(file, sub, name + ".");
      }
    }
  }

  static NsJailConfig parse(String name, String content) throws ConfigException {
    SourcePos pos = new SourcePos(name, content);
    NsJailConfig cfg = decide(name, parseText(content, pos), parseJson(content, pos), looksLikeJson(content));
    rejectNul(name, cfg, "");
    return cfg;
  }

  /**
   * A file whose first character (after white space and # comments) is '{' can only be ProtoJSON (TextProto wants a
   * field name there); any other can only be TextProto (strict JSON starts with '{'). So when both
   * parsers fail, only that format's error says anything about the file.
   */
  static boolean looksLikeJson(String content) {
    boolean comment = false;
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (comment) {
        comment = c != '\n';
      } else if (c == '#') {
        comment = true; // JSON with a leading comment is still meant as JSON (and refused as such)
      } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return c == '{';
      }
    }
    return false;
  }

  /**
   * nsjail's rule: exactly one of the two formats must accept the file. When neither does, the first
   * problem found by the parser of the format the file is written in is reported.
   */
  static NsJailConfig decide(String name, Attempt text, Attempt json, boolean looksLikeJson)
      throws ConfigException {
    return switch (text) {
      case Parsed(var cfg) when json instanceof Failed -> cfg;
      case Parsed p ->
          throw new ConfigException(
              "Config file '" + name + "' ambiguously parsed as TextProto and ProtoJSON");
      case Failed(var textError) ->
          switch (json) {
            case Parsed(var cfg) -> cfg;
            case Failed(var jsonError) ->
                throw new ConfigException(
                    "Couldn't parse config file "
                        + org.jnsjail.log.Quote.of(name)
                        + (looksLikeJson ? " as ProtoJSON: " + jsonError : " as TextProto: " + textError));
          };
    };
  }

  static Attempt parseText(String content, SourcePos pos) {
    // The first problem, as the C++ parser finds it; protobuf-java would hide an unknown field
    // behind any later syntax error.
    String first = TextFormatCheck.firstError(content, NsJailConfig.getDescriptor(), pos);
    if (first != null) return new Failed(first);
    TextFormatParseInfoTree.Builder tree = TextFormatParseInfoTree.builder();
    TextFormat.Parser parser =
        TextFormat.Parser.newBuilder()
            .setSingularOverwritePolicy(
                TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
            .setParseInfoTreeBuilder(tree)
            .build();
    NsJailConfig.Builder builder = NsJailConfig.newBuilder();
    try {
      parser.merge(content, builder);
    } catch (TextFormat.ParseException e) {
      return new Failed(describe(e, pos));
    }
    if (!builder.isInitialized()) {
      String missing = builder.getInitializationErrorString();
      String where = locate(tree.build(), missing, pos);
      return new Failed(where + "Message missing required fields: " + missing);
    }
    return new Parsed(builder.build());
  }

  static Attempt parseJson(String content, SourcePos pos) {
    try {
      StrictJson.check(content);
    } catch (StrictJson.SyntaxError e) {
      return new Failed(pos.atOffset(content, e.offset) + " " + e.getMessage());
    }
    NsJailConfig.Builder builder = NsJailConfig.newBuilder();
    try {
      // No ignoringUnknownFields(): unknown keys are errors, as in nsjail.
      JsonFormat.parser().merge(content, builder);
    } catch (InvalidProtocolBufferException e) {
      return new Failed(jsonMessage(e.getMessage()));
    } catch (RuntimeException e) {
      // Defensive: the Gson layer can surface unchecked exceptions on odd input.
      return new Failed(org.jnsjail.log.Quote.describe(e));
    }
    // Nested messages are checked by JsonFormat itself (it build()s them), but without a path;
    // the top level is ours to check.
    if (!builder.isInitialized()) {
      return new Failed("Message missing required fields: " + builder.getInitializationErrorString());
    }
    return new Parsed(builder.build());
  }

  private static String describe(TextFormat.ParseException e, SourcePos pos) {
    String prefix = e.getLine() + ":" + e.getColumn() + ": ";
    String msg = e.getMessage();
    String description = msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
    if (description.startsWith("Input contains unknown fields")) {
      // protobuf-java collects all unknown fields, one "line:col:\tpkg.Type.field" per line;
      // nsjail (C++) stops at the first, so report that one in the C++ wording.
      String[] lines = description.split("\n");
      if (lines.length > 1) {
        Matcher m = UNKNOWN_FIELD.matcher(lines[1].strip());
        if (m.matches()) {
          return pos.at(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
              + " Message type \""
              + m.group(3)
              + "\" has no field named \""
              + m.group(4)
              + "\".";
        }
      }
    }
    Matcher m = OVERWRITE.matcher(description);
    if (m.matches()) {
      description = "Non-repeated field \"" + m.group(1) + "\" is specified multiple times.";
    }
    return pos.at(e.getLine(), e.getColumn()) + " " + description;
  }

  private static String jsonMessage(String msg) {
    Matcher m = JSON_UNKNOWN_FIELD.matcher(msg);
    if (m.matches()) {
      return "Message type \"" + m.group(2) + "\" has no field named \"" + m.group(1) + "\".";
    }
    return msg;
  }

  /**
   * Finds where the message holding the first missing required field starts, e.g. the {@code
   * mount} token of {@code mount[1]} for {@code mount[1].dst}. Returns "" when it cannot.
   */
  private static String locate(TextFormatParseInfoTree root, String missing, SourcePos pos) {
    String first = missing.split(",")[0].strip();
    String[] segments = first.split("\\.");
    Descriptor type = NsJailConfig.getDescriptor();
    TextFormatParseInfoTree tree = root;
    TextFormatParseLocation location = null;
    try {
      for (int i = 0; i < segments.length - 1; i++) {
        String segment = segments[i];
        int index = 0;
        int bracket = segment.indexOf('[');
        if (bracket >= 0) {
          index = Integer.parseInt(segment.substring(bracket + 1, segment.length() - 1));
          segment = segment.substring(0, bracket);
        }
        FieldDescriptor field = type.findFieldByName(segment);
        if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          break;
        }
        location = tree.getLocation(field, index);
        tree = tree.getNestedTree(field, index);
        type = field.getMessageType();
      }
    } catch (IllegalArgumentException e) {
      // Keep the outermost location found so far.
    }
    if (location == null || location.getLine() < 0) {
      return "";
    }
    // Parse-tree locations are 0-based, unlike ParseException's.
    return pos.at(location.getLine() + 1, location.getColumn() + 1) + " ";
  }

  private static String reason(IOException e) {
    return switch (e) {
      case NoSuchFileException x -> "No such file or directory";
      case AccessDeniedException x -> "Permission denied";
      case FileSystemException x when x.getReason() != null -> x.getReason();
      default -> org.jnsjail.log.Quote.reason(e);
    };
  }
}
