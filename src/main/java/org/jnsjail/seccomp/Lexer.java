package org.jnsjail.seccomp;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Kafel's flex scanner, rule by rule (§1.1 of the spec): longest match with first-rule tie-break,
 * per-buffer line/column counters, lexical {@code #include} with a 16-deep cap, and the comment quirks
 * ({@code **}{@code /} does not close a comment, a lone '*' before EOF is an unexpected char).
 *
 * <p>Locations follow flex's bookkeeping: every match (whitespace included) moves the "last location",
 * which is what errors at end of input report.
 */
final class Lexer {
    static final int MAX_INCLUDE_DEPTH = 16;

    private enum State { INITIAL, COMMENT, INCLUDE }

    /** One flex buffer: the main text or an included file, with its own line/column counters. */
    private static final class Buffer {
        final String text;
        final String path;
        int pos;
        int line = 1;
        int col;

        Buffer(String text, String path, int col) {
            this.text = text;
            this.path = path;
            this.col = col;
        }
    }

    private final List<String> searchPaths;
    private final IncludeResolver resolver;
    private final Deque<Buffer> stack = new ArrayDeque<>();
    private Buffer cur;
    private State state = State.INITIAL;
    private SourceLoc last;

    Lexer(String text, List<String> searchPaths, IncludeResolver resolver) {
        this.searchPaths = searchPaths;
        this.resolver = resolver;
        this.cur = new Buffer(text, null, 1);
        this.last = new SourceLoc(null, 1, 1);
    }

    /** Location of the most recent match: where "unexpected end of file" is reported. */
    SourceLoc lastLocation() {
        return last;
    }

    Token next() throws KafelException {
        boolean whitespace = false; // flex local: reset on every yylex() call
        while (true) {
            Buffer b = cur;
            String s = b.text;
            int p = b.pos;
            int n = s.length();
            if (p >= n) {
                switch (state) {
                    case INITIAL -> {
                        if (pop()) {
                            state = State.INCLUDE;
                            continue;
                        }
                        return new Token(Tok.EOF, "", 0, last);
                    }
                    case COMMENT -> {
                        if (pop()) {
                            state = State.INCLUDE;
                            continue;
                        }
                        throw new KafelException(last, "unterminated comment");
                    }
                    case INCLUDE -> throw new KafelException(last, "unterminated include statement");
                }
            }
            char c = s.charAt(p);
            switch (state) {
                case COMMENT -> {
                    if (c == '*') {
                        if (p + 1 < n && s.charAt(p + 1) == '/') {
                            match(2);
                            state = State.INITIAL;
                        } else if (p + 1 < n) {
                            match(2); // "*"[^/] – swallows "**" so "**/" does not close
                        } else {
                            match(1);
                            throw unexpectedChar(c);
                        }
                    } else if (c == '\n') {
                        match(run(s, p, '\n'));
                        cur.col = 1;
                    } else {
                        int e = p;
                        while (e < n && s.charAt(e) != '\n' && s.charAt(e) != '*') {
                            e++;
                        }
                        match(e - p);
                    }
                }
                case INCLUDE -> {
                    if (c == ' ' || c == '\t') {
                        match(blanks(s, p) - p);
                        whitespace = true;
                    } else if (c == '\n' || c == ';') {
                        match(1);
                        state = State.INITIAL;
                    } else if (c == '"' && s.indexOf('"', p + 1) > p + 1) {
                        int close = s.indexOf('"', p + 1);
                        SourceLoc loc = match(close + 1 - p);
                        if (!whitespace) {
                            throw new KafelException(loc, "unexpected filename");
                        }
                        whitespace = false;
                        push(s.substring(p + 1, close), loc);
                        state = State.INITIAL;
                    } else {
                        match(1);
                        throw unexpectedChar(c);
                    }
                }
                case INITIAL -> {
                    Token t = scanInitial(s, p, n, c);
                    if (t != null) {
                        return t;
                    }
                }
            }
        }
    }

    private Token scanInitial(String s, int p, int n, char c) throws KafelException {
        char d = p + 1 < n ? s.charAt(p + 1) : '\0';
        if (c == '/' && d == '/') {
            int e = s.indexOf('\n', p);
            match((e < 0 ? n : e) - p);
            return null;
        }
        if (c == '/' && d == '*') {
            match(2);
            state = State.COMMENT;
            return null;
        }
        if (c == ' ' || c == '\t') {
            match(blanks(s, p) - p);
            return null;
        }
        if (c == '\n') {
            match(run(s, p, '\n'));
            cur.col = 1;
            return null;
        }
        if (isAlpha(c)) {
            int e = p + 1;
            while (e < n && (isAlpha(s.charAt(e)) || isDigit(s.charAt(e)) || s.charAt(e) == '_')) {
                e++;
            }
            String word = s.substring(p, e);
            SourceLoc loc = match(e - p);
            Tok kw = Tok.keyword(word);
            return new Token(kw == null ? Tok.IDENTIFIER : kw, word, 0, loc);
        }
        if (isDigit(c) || (c == '-' && d >= '1' && d <= '9')) {
            return number(s, p, n, c, d);
        }
        if (c == '#') {
            if (s.startsWith("#include", p)) {
                match(8);
                state = State.INCLUDE;
                return null;
            }
            return punct(Tok.HASH, 1);
        }
        Tok two = switch (c) {
            case '=' -> d == '=' ? Tok.EQ : null;
            case '!' -> d == '=' ? Tok.NEQ : null;
            case '<' -> d == '=' ? Tok.LE : null;
            case '>' -> d == '=' ? Tok.GE : null;
            case '|' -> d == '|' ? Tok.LOGIC_OR : null;
            case '&' -> d == '&' ? Tok.LOGIC_AND : null;
            default -> null;
        };
        if (two != null) {
            return punct(two, 2);
        }
        Tok one = switch (c) {
            case '<' -> Tok.LT;
            case '>' -> Tok.GT;
            case '|' -> Tok.BIT_OR;
            case '&' -> Tok.BIT_AND;
            case '[' -> Tok.LBRACKET;
            case ']' -> Tok.RBRACKET;
            case '(' -> Tok.LPAREN;
            case ')' -> Tok.RPAREN;
            case '{' -> Tok.LBRACE;
            case '}' -> Tok.RBRACE;
            case ',' -> Tok.COMMA;
            case '!' -> Tok.BANG;
            default -> null;
        };
        if (one != null) {
            return punct(one, 1);
        }
        match(1);
        throw unexpectedChar(c);
    }

    private Token punct(Tok kind, int len) {
        SourceLoc loc = match(len);
        return new Token(kind, cur.text.substring(cur.pos - len, cur.pos), 0, loc);
    }

    /** The four number rules; longest match wins, ties go to the earlier rule (hex, dec, oct, bin). */
    private Token number(String s, int p, int n, char c, char d) throws KafelException {
        int e;
        int radix;
        int digitsFrom;
        if (c == '0' && d == 'x' && p + 2 < n && isHex(s.charAt(p + 2))) {
            e = p + 2;
            while (e < n && isHex(s.charAt(e))) {
                e++;
            }
            radix = 16;
            digitsFrom = p + 2;
        } else if (c == '0' && d == 'b' && p + 2 < n && (s.charAt(p + 2) == '0' || s.charAt(p + 2) == '1')) {
            e = p + 2;
            while (e < n && (s.charAt(e) == '0' || s.charAt(e) == '1')) {
                e++;
            }
            radix = 2;
            digitsFrom = p + 2;
        } else if (c == '0' && isDigit(d)) {
            e = p + 1;
            while (e < n && isDigit(s.charAt(e))) {
                e++;
            }
            radix = 8;
            digitsFrom = p + 1;
        } else if (c == '0') {
            e = p + 1;
            radix = 10;
            digitsFrom = p;
        } else {
            e = p + (c == '-' ? 1 : 0) + 1;
            while (e < n && isDigit(s.charAt(e))) {
                e++;
            }
            radix = 10;
            digitsFrom = c == '-' ? p + 1 : p;
        }
        String lexeme = s.substring(p, e);
        SourceLoc loc = match(e - p);
        int stop = digitsFrom;
        while (stop < e && Character.digit(s.charAt(stop), radix) >= 0) {
            stop++; // strtoull stops at the first invalid digit (octal "09" is 0)
        }
        BigInteger v = stop == digitsFrom ? BigInteger.ZERO : new BigInteger(s.substring(digitsFrom, stop), radix);
        if (v.bitLength() > 64) {
            throw new KafelException(loc, "number `" + lexeme + "' out of range");
        }
        long value = v.longValue();
        if (c == '-') {
            value = -value; // strtoull negates modulo 2^64
        }
        return new Token(Tok.NUMBER, lexeme, value, loc);
    }

    private KafelException unexpectedChar(char c) {
        return new KafelException(last, "unexpected char `" + c + "'");
    }

    /** Consumes {@code len} chars of the current buffer with flex's yylineno/yycolumn bookkeeping. */
    private SourceLoc match(int len) {
        Buffer b = cur;
        String s = b.text;
        for (int i = b.pos; i < b.pos + len; i++) {
            if (s.charAt(i) == '\n') {
                b.line++;
                b.col = 0;
            }
        }
        SourceLoc loc = new SourceLoc(b.path, b.line, b.col);
        b.col += len;
        b.pos += len;
        last = loc;
        return loc;
    }

    private void push(String name, SourceLoc at) throws KafelException {
        if (stack.size() >= MAX_INCLUDE_DEPTH) {
            throw new KafelException(at, "maximum include depth (" + MAX_INCLUDE_DEPTH + ") exceeded");
        }
        for (String dir : searchPaths) {
            String path = dir + "/" + name;
            Optional<String> text = resolver.read(path);
            if (text.isPresent()) {
                stack.push(cur);
                cur = new Buffer(text.get(), path, 0);
                return;
            }
        }
        throw new KafelException(at, "could not include file `" + name + "'");
    }

    private boolean pop() {
        if (stack.isEmpty()) {
            return false;
        }
        cur = stack.pop();
        return true;
    }

    private static int blanks(String s, int p) {
        int e = p;
        while (e < s.length() && (s.charAt(e) == ' ' || s.charAt(e) == '\t')) {
            e++;
        }
        return e;
    }

    private static int run(String s, int p, char c) {
        int e = p;
        while (e < s.length() && s.charAt(e) == c) {
            e++;
        }
        return e - p;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
