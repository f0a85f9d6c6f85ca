package org.jnsjail.seccomp;

/**
 * A position in policy text, as Kafel reports it: 1-based line; column 1-based in the main text
 * (0-based on the first line of an included file, a Kafel quirk kept for message compatibility).
 * {@code file} is the include path, null for the main text.
 */
public record SourceLoc(String file, int line, int column) {
    @Override
    public String toString() {
        return (file == null ? "" : file + ":") + line + ":" + column;
    }
}
