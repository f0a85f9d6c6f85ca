package org.jnsjail.args;

import java.util.ArrayList;

/**
 * A getopt_long work-alike for nsjail's option table, with glibc's rules and error messages.
 *
 * <p>Rules, as glibc applies them to nsjail's {@code "x:H:D:C:c:p:i:u:g:l:L:t:M:NdvqQeh?E:R:B:T:m:s:P:I:U:G:"}:
 * <ul>
 *   <li>Argument permutation: a word that is not an option (does not start with '-', or is a lone "-") is added to
 *       the command and scanning goes on, so {@code --chroot / /bin/echo -e hi} still takes {@code -e} as an
 *       option. With {@code POSIXLY_CORRECT} the first such word ends the options instead.</li>
 *   <li>{@code --} ends the options; the command is the non-option words seen so far followed by the rest.</li>
 *   <li>Short options cluster ({@code -Nv}); an argument is the rest of the word ({@code -t5}, {@code -Mo}) or else
 *       the next word whatever it looks like ({@code -t -1}, even {@code -t --}).</li>
 *   <li>Long options take {@code --name=value} or {@code --name value}; any unambiguous prefix works, an exact
 *       name wins over prefixes, and prefixes matching only names of one option (an option and its alias) are not
 *       ambiguous.</li>
 * </ul>
 * Parsing stops at the first error, as nsjail does.
 *
 * <p>Start-up cost matters (this runs on every start): no regex, reflection, streams or lambdas, and no {@code +}
 * string concatenation on the success path (its invokedynamic bootstrap alone costs several milliseconds); short
 * options are an array lookup and long options a linear scan of about a hundred names. Error paths may be slower.
 */
public final class Getopt {
    private Getopt() {
    }

    /**
     * Parses {@code argv} (the arguments after the program name), honouring {@code POSIXLY_CORRECT} from the
     * environment.
     */
    public static ParsedArgs parse(String[] argv) throws UsageException {
        return parse(argv, System.getenv("POSIXLY_CORRECT") != null);
    }

    /**
     * Parses {@code argv} (the arguments after the program name).
     *
     * @param posixlyCorrect stop at the first non-option word, as glibc does when {@code POSIXLY_CORRECT} is set
     *                       or the optstring starts with '+'
     */
    public static ParsedArgs parse(String[] argv, boolean posixlyCorrect) throws UsageException {
        ArrayList<ParsedOption> options = new ArrayList<>();
        ArrayList<String> command = new ArrayList<>();
        int n = argv.length;
        int i = 0;
        while (i < n) {
            String a = argv[i];
            if (a.length() < 2 || a.charAt(0) != '-') {
                // glibc: anything not starting with '-', and "-" itself, is a non-option
                if (posixlyCorrect) {
                    break;
                }
                command.add(a);
                i++;
            } else if (a.charAt(1) != '-') {
                i = shortCluster(argv, i, options);
            } else if (a.length() == 2) {
                i++; // "--": the rest is the command
                break;
            } else {
                i = longOption(argv, i, options);
            }
        }
        while (i < n) {
            command.add(argv[i++]);
        }
        return new ParsedArgs(options, command);
    }

    /** Parses the cluster {@code argv[i]} ("-abc"); returns the index of the next unread word. */
    private static int shortCluster(String[] argv, int i, ArrayList<ParsedOption> out) throws UsageException {
        String a = argv[i];
        int len = a.length();
        int p = 1;
        while (p < len) {
            int cp = a.codePointAt(p);
            p += Character.charCount(cp);
            Opt o = cp < 128 ? Opt.byShort((char) cp) : null;
            if (o == null) {
                throw new UsageException("invalid option -- '" + Character.toString(cp) + "'");
            }
            String spelled = String.valueOf(new char[] {'-', (char) cp});
            if (!o.hasArg()) {
                out.add(new ParsedOption(o, null, spelled));
                continue;
            }
            String value;
            if (p < len) {
                value = a.substring(p); // -t5, -Mo
            } else if (i + 1 < argv.length) {
                value = argv[++i]; // -t 5; taken even if it starts with '-'
            } else {
                throw new UsageException("option requires an argument -- '" + (char) cp + "'");
            }
            out.add(new ParsedOption(o, value, spelled));
            break;
        }
        return i + 1;
    }

    /** Parses the long option {@code argv[i]} ("--name[=value]"); returns the index of the next unread word. */
    private static int longOption(String[] argv, int i, ArrayList<ParsedOption> out) throws UsageException {
        String a = argv[i];
        int eq = a.indexOf('=', 2);
        int end = eq < 0 ? a.length() : eq;
        int len = end - 2;
        Opt[] all = Opt.all();

        // An exact name wins even when it is also a prefix of other names (e.g. --mount vs --mount_*).
        Opt found = null;
        String foundName = null;
        exact:
        for (Opt o : all) {
            for (String name : o.names) {
                if (name.length() == len && a.regionMatches(2, name, 0, len)) {
                    found = o;
                    foundName = name;
                    break exact;
                }
            }
        }
        if (found == null) {
            boolean ambiguous = false;
            for (Opt o : all) {
                for (String name : o.names) {
                    if (name.length() > len && a.regionMatches(2, name, 0, len)) {
                        if (found == null) {
                            found = o;
                            foundName = name;
                        } else if (o != found) {
                            ambiguous = true;
                        }
                    }
                }
            }
            if (ambiguous) {
                throw new UsageException(ambiguity(a, len, found));
            }
            if (found == null) {
                // glibc quotes the whole word, "=value" included
                throw new UsageException("unrecognized option '" + a + "'");
            }
        }

        String spelled = eq < 0 ? a : a.substring(0, end);
        String value = null;
        if (eq >= 0) {
            if (!found.hasArg()) {
                throw new UsageException("option '--" + foundName + "' doesn't allow an argument");
            }
            value = a.substring(eq + 1);
        } else if (found.hasArg()) {
            if (i + 1 >= argv.length) {
                throw new UsageException("option '--" + foundName + "' requires an argument");
            }
            value = argv[++i];
        }
        out.add(new ParsedOption(found, value, spelled));
        return i + 1;
    }

    /**
     * glibc's wording: the first prefix match plus every later match that selects a different option, in table
     * order (names that only alias the first match are not listed).
     */
    private static String ambiguity(String a, int len, Opt first) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("option '").append(a).append("' is ambiguous; possibilities:");
        boolean firstListed = false;
        for (Opt o : Opt.all()) {
            for (String name : o.names) {
                if (name.length() > len && a.regionMatches(2, name, 0, len)) {
                    if (o != first || !firstListed) {
                        sb.append(" '--").append(name).append('\'');
                        if (o == first) {
                            firstListed = true;
                        }
                    }
                }
            }
        }
        return sb.toString();
    }
}
