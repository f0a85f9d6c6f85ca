package org.jnsjail.seccomp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jnsjail.seccomp.Ast.ActionBlock;
import org.jnsjail.seccomp.Ast.Binary;
import org.jnsjail.seccomp.Ast.Entry;
import org.jnsjail.seccomp.Ast.Expr;
import org.jnsjail.seccomp.Ast.Filter;
import org.jnsjail.seccomp.Ast.Ident;
import org.jnsjail.seccomp.Ast.Not;
import org.jnsjail.seccomp.Ast.Num;
import org.jnsjail.seccomp.Ast.Op;
import org.jnsjail.seccomp.Ast.PolicyDef;
import org.jnsjail.seccomp.Ast.SyscallRef;
import org.jnsjail.seccomp.Ast.Use;

/**
 * Recursive-descent equivalent of Kafel's bison grammar (§1.2), including the checks Kafel makes in
 * its grammar actions (constants, policy registration, USE, DEFAULT, ERRNO range, custom args,
 * expression depth). Syntax errors read like bison's {@code parse.error verbose}: the expected list
 * is the one of the LALR state where bison, after its default reductions, detects the error, and is
 * omitted when longer than four tokens.
 */
final class Parser {
    static final int MAX_EXPRESSION_DEPTH = 200;
    static final int MAX_ARGS = 6;

    private static final Set<Tok> ACTIONS = EnumSet.of(Tok.ALLOW, Tok.LOG, Tok.KILL, Tok.KILL_PROCESS,
            Tok.DENY, Tok.ERRNO, Tok.TRAP, Tok.TRACE, Tok.USER_NOTIF);
    private static final Set<Tok> STMT_START = union(ACTIONS, EnumSet.of(Tok.USE));
    private static final Set<Tok> PROGRAM_START = union(STMT_START, EnumSet.of(Tok.HASH, Tok.POLICY, Tok.DEFAULT));
    private static final Set<Tok> PRIMARY_START = EnumSet.of(Tok.IDENTIFIER, Tok.NUMBER, Tok.LPAREN, Tok.BANG);
    private static final Set<Tok> OPERAND_START = EnumSet.of(Tok.IDENTIFIER, Tok.NUMBER, Tok.LPAREN);
    private static final Set<Tok> COMPARISONS = EnumSet.of(Tok.GT, Tok.LT, Tok.GE, Tok.LE, Tok.EQ, Tok.NEQ);
    private static final Set<Tok> VALUE_FOLLOW = union(COMPARISONS, EnumSet.of(Tok.BIT_OR));

    private final Lexer lexer;
    private Token tok;
    private final Map<String, Long> constants = new HashMap<>();
    private final Map<String, PolicyDef> policies = new LinkedHashMap<>();
    private PolicyDef main;
    private Action defaultAction;

    private Parser(Lexer lexer) {
        this.lexer = lexer;
    }

    static Ast.Program parse(Lexer lexer) throws KafelException {
        Parser p = new Parser(lexer);
        p.tok = lexer.next();
        p.program();
        return new Ast.Program(List.copyOf(p.policies.values()), p.main, p.defaultAction);
    }

    // ---------------------------------------------------------------- statements

    private void program() throws KafelException {
        boolean any = false;
        while (true) {
            switch (tok.kind()) {
                case HASH -> constDef();
                case POLICY -> policy();
                case DEFAULT -> defaultStmt();
                case USE, ALLOW, LOG, KILL, KILL_PROCESS, DENY, ERRNO, TRAP, TRACE, USER_NOTIF -> {
                    List<Entry> entries = policyStatements();
                    if (main == null) {
                        main = new PolicyDef("@main", entries.isEmpty() ? tok.loc() : null);
                        policies.put(main.name, main);
                    }
                    main.entries.addAll(entries);
                }
                case EOF -> {
                    if (!any) {
                        throw syntaxError(PROGRAM_START);
                    }
                    return;
                }
                default -> throw syntaxError(any ? EnumSet.of(Tok.EOF) : PROGRAM_START);
            }
            any = true;
        }
    }

    private void constDef() throws KafelException {
        SourceLoc at = advance().loc();
        expect(Tok.DEFINE);
        Token name = expect(Tok.IDENTIFIER);
        Token value = expect(Tok.NUMBER);
        Long old = constants.get(name.text());
        if (old != null) {
            if (old != value.number()) {
                throw new KafelException(at, "Redefinition of constant `" + name.text()
                        + "' with different value (was: " + Long.toUnsignedString(old)
                        + " is: " + Long.toUnsignedString(value.number()) + ")");
            }
        } else {
            constants.put(name.text(), value.number());
        }
    }

