package org.jnsjail.config;

import java.io.Serial;

/**
 * A config file could not be loaded. {@link #getMessage()} is the complete, single-line diagnostic
 * to print; there is deliberately no stack trace (it is never shown and costs time to fill in).
 */
public final class ConfigException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(oneLine(message), null, false, false);
  }

  /** Parser messages may span lines (protobuf-java lists unknown fields one per line). */
  static String oneLine(String s) {
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ').strip();
  }
}
