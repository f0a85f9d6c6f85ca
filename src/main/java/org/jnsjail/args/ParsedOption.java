package org.jnsjail.args;

/**
 * One option occurrence, in command-line order.
 *
 * @param opt       the option (an alias such as {@code --iface} resolves to its target)
 * @param value     the argument, or {@code null} if the option takes none
 * @param spelledAs the option as the user wrote it, without any {@code =value}: {@code "--chro"}, {@code "--iface"},
 *                  {@code "-c"}; for error messages
 */
public record ParsedOption(Opt opt, String value, String spelledAs) {

    /**
     * True for {@code -?}. nsjail's getopt string accepts it, but nsjail then prints the usage as an error and exits
     * 255 instead of 0 as for {@code -h}/{@code --help}; the caller decides.
     */
    public boolean isQuestionMark() {
        return spelledAs.length() == 2 && spelledAs.charAt(1) == '?';
    }
}