    private void policy() throws KafelException {
        SourceLoc at = advance().loc();
        Token name = expect(Tok.IDENTIFIER);
        expect(Tok.LBRACE);
        PolicyDef def = new PolicyDef(name.text(), at);
        if (tok.kind() == Tok.RBRACE) {
            advance();
        } else if (STMT_START.contains(tok.kind())) {
            def.entries.addAll(policyStatements());
            expect(EnumSet.of(Tok.RBRACE, Tok.COMMA), Tok.RBRACE);
        } else {
            throw syntaxError(union(STMT_START, EnumSet.of(Tok.RBRACE)));
        }
        if (policies.containsKey(def.name)) {
            throw new KafelException(at, "Redefinition of policy `" + def.name + "'");
        }
        policies.put(def.name, def);
    }

    private void defaultStmt() throws KafelException {
        SourceLoc at = advance().loc();
        Action a = action();
        if (defaultAction != null) {
            throw new KafelException(at, "Redefinition of default action");
        }
        defaultAction = a;
    }

    private List<Entry> policyStatements() throws KafelException {
        List<Entry> out = new ArrayList<>();
        out.add(policyStatement());
        while (tok.kind() == Tok.COMMA) {
            advance();
            out.add(policyStatement());
        }
        return out;
    }

    private Entry policyStatement() throws KafelException {
        if (tok.kind() == Tok.USE) {
            SourceLoc at = advance().loc();
            Token name = expect(Tok.IDENTIFIER);
            PolicyDef used = policies.get(name.text());
            if (used == null) {
                throw new KafelException(name.loc(), "Undefined policy `" + name.text() + "'");
            }
            return new Use(used, at);
        }
        if (!ACTIONS.contains(tok.kind())) {
            throw syntaxError(STMT_START);
        }
        SourceLoc at = tok.loc();
        Action action = action();
        expect(Tok.LBRACE);
        List<Filter> filters = new ArrayList<>();
        if (tok.kind() == Tok.RBRACE) {
            advance();
            return new ActionBlock(action, filters, at);
        }
        if (tok.kind() != Tok.IDENTIFIER && tok.kind() != Tok.SYSCALL) {
            throw syntaxError(EnumSet.of(Tok.IDENTIFIER, Tok.SYSCALL, Tok.RBRACE));
        }
        filters.add(filter());
        while (tok.kind() == Tok.COMMA) {
            advance();
            if (tok.kind() != Tok.IDENTIFIER && tok.kind() != Tok.SYSCALL) {
                throw syntaxError(EnumSet.of(Tok.IDENTIFIER, Tok.SYSCALL));
            }
            filters.add(filter());
        }
        expect(EnumSet.of(Tok.RBRACE, Tok.COMMA), Tok.RBRACE);
        return new ActionBlock(action, List.copyOf(filters), at);
    }

    private Action action() throws KafelException {
        Token t = tok;
        SeccompRet withData = switch (t.kind()) {
            case ALLOW -> { advance(); yield null; }
            case LOG -> { advance(); yield null; }
            case KILL, DENY -> { advance(); yield null; }
            case KILL_PROCESS -> { advance(); yield null; }
            case USER_NOTIF -> { advance(); yield null; }
            case ERRNO -> SeccompRet.ERRNO;
            case TRAP -> SeccompRet.TRAP;
            case TRACE -> SeccompRet.TRACE;
            default -> throw syntaxError(ACTIONS);
        };
        if (withData == null) {
            return switch (t.kind()) {
                case ALLOW -> Action.ALLOW;
                case LOG -> Action.LOG;
                case KILL_PROCESS -> Action.KILL_PROCESS;
                case USER_NOTIF -> Action.USER_NOTIF;
                default -> Action.KILL;
            };
        }
        advance();
        expect(Tok.LPAREN);
        Token n = expect(Tok.NUMBER);
        expect(Tok.RPAREN);
        if (Long.compareUnsigned(n.number(), 0xffff) > 0) {
            String what = switch (withData) {
                case ERRNO -> "Errno";
                case TRAP -> "Trap";
                default -> "Trace";
            };
            throw new KafelException(n.loc(), what + " value " + Long.toUnsignedString(n.number())
                    + " out of range (0-65535)");
        }
        return new Action(withData, (int) n.number());
    }

    private Filter filter() throws KafelException {
        SyscallRef ref = syscall();
        Set<Arch> archs = null;
        if (tok.kind() == Tok.ON) {
            archs = archGuard();
        }
        Expr cond = null;
        if (tok.kind() == Tok.LBRACE) {
            advance();
            if (tok.kind() == Tok.RBRACE) {
                advance();
            } else if (PRIMARY_START.contains(tok.kind())) {
                cond = boolExpr().e;
                expect(EnumSet.of(Tok.RBRACE, Tok.COMMA), Tok.RBRACE);
            } else {
                throw syntaxError(union(PRIMARY_START, EnumSet.of(Tok.RBRACE)));
            }
        }
        return new Filter(ref, archs, cond, ref.loc());
    }

