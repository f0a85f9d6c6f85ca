package org.jnsjail.config;

import java.util.List;

/**
 * Turns parser positions into protoc-style {@code file:line:column} prefixes.
 *
 * <p>nsjail reports text-format errors through the C++ tokenizer, which counts columns in bytes
 * and expands tabs to multiples of 8; protobuf-java counts UTF-16 chars with a tab as one. We
 * recompute the column from the line text so our positions match what nsjail/protoc print.
 */
final class SourcePos {
  private static final int TAB_WIDTH = 8;

  private final String file;
  private final List<String> lines;

  SourcePos(String file, String content) {
    this.file = file;
    // Only '\n' ends a line, as in both protobuf tokenizers.
    this.lines = List.of(content.split("\n", -1));
  }

  /** {@code line} and {@code charColumn} are 1-based, in Java chars. */
  String at(int line, int charColumn) {
    return file + ":" + line + ":" + byteColumn(line, charColumn) + ":";
  }

  /** Position of a char offset into the content. */
  String atOffset(String content, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset && i < content.length(); i++) {
      if (content.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return at(line, offset - lineStart + 1);
  }

  private int byteColumn(int line, int charColumn) {
    if (line < 1 || line > lines.size()) {
      return charColumn;
    }
    String text = lines.get(line - 1);
    int col = 0;
    for (int i = 0; i < charColumn - 1 && i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\t') {
        col += TAB_WIDTH - col % TAB_WIDTH;
      } else if (c < 0x80) {
        col += 1;
      } else if (c < 0x800) {
        col += 2;
      } else if (Character.isSurrogate(c)) {
        col += 2; // a pair is 4 UTF-8 bytes, split over its two chars
      } else {
        col += 3;
      }
    }
    return col + 1;
  }
}
