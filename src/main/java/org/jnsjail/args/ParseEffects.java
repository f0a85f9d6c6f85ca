package org.jnsjail.args;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.log.Log;

/**
 * What reading a command line or a config does beyond describing the run: the logging options
 * (-l, -L, -v, -q, -Q, log_* fields) and the lines parsing logs (warnings about ignored values, a
 * debug note). nsjail applies them while it parses, so that later lines already go where an earlier
 * -l said: the CLI does the same ({@link #applied()}). A library caller must see no such side effect:
 * {@link #collected()} keeps the lines and leaves logging alone.
 */
public final class ParseEffects {
    private final boolean apply;
    private final List<String> warnings;

    private ParseEffects(boolean apply) {
        this.apply = apply;
        this.warnings = apply ? null : new ArrayList<>();
    }

    /** Effects applied at once, in command-line order, to this process's log (the CLI). */
    public static ParseEffects applied() {
        return new ParseEffects(true);
    }

    /** Effects kept: logging is not changed, warnings are collected ({@link #warnings()}). */
    public static ParseEffects collected() {
        return new ParseEffects(false);
    }

    void logToFile(String path) {
        if (apply) Log.toFile(path);
    }

    void logToFd(int fd) {
        if (apply) Log.toFd(fd);
    }

    void logLevel(Log.Level level) {
        if (apply) Log.setLevel(level);
    }

    void warn(String line) {
        if (apply) Log.warn(line);
        else warnings.add(line);
    }

    void debug(String line) {
        if (apply) Log.debug(line);
    }

    /** The warnings parsing gave, in order (empty for {@link #applied()}, which logged them). */
    public List<String> warnings() {
        return warnings == null ? List.of() : List.copyOf(warnings);
    }
}
