package org.jnsjail.cli;

/** --help: print the usage to stdout and exit 0. */
public final class HelpRequested extends Exception {
    private static final long serialVersionUID = 1L;

    public HelpRequested() {
        super("help", null, false, false);
    }
}
