package org.jnsjail.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds the first problem in a TextProto config the way nsjail's C++ parser does (text_format.cc
 * ParserImpl): it stops at the first error, naming an unknown field ({@code Message type
 * "nsjail.MountPt" has no field named "ro".}) even when a later token is also wrong, at the position
 * of the token after the name. protobuf-java instead collects unknown fields and reports them only
 * when nothing else fails, so a later syntax error would hide them; and it words several errors
 * differently ({@code Expected integer, got: "ten"}).
 *
 * <p>A walk over the descriptors with a tokenizer of the same rules (# comments, identifiers, numbers,
 * quoted strings, one-character symbols). Only what it is sure of is reported: on anything it does
 * not model (extensions, odd numbers, unterminated strings) it gives up and the protobuf-java parser
 * decides. Required fields are left to protobuf-java too (C++ checks them after the parse).
 */
final class TextFormatCheck {
    /** The first problem, complete with its {@code file:line:column:} prefix, or null. */
    static String firstError(String content, Descriptor root, SourcePos pos) {
        TextFormatCheck c = new TextFormatCheck(content, pos);
        try {
            c.next();
            c.message(root, null);
            return null;
        } catch (Problem p) {
            return p.getMessage();
        } catch (GiveUp g) {
            return null;
        }
    }

