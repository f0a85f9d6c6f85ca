package org.jnsjail.seccomp;

/**
 * A policy that does not compile. {@link #getMessage()} is formatted like Kafel's error text,
 * {@code line:column: message} (what nsjail prints after "Could not compile policy: "); errors
 * found during code generation have no position, as in Kafel.
 */
public final class KafelException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient SourceLoc loc;
    private final String detail;

    KafelException(SourceLoc loc, String detail) {
        super(format(loc, detail, false));
        this.loc = loc;
        this.detail = detail;
    }

    /** Syntax errors inside included files carry the file name, like bison's yyerror in Kafel. */
    static KafelException syntax(SourceLoc loc, String detail) {
        return new KafelException(loc, detail, true);
    }

    private KafelException(SourceLoc loc, String detail, boolean withFile) {
        super(format(loc, detail, withFile));
        this.loc = loc;
        this.detail = detail;
    }

    private static String format(SourceLoc loc, String detail, boolean withFile) {
        if (loc == null) {
            return detail;
        }
        String pos = loc.line() + ":" + loc.column() + ": ";
        return (withFile && loc.file() != null ? loc.file() + ":" : "") + pos + detail;
    }

    /** Where the error is, or null for code-generation errors. */
    public SourceLoc location() {
        return loc;
    }

    /** The message without the position prefix. */
    public String detail() {
        return detail;
    }
}
