package org.jnsjail.log;

/**
 * User-given values inside one-line messages: quoted as nsjail quotes them, and cut when long, so that
 * a 100 KiB argument or path never floods the log; the length says how much was left out.
 */
public final class Quote {
    private Quote() {}

    /** Values longer than this many characters are cut. */
    public static final int MAX = 256;

    /** {@code 'v'}, or {@code 'first 256 characters...' (N characters)}. */
    public static String of(String v) {
        if (v == null) return "''";
        if (v.length() <= MAX) return "'" + v + "'";
        int end = Character.isHighSurrogate(v.charAt(MAX - 1)) ? MAX - 1 : MAX;
        return "'" + v.substring(0, end) + "...' (" + v.length() + " characters)";
    }

    /** The value itself, cut like {@link #of} but without quotes (for values already inside quotes or brackets). */
    public static String cut(String v) {
        if (v == null || v.length() <= MAX) return v;
        int end = Character.isHighSurrogate(v.charAt(MAX - 1)) ? MAX - 1 : MAX;
        return v.substring(0, end) + "... (" + v.length() + " characters)";
    }

    /**
     * An I/O failure as strerror words, never a Java class name: "No such file or directory",
     * "Permission denied", "Is a directory" (the file name is the caller's to add).
     */
    public static String reason(java.io.IOException e) {
        String m = switch (e) {
            case java.nio.file.NoSuchFileException x -> "No such file or directory";
            case java.nio.file.AccessDeniedException x -> "Permission denied";
            case java.nio.file.NotDirectoryException x -> "Not a directory";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage();
        };
        if (m == null || m.isBlank()) return "Input/output error";
        // java.io messages read "<path> (Reason)"; keep the reason only.
        int open = m.lastIndexOf(" (");
        if (m.endsWith(")") && open >= 0) return m.substring(open + 2, m.length() - 1);
        return m;
    }

    /**
     * An expected failure in words, for a message: strerror's for I/O (after the file, when the exception
     * names one), else its own message, cut; never a Java class name.
     */
    public static String message(Throwable t) {
        if (t instanceof java.io.UncheckedIOException u && u.getCause() != null) return message(u.getCause());
        if (t instanceof java.nio.file.FileSystemException f && f.getFile() != null) return of(f.getFile()) + ": " + reason(f);
        if (t instanceof java.io.IOException io) return reason(io);
        String m = t.getMessage();
        return m == null || m.isBlank() ? describe(t) : cut(m);
    }

    /**
     * Any failure in words, for a message: strerror words for I/O, else its message and, for a bug, where
     * in jnsjail it happened; never the Java class name of the exception.
     */
    public static String describe(Throwable t) {
        if (t instanceof java.io.IOException io) return reason(io);
        String m = t.getMessage();
        if (t instanceof OutOfMemoryError) return "out of memory" + (m != null ? " (" + m + ")" : "");
        if (t instanceof StackOverflowError) return "stack overflow";
        if (m == null || m.isBlank()) m = "unexpected failure";
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (!c.startsWith("org.jnsjail.")) continue;
            return cut(m) + " (at " + c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + ":"
                    + e.getLineNumber() + ")";
        }
        return cut(m);
    }
}