    private SyscallRef syscall() throws KafelException {
        Token t = advance();
        String name = null;
        int number = 0;
        if (t.kind() == Tok.SYSCALL) {
            expect(Tok.LBRACKET);
            number = (int) expect(Tok.NUMBER).number(); // Kafel truncates to 32 bits silently
            expect(Tok.RBRACKET);
        } else {
            Long c = constants.get(t.text());
            if (c != null) {
                number = (int) c.longValue();
            } else {
                name = t.text();
            }
        }
        List<String> args = null;
        if (tok.kind() == Tok.LPAREN) {
            advance();
            args = new ArrayList<>();
            if (tok.kind() == Tok.RPAREN) {
                advance();
            } else {
                args.add(expect(EnumSet.of(Tok.IDENTIFIER, Tok.RPAREN), Tok.IDENTIFIER).text());
                while (tok.kind() == Tok.COMMA) {
                    advance();
                    Token a = expect(Tok.IDENTIFIER);
                    if (args.contains(a.text())) {
                        throw new KafelException(a.loc(), "Redefinition of argument `" + a.text() + "'");
                    }
                    if (args.size() == MAX_ARGS) {
                        throw new KafelException(a.loc(), "Too many arguments defined for syscall");
                    }
                    args.add(a.text());
                }
                expect(EnumSet.of(Tok.COMMA, Tok.RPAREN), Tok.RPAREN);
            }
            args = List.copyOf(args);
        }
        return new SyscallRef(name, number, args, t.loc());
    }

    private Set<Arch> archGuard() throws KafelException {
        advance();
        Set<Arch> out = EnumSet.noneOf(Arch.class);
        if (tok.kind() == Tok.LBRACE) {
            advance();
            addArch(out, expect(Tok.IDENTIFIER));
            while (tok.kind() == Tok.COMMA) {
                advance();
                addArch(out, expect(Tok.IDENTIFIER));
            }
            expect(EnumSet.of(Tok.RBRACE, Tok.COMMA), Tok.RBRACE);
        } else {
            addArch(out, expect(EnumSet.of(Tok.IDENTIFIER, Tok.LBRACE), Tok.IDENTIFIER));
        }
        return out;
    }

    private static void addArch(Set<Arch> out, Token t) throws KafelException {
        Arch a = Arch.byName(t.text());
        if (a == null) {
            throw new KafelException(t.loc(), "Unknown architecture `" + t.text() + "'");
        }
        if (!out.add(a)) {
            throw new KafelException(t.loc(), "Duplicate architecture `" + t.text() + "'");
        }
    }

    // ---------------------------------------------------------------- expressions

    /** An expression with the location where its syntax starts (a '(' for parenthesised ones). */
    private record P(Expr e, SourceLoc start, boolean bool) {}

    private P boolExpr() throws KafelException {
        return boolFrom(primary());
    }

    /** Continues {@code and}, {@code or} and {@code ','} chains after a first primary. */
    private P boolFrom(P first) throws KafelException {
        P e = orFrom(first);
        while (tok.kind() == Tok.COMMA) {
            advance();
            e = binary(Op.LOGIC_OR, e, orFrom(primary()), true);
        }
        return e;
    }

    private P orFrom(P first) throws KafelException {
        P e = andFrom(first);
        while (tok.kind() == Tok.LOGIC_OR) {
            advance();
            e = binary(Op.LOGIC_OR, e, andFrom(primary()), true);
        }
        return e;
    }

    private P andFrom(P first) throws KafelException {
        P e = first;
        while (tok.kind() == Tok.LOGIC_AND) {
            advance();
            e = binary(Op.LOGIC_AND, e, primary(), true);
        }
        return e;
    }

    private P primary() throws KafelException {
        switch (tok.kind()) {
            case BANG -> {
                Token bang = advance();
                P child = primary();
                if (child.e.depth() >= MAX_EXPRESSION_DEPTH) {
                    throw depthError(bang.loc());
                }
                return new P(new Not(child.e, bang.loc(), child.e.depth() + 1), bang.loc(), true);
            }
            case LPAREN -> {
                Token open = advance();
                P inner = parenInner();
                if (inner.bool) {
                    expect(EnumSet.of(Tok.COMMA, Tok.RPAREN), Tok.RPAREN);
                    return new P(inner.e, open.loc(), true);
                }
                advance(); // ')' – parenInner only returns a value when one follows
                return comparison(bitOrFrom(bitAndFrom(new P(inner.e, open.loc(), false))));
            }
            case IDENTIFIER, NUMBER -> {
                return comparison(bitOr());
            }
            default -> throw syntaxError(PRIMARY_START);
        }
    }

