package org.jnsjail.config;

/**
 * RFC 8259 syntax check, run before {@code JsonFormat}.
 *
 * <p>protobuf-java's JSON parser reads through a lenient Gson reader: it accepts {@code #} and
 * {@code //} comments, single quotes, unquoted keys and trailing garbage after the object. nsjail's
 * C++ {@code JsonStringToMessage} rejects all of those, so without this check a file nsjail refuses
 * would load here. It also gives JSON syntax errors a position.
 */
final class StrictJson {
  /** A syntax error at a char offset. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    SyntaxError(int offset, String message) {
      super(message, null, false, false);
      this.offset = offset;
    }
  }

  private static final int MAX_DEPTH = 100; // as the C++ parser's recursion limit

  private final String s;
  private int pos;

  private StrictJson(String s) {
    this.s = s;
  }

  /** Throws unless {@code s} is exactly one JSON object, optionally surrounded by whitespace. */
  static void check(String s) throws SyntaxError {
    StrictJson p = new StrictJson(s);
    p.skipWs();
    if (p.pos >= s.length() || s.charAt(p.pos) != '{') {
      throw p.error("expected a JSON object ('{')");
    }
    p.value(0);
    p.skipWs();
    if (p.pos < s.length()) {
      throw p.error("unexpected " + p.describe() + " after the JSON object");
    }
  }

  private void value(int depth) throws SyntaxError {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    skipWs();
    if (pos >= s.length()) {
      throw error("unexpected end of input, expected a value");
    }
    switch (s.charAt(pos)) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        char c = s.charAt(pos);
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw error("unexpected " + describe() + ", expected a value");
        }
      }
    }
  }

  private void object(int depth) throws SyntaxError {
    pos++; // '{'
    skipWs();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      skipWs();
      if (peek() != '"') {
        throw error("expected a quoted key, found " + describe());
      }
      string();
      skipWs();
      expect(':');
      value(depth + 1);
      skipWs();
      if (peek() == ',') {
        pos++;
      } else if (peek() == '}') {
        pos++;
        return;
      } else {
        throw error("expected ',' or '}', found " + describe());
      }
    }
  }

  private void array(int depth) throws SyntaxError {
    pos++; // '['
    skipWs();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      value(depth + 1);
      skipWs();
      if (peek() == ',') {
        pos++;
      } else if (peek() == ']') {
        pos++;
        return;
      } else {
        throw error("expected ',' or ']', found " + describe());
      }
    }
  }

  private void string() throws SyntaxError {
    int start = pos;
    pos++; // opening quote
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '"') {
        pos++;
        return;
      }
      if (c < 0x20) {
        throw error("unescaped control character in string");
      }
      if (c == '\\') {
        pos++;
        char e = peek();
        switch (e) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> pos++;
          case 'u' -> {
            pos++;
            for (int i = 0; i < 4; i++, pos++) {
              if (Character.digit(peek(), 16) < 0) {
                throw error("invalid \\u escape");
              }
            }
          }
          default -> throw error("invalid escape sequence in string");
        }
      } else {
        pos++;
      }
    }
    pos = start;
    throw error("string missing its closing quote");
  }

  private void number() throws SyntaxError {
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        pos++;
      }
    } else {
      throw error("invalid number");
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw error("invalid number: digits expected after '.'");
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("invalid number: digits expected in the exponent");
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
  }

  private void literal(String word) throws SyntaxError {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected " + describe() + ", expected a value");
    }
    pos += word.length();
  }

  private void expect(char c) throws SyntaxError {
    if (peek() != c) {
      throw error("expected '" + c + "', found " + describe());
    }
    pos++;
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private String describe() {
    if (pos >= s.length()) {
      return "end of input";
    }
    char c = s.charAt(pos);
    return c < 0x20 ? String.format("character 0x%02x", (int) c) : "'" + c + "'";
  }

  private SyntaxError error(String message) {
    return new SyntaxError(pos, message);
  }
}
