package org.jnsjail.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;

/**
 * Lists which fields a loaded config sets, as dotted paths, so callers can reject settings whose
 * feature is not built yet ("{@code <field>: not implemented yet}").
 *
 * <p>Path shape, for every present field (proto2 presence: written in the file, even if equal to
 * the default; repeated fields when non-empty):
 *
 * <ul>
 *   <li>the field itself, without an index: {@code hostname}, {@code envar}, {@code mount}, {@code
 *       user_net}, {@code user_net.rule4};
 *   <li>then, for message fields, their own set fields; elements of repeated messages carry their
 *       index: {@code mount[2].prefix_src_env}, {@code user_net.rule4[0].action}.
 * </ul>
 *
 * Within a message, fields are listed in declaration order. {@link #generic} strips the indices
 * ({@code mount.prefix_src_env}) for lookups in a fixed table.
 */
public final class ConfigFieldAudit {
  private ConfigFieldAudit() {}

  /** Every field present in {@code config}, recursively. */
  public static List<String> setFields(NsJailConfig config) {
    List<String> out = new ArrayList<>();
    walk(config, "", false, out);
    return List.copyOf(out);
  }

  /**
   * Like {@link #setFields}, but leaves out singular scalar fields that merely restate their
   * default (e.g. {@code clone_newnet: true}, common in nsjail's example configs). Message fields
   * are always kept: their presence alone means something ({@code user_net {}} turns user-mode
   * networking on).
   */
  public static List<String> nonDefaultFields(NsJailConfig config) {
    List<String> out = new ArrayList<>();
    walk(config, "", true, out);
    return List.copyOf(out);
  }

  /** {@code mount[2].prefix_src_env} becomes {@code mount.prefix_src_env}. */
  public static String generic(String path) {
    return path.replaceAll("\\[\\d+]", "");
  }

  private static void walk(Message msg, String prefix, boolean skipDefaults, List<String> out) {
    List<Map.Entry<FieldDescriptor, Object>> fields =
        new ArrayList<>(msg.getAllFields().entrySet());
    // getAllFields() is ordered by field number; declaration order reads like the .proto.
    fields.sort(Comparator.comparingInt(e -> e.getKey().getIndex()));
    for (Map.Entry<FieldDescriptor, Object> entry : fields) {
      FieldDescriptor field = entry.getKey();
      String path = prefix + field.getName();
      boolean isMessage = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      if (skipDefaults
          && !isMessage
          && !field.isRepeated()
          && entry.getValue().equals(field.getDefaultValue())) {
        continue;
      }
      out.add(path);
      if (!isMessage) {
        continue;
      }
      if (field.isRepeated()) {
        List<?> elements = (List<?>) entry.getValue();
        for (int i = 0; i < elements.size(); i++) {
          walk((Message) elements.get(i), path + "[" + i + "].", skipDefaults, out);
        }
      } else {
        walk((Message) entry.getValue(), path + ".", skipDefaults, out);
      }
    }
  }
}
