package org.jnsjail.seccomp;

/**
 * Token kinds, declared in the order bison numbers Kafel's symbols (named tokens first, then
 * character literals by first use in the grammar), so "expecting A or B" lists come out in
 * Kafel's order.
 */
enum Tok {
    EOF("end of file"),
    BIT_AND("BIT_AND"), BIT_OR("BIT_OR"), LOGIC_OR("LOGIC_OR"), LOGIC_AND("LOGIC_AND"),
    IDENTIFIER("IDENTIFIER"), NUMBER("NUMBER"),
    POLICY("POLICY"), USE("USE"), DEFAULT("DEFAULT"), SYSCALL("SYSCALL"), DEFINE("DEFINE"),
    ALLOW("ALLOW"), LOG("LOG"), KILL("KILL"), KILL_PROCESS("KILL_PROCESS"), DENY("DENY"),
    ERRNO("ERRNO"), TRAP("TRAP"), TRACE("TRACE"), USER_NOTIF("USER_NOTIF"), ON("ON"),
    GT("GT"), LT("LT"), GE("GE"), LE("LE"), EQ("EQ"), NEQ("NEQ"),
    LBRACE("'{'"), RBRACE("'}'"), COMMA("','"), LPAREN("'('"), RPAREN("')'"),
    LBRACKET("'['"), RBRACKET("']'"), BANG("'!'"), HASH("'#'");

    /** Name used in bison-style messages. */
    final String display;

    Tok(String display) {
        this.display = display;
    }

    /** Keyword for an identifier-shaped lexeme (exact case), or null. */
    static Tok keyword(String s) {
        return switch (s) {
            case "SYSCALL" -> SYSCALL;
            case "ALLOW" -> ALLOW;
            case "LOG" -> LOG;
            case "USER_NOTIF" -> USER_NOTIF;
            case "ERRNO" -> ERRNO;
            case "KILL_PROCESS" -> KILL_PROCESS;
            case "KILL_THREAD", "KILL" -> KILL;
            case "DENY" -> DENY;
            case "TRAP" -> TRAP;
            case "TRACE" -> TRACE;
            case "USE" -> USE;
            case "POLICY" -> POLICY;
            case "DEFAULT" -> DEFAULT;
            case "ON" -> ON;
            case "define" -> DEFINE;
            default -> null;
        };
    }
}
