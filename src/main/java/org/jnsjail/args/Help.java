package org.jnsjail.args;

/**
 * The {@code --help} text, built from {@link Opt} in nsjail's layout.
 *
 * <p>Layout (as nsjail prints it, minus nsjail's trailing blanks and ANSI bold): a usage line, {@code Options:},
 * then per option a header {@code " --long|-s ARG"} (no {@code |-s} without a short letter, no {@code ARG} without
 * an argument; nsjail prints the word VALUE where we print the argument's name), its help text with every line
 * indented by a tab and word-wrapped before column 80 (a tab counts 8), and a blank line. Aliases follow their
 * option. Then an examples section.
 */
public final class Help {
    private static final int WRAP = 80;
    private static final int TAB_WIDTH = 8;

    private Help() {
    }

    /** The usage text for program name {@code nsjail}. */
    public static String usage() {
        return usage("nsjail");
    }

    /** The usage text; nsjail puts its argv[0] into the first line. */
    public static String usage(String programName) {
        StringBuilder sb = new StringBuilder(24 * 1024);
        sb.append("Usage: ").append(programName).append(" [options] -- path_to_command [args]\n");
        sb.append("Options:\n");
        for (Opt o : Opt.all()) {
            appendOption(sb, o.longName(), o.shortOpt(), o.argName(), o.help());
            for (int k = 1; k < o.names.length; k++) {
                appendOption(sb, o.names[k], '\0', o.argName(), "Alias of --" + o.longName());
            }
        }
        // nsjail leaves two blank lines before this section
        sb.append("\n Examples:\n");
        sb.append(" Listen on TCP port 31337 and start /bin/sh for every connection\n");
        sb.append("  ").append(programName).append(" -Ml --port 31337 --chroot / -- /bin/sh -i\n");
        sb.append(" Run the echo command as a child process, starting it again whenever it exits\n");
        sb.append("  ").append(programName).append(" -Mr --chroot / -- /bin/echo \"ABC\"\n");
        sb.append(" Run the echo command once, as a child process\n");
        sb.append("  ").append(programName).append(" -Mo --chroot / -- /bin/echo \"ABC\"\n");
        sb.append(" Execute the echo command in place, with no supervising process\n");
        sb.append("  ").append(programName).append(" -Me --chroot / --disable_proc -- /bin/echo \"ABC\"\n");
        sb.append("\n jnsjail's resident server (a warm JVM for your -Mo runs; see README.md):\n");
        sb.append("  ").append(programName).append(" --server start [--server_idle_timeout SECONDS]\n");
        sb.append("  ").append(programName).append(" --server status\n");
        sb.append("  ").append(programName).append(" --server stop\n");
        sb.append("\tWhile it runs, ./nsjail hands each command line to it; what it cannot\n");
        sb.append("\trun exactly as a cold run would (other modes, --daemon, a client in\n");
        sb.append("\tother namespaces, ...) runs cold, as always. It stops after SECONDS\n");
        sb.append("\twithout a request (default: 3600; 0: never). --server_dir DIR\n");
        sb.append("\t(absolute) puts it elsewhere than /run/jnsjail (root) or\n");
        sb.append("\t$XDG_RUNTIME_DIR/jnsjail; ./nsjail finds it only in the default place.\n");
        return sb.toString();
    }

    private static void appendOption(StringBuilder sb, String name, char shortOpt, String argName, String help) {
        sb.append(" --").append(name);
        if (shortOpt != 0) {
            sb.append("|-").append(shortOpt);
        }
        if (argName != null) {
            sb.append(' ').append(argName);
        }
        sb.append('\n');
        int start = 0;
        while (true) {
            int nl = help.indexOf('\n', start);
            int stop = nl < 0 ? help.length() : nl;
            appendWrapped(sb, "\t" + help.substring(start, stop));
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
        sb.append('\n');
    }

    /**
     * Greedy word wrap on single spaces. A word that would reach column {@value #WRAP} starts a new line, indented
     * like the line's own leading blanks, so "\t\tfoo" wraps under "foo".
     */
    static void appendWrapped(StringBuilder sb, String line) {
        int indentEnd = 0;
        while (indentEnd < line.length() && (line.charAt(indentEnd) == ' ' || line.charAt(indentEnd) == '\t')) {
            indentEnd++;
        }
        String indent = line.substring(0, indentEnd);
        int indentWidth = width(indent, 0, indent.length());
        int cursor = 0;
        int pos = 0;
        while (pos <= line.length()) {
            int sp = line.indexOf(' ', pos);
            int wEnd = sp < 0 ? line.length() : sp;
            int wWidth = width(line, pos, wEnd);
            if (cursor == 0) {
                sb.append(line, pos, wEnd);
                cursor = wWidth;
            } else if (cursor + 1 + wWidth >= WRAP) {
                sb.append('\n').append(indent).append(line, pos, wEnd);
                cursor = indentWidth + wWidth;
            } else {
                sb.append(' ').append(line, pos, wEnd);
                cursor += 1 + wWidth;
            }
            if (sp < 0) {
                break;
            }
            pos = sp + 1;
        }
        sb.append('\n');
    }

    private static int width(String s, int from, int to) {
        int w = 0;
        for (int k = from; k < to; k++) {
            w += s.charAt(k) == '\t' ? TAB_WIDTH : 1;
        }
        return w;
    }
}