    /** After '(' where either {@code ( bool_expr )} or {@code ( bit_or_expr )} may follow. */
    private P parenInner() throws KafelException {
        switch (tok.kind()) {
            case BANG -> {
                return boolFrom(primary());
            }
            case LPAREN -> {
                Token open = advance();
                P inner = parenInner();
                if (inner.bool) {
                    expect(EnumSet.of(Tok.COMMA, Tok.RPAREN), Tok.RPAREN);
                    return boolFrom(new P(inner.e, open.loc(), true));
                }
                advance();
                return valueOrComparison(bitOrFrom(bitAndFrom(new P(inner.e, open.loc(), false))));
            }
            case IDENTIFIER, NUMBER -> {
                return valueOrComparison(bitOr());
            }
            default -> throw syntaxError(PRIMARY_START);
        }
    }

    private P valueOrComparison(P value) throws KafelException {
        if (COMPARISONS.contains(tok.kind())) {
            return boolFrom(comparison(value));
        }
        if (tok.kind() == Tok.RPAREN) {
            return value;
        }
        throw syntaxError(union(VALUE_FOLLOW, EnumSet.of(Tok.RPAREN)));
    }

    private P comparison(P left) throws KafelException {
        Op op = switch (tok.kind()) {
            case EQ -> Op.EQ;
            case NEQ -> Op.NEQ;
            case LT -> Op.LT;
            case LE -> Op.LE;
            case GT -> Op.GT;
            case GE -> Op.GE;
            default -> throw syntaxError(VALUE_FOLLOW);
        };
        advance();
        return binary(op, left, bitOr(), true);
    }

    private P bitOr() throws KafelException {
        return bitOrFrom(bitAndFrom(operand()));
    }

    private P bitOrFrom(P first) throws KafelException {
        P e = first;
        while (tok.kind() == Tok.BIT_OR) {
            advance();
            e = binary(Op.BIT_OR, e, bitAndFrom(operand()), false);
        }
        return e;
    }

    private P bitAndFrom(P first) throws KafelException {
        P e = first;
        while (tok.kind() == Tok.BIT_AND) {
            advance();
            e = binary(Op.BIT_AND, e, operand(), false);
        }
        return e;
    }

    private P operand() throws KafelException {
        Token t = tok;
        switch (t.kind()) {
            case NUMBER -> {
                advance();
                return new P(new Num(t.number(), t.loc()), t.loc(), false);
            }
            case IDENTIFIER -> {
                advance();
                Long c = constants.get(t.text()); // constants shadow argument names
                Expr e = c != null ? new Num(c, t.loc()) : new Ident(t.text(), t.loc());
                return new P(e, t.loc(), false);
            }
            case LPAREN -> {
                advance();
                P inner = bitOr();
                expect(EnumSet.of(Tok.BIT_OR, Tok.RPAREN), Tok.RPAREN);
                return new P(inner.e, t.loc(), false);
            }
            default -> throw syntaxError(OPERAND_START);
        }
    }

    private P binary(Op op, P left, P right, boolean bool) throws KafelException {
        if (left.e.depth() >= MAX_EXPRESSION_DEPTH || right.e.depth() >= MAX_EXPRESSION_DEPTH) {
            throw depthError(left.start);
        }
        int depth = 1 + Math.max(left.e.depth(), right.e.depth());
        return new P(new Binary(op, left.e, right.e, left.start, depth), left.start, bool);
    }

    private static KafelException depthError(SourceLoc at) {
        return new KafelException(at, "Max expression depth (" + MAX_EXPRESSION_DEPTH + ") exceeded");
    }

    // ---------------------------------------------------------------- tokens

    private Token advance() throws KafelException {
        Token t = tok;
        tok = lexer.next();
        return t;
    }

    private Token expect(Tok kind) throws KafelException {
        return expect(EnumSet.of(kind), kind);
    }

    /** Consumes a {@code kind} token; otherwise reports the state's {@code expected} set. */
    private Token expect(Set<Tok> expected, Tok kind) throws KafelException {
        if (tok.kind() != kind) {
            throw syntaxError(expected);
        }
        return advance();
    }

    private KafelException syntaxError(Set<Tok> expected) {
        StringBuilder sb = new StringBuilder("syntax error, unexpected ").append(tok.kind().display);
        if (expected.size() <= 4) {
            String sep = ", expecting ";
            for (Tok t : EnumSet.copyOf(expected)) {
                sb.append(sep).append(t.display);
                sep = " or ";
            }
        }
        return KafelException.syntax(tok.loc(), sb.toString());
    }

    private static Set<Tok> union(Set<Tok> a, Set<Tok> b) {
        Set<Tok> s = EnumSet.copyOf(a);
        s.addAll(b);
        return s;
    }
}
