package org.jnsjail.server;

import java.util.List;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailSpec;

/**
 * What the server does with a client's command line, supplied by the CLI (org.jnsjail.cli sits
 * above this package): parse it as a cold run would, logging to the log bound to the calling thread.
 */
public interface Handler {
    /** Never throws: every outcome is a {@link Parsed}. */
    Parsed parse(List<String> argv, Caller caller);

    /** What a command line turned out to be. */
    sealed interface Parsed {
        /** The server cannot run it as a cold run would (another mode, --daemon, ...): why. */
        record Cold(String why) implements Parsed {}

        /** Done while parsing (--help, a bad option): what goes to stdout, and the exit status. */
        record Done(String stdout, int status) implements Parsed {}

        /**
         * A -Mo jail; the summary is already logged. {@code statusFile} / {@code statusFd}: where its
         * outcome goes (--status_file, --status_fd as the client numbers it), or null / -1.
         */
        record Once(JailSpec spec, boolean forwardSignals, String statusFile, int statusFd) implements Parsed {
            public Once(JailSpec spec, boolean forwardSignals) {
                this(spec, forwardSignals, null, -1);
            }
        }
    }
}