    private static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String m) {
            super(m, null, false, false);
        }
    }

    private static final class GiveUp extends Exception {
        private static final long serialVersionUID = 1L;

        GiveUp() {
            super(null, null, false, false);
        }
    }

    private enum Kind { IDENT, INT, FLOAT, STRING, SYMBOL, END }

    private final String s;
    private final SourcePos pos;
    private int i;
    private int line, lineStart;
    // the current token
    private Kind kind;
    private String text;
    private int tokLine, tokCol;

    private TextFormatCheck(String s, SourcePos pos) {
        this.s = s;
        this.pos = pos;
    }

    // ---- tokenizer ----

    private void next() throws GiveUp {
        for (;;) {
            while (i < s.length() && " \t\n\r\u000b\f".indexOf(s.charAt(i)) >= 0) advance();
            if (i < s.length() && s.charAt(i) == '#') {
                while (i < s.length() && s.charAt(i) != '\n') advance();
                continue;
            }
            break;
        }
        tokLine = line;
        tokCol = i - lineStart;
        int start = i;
        if (i >= s.length()) {
            kind = Kind.END;
            text = "";
            return;
        }
        char c = s.charAt(i);
        if (Character.isLetter(c) && c < 0x80 || c == '_') {
            while (i < s.length() && isIdent(s.charAt(i))) advance();
            kind = Kind.IDENT;
        } else if (c >= '0' && c <= '9' || c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
            number();
        } else if (c == '"' || c == '\'') {
            advance();
            while (i < s.length() && s.charAt(i) != c) {
                if (s.charAt(i) == '\n') throw new GiveUp(); // "String literals cannot cross line boundaries."
                if (s.charAt(i) == '\\') advance();
                if (i < s.length()) advance();
            }
            if (i >= s.length()) throw new GiveUp(); // "Unexpected end of string."
            advance();
            kind = Kind.STRING;
        } else if (c < 0x20 && c != '\t' || c >= 0x7f) {
            throw new GiveUp(); // "Invalid control characters encountered in text."
        } else {
            advance();
            kind = Kind.SYMBOL;
        }
        text = s.substring(start, i);
    }

    private void number() throws GiveUp {
        boolean isFloat = false;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            advance();
            advance();
            if (i >= s.length() || Character.digit(s.charAt(i), 16) < 0) throw new GiveUp();
            while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) advance();
        } else {
            while (i < s.length() && Character.isDigit(s.charAt(i))) advance();
            if (i < s.length() && s.charAt(i) == '.') {
                isFloat = true;
                advance();
                while (i < s.length() && Character.isDigit(s.charAt(i))) advance();
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                isFloat = true;
                advance();
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) advance();
                if (i >= s.length() || !Character.isDigit(s.charAt(i))) throw new GiveUp();
                while (i < s.length() && Character.isDigit(s.charAt(i))) advance();
            }
            if (isFloat && i < s.length() && (s.charAt(i) == 'f' || s.charAt(i) == 'F')) advance();
        }
        // "Need space between number and identifier."
        if (i < s.length() && (isIdent(s.charAt(i)) || s.charAt(i) == '.')) throw new GiveUp();
        kind = isFloat ? Kind.FLOAT : Kind.INT;
    }

    private static boolean isIdent(char c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || c == '_');
    }

    private void advance() {
        if (s.charAt(i) == '\n') {
            line++;
            lineStart = i + 1;
        }
        i++;
    }

    private boolean at(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    private boolean tryConsume(String symbol) throws GiveUp {
        if (!at(symbol)) return false;
        next();
        return true;
    }

    private void consume(String symbol) throws Problem, GiveUp {
        if (!tryConsume(symbol)) throw problem("Expected \"" + symbol + "\", found \"" + text + "\".");
    }

    /** An error at the current token, as C++ ReportError places it. */
    private Problem problem(String message) {
        return new Problem(pos.at(tokLine + 1, tokCol + 1) + " " + message);
    }

    // ---- parser ----

    private void message(Descriptor d, String closer) throws Problem, GiveUp {
        Set<FieldDescriptor> seen = new HashSet<>();
        for (;;) {
            if (closer == null ? kind == Kind.END : at(">") || at("}")) break;
            field(d, seen);
        }
        if (closer != null) consume(closer);
    }

    private void field(Descriptor d, Set<FieldDescriptor> seen) throws Problem, GiveUp {
        if (at("[")) throw new GiveUp(); // extensions and Any: not in config.proto
        if (kind != Kind.IDENT) throw problem("Expected identifier, got: " + text);
        String name = text;
        next();
        FieldDescriptor f = d.findFieldByName(name);
        if (f == null) throw problem("Message type \"" + d.getFullName() + "\" has no field named \"" + name + "\".");
        if (!f.isRepeated() && !seen.add(f)) {
            throw problem("Non-repeated field \"" + name + "\" is specified multiple times.");
        }
        if (f.getRealContainingOneof() != null) throw new GiveUp();
        boolean msg = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
        // The ':' is optional before a message, required before a scalar.
        if (msg) tryConsume(":");
        else consume(":");
        Value v = msg ? () -> messageValue(f) : () -> value(f);
        if (f.isRepeated() && tryConsume("[")) {
            // [a, b, ...]: the short form of a repeated field
            if (!tryConsume("]")) {
                do {
                    v.read();
                } while (tryConsume(","));
                consume("]");
            }
        } else {
            v.read();
        }
        if (!tryConsume(";")) tryConsume(",");
    }

    private interface Value {
        void read() throws Problem, GiveUp;
    }

    private void messageValue(FieldDescriptor f) throws Problem, GiveUp {
        String closer;
        if (tryConsume("<")) {
            closer = ">";
        } else {
            consume("{");
            closer = "}";
        }
        message(f.getMessageType(), closer);
    }

    private void value(FieldDescriptor f) throws Problem, GiveUp {
        switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> signed(BigInteger.valueOf(Integer.MAX_VALUE));
            case INT64, SINT64, SFIXED64 -> signed(BigInteger.valueOf(Long.MAX_VALUE));
            case UINT32, FIXED32 -> unsigned(BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE));
            case UINT64, FIXED64 -> unsigned(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
            case FLOAT, DOUBLE -> {
                tryConsume("-");
                if (kind == Kind.INT || kind == Kind.FLOAT) {
                    next();
                } else if (kind == Kind.IDENT && text.toLowerCase(java.util.Locale.ROOT).matches("inf|infinity|nan")) {
                    next();
                } else {
                    throw problem("Expected double, got: " + text);
                }
            }
            case BOOL -> {
                if (kind == Kind.INT) {
                    BigInteger v = integer();
                    if (v.compareTo(BigInteger.ONE) > 0) throw problem("Integer out of range (" + text + ")");
                    next();
                } else {
                    if (kind != Kind.IDENT) throw problem("Expected identifier, got: " + text);
                    String v = text;
                    next();
                    if (!v.matches("true|True|t|false|False|f")) {
                        throw problem("Invalid value for boolean field \"" + f.getName() + "\". Value: \"" + v + "\".");
                    }
                }
            }
            case STRING, BYTES -> {
                if (kind != Kind.STRING) throw problem("Expected string, got: " + text);
                while (kind == Kind.STRING) next();
            }
            case ENUM -> {
                if (kind == Kind.IDENT) {
                    String v = text;
                    next();
                    if (f.getEnumType().findValueByName(v) == null) {
                        throw problem("Unknown enumeration value of \"" + v + "\" for field \"" + f.getName() + "\".");
                    }
                } else if (kind == Kind.INT || at("-")) {
                    boolean neg = tryConsume("-");
                    if (kind != Kind.INT) throw problem("Expected integer, got: " + text);
                    BigInteger v = integer();
                    String shown = (neg ? "-" : "") + text;
                    next();
                    if (neg) v = v.negate();
                    EnumValueDescriptor e = v.bitLength() < 32 ? f.getEnumType().findValueByNumber(v.intValue()) : null;
                    if (e == null) {
                        throw problem("Unknown enumeration value of \"" + shown + "\" for field \"" + f.getName() + "\".");
                    }
                } else {
                    throw problem("Expected integer or identifier, got: " + text);
                }
            }
            default -> throw new GiveUp(); // GROUP, MESSAGE: handled by the caller
        }
    }

    private void signed(BigInteger max) throws Problem, GiveUp {
        boolean neg = tryConsume("-");
        if (kind != Kind.INT) throw problem("Expected integer, got: " + text);
        BigInteger v = integer();
        if (v.compareTo(neg ? max.add(BigInteger.ONE) : max) > 0) throw problem("Integer out of range (" + text + ")");
        next();
    }

    private void unsigned(BigInteger max) throws Problem, GiveUp {
        if (kind != Kind.INT) throw problem("Expected integer, got: " + text);
        if (integer().compareTo(max) > 0) throw problem("Integer out of range (" + text + ")");
        next();
    }

    /** The current INT token's value: 0x hex, leading-0 octal, or decimal, as the C++ tokenizer reads it. */
    private BigInteger integer() throws GiveUp {
        String t = text;
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) return new BigInteger(t.substring(2), 16);
            if (t.length() > 1 && t.charAt(0) == '0') return new BigInteger(t.substring(1), 8);
            return new BigInteger(t);
        } catch (NumberFormatException e) {
            throw new GiveUp(); // e.g. "09": the C++ tokenizer's "Numbers starting with leading zero must be in octal."
        }
    }
}
