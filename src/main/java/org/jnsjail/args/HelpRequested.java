package org.jnsjail.args;

/** --help (the usage) or --version (jnsjail extension): print it to stdout and exit 0. */
public final class HelpRequested extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean version;

    public HelpRequested() {
        this(false);
    }

    HelpRequested(boolean version) {
        super("help", null, false, false);
        this.version = version;
    }

    /** What to print: the usage, or the version lines. */
    public String text() {
        return version ? Version.text() : Help.usage();
    }
}
