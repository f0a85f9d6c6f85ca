package org.jnsjail.args;

/** A bad command line or value: the message is the one line to log; exit 255. */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean showUsage;

    public CliException(String message, boolean showUsage) {
        super(message, null, false, false);
        this.showUsage = showUsage;
    }

    /** nsjail prints the usage for getopt errors and a missing command. */
    public boolean showUsage() {
        return showUsage;
    }
}
