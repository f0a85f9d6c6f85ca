package org.jnsjail.args;

import java.util.List;

/**
 * The result of {@link Getopt#parse}: the options in command-line order and the command to run.
 *
 * @param options the options in the order given
 * @param command the non-option words (in order) followed by everything after {@code --}; may be empty
 */
public record ParsedArgs(List<ParsedOption> options, List<String> command) {
    public ParsedArgs {
        options = List.copyOf(options);
        command = List.copyOf(command);
    }
}
