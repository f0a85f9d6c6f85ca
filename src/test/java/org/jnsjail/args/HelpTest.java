package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HelpTest {
    private static final String USAGE = Help.usage();

    @Test
    void headerAndExamples() {
        assertTrue(USAGE.startsWith("Usage: nsjail [options] -- path_to_command [args]\nOptions:\n --help|-h\n\t"));
        assertTrue(USAGE.contains("\n Examples:\n"));
        assertTrue(USAGE.contains("\n  nsjail -Ml --port 31337 --chroot / -- /bin/sh -i\n"));
        assertTrue(USAGE.contains("\n  nsjail -Mr --chroot / -- /bin/echo \"ABC\"\n"));
        assertTrue(USAGE.contains("\n  nsjail -Mo --chroot / -- /bin/echo \"ABC\"\n"));
        assertTrue(USAGE.contains("\n  nsjail -Me --chroot / --disable_proc -- /bin/echo \"ABC\"\n"));
        assertTrue(Help.usage("/usr/bin/jnsjail").startsWith("Usage: /usr/bin/jnsjail [options]"));
    }

    @Test
    void everyOptionAndAliasIsListed() {
        for (Opt o : Opt.values()) {
            String header = "\n --" + o.longName() + (o.shortOpt() != 0 ? "|-" + o.shortOpt() : "")
                    + (o.hasArg() ? " " + o.argName() : "") + "\n\t";
            assertTrue(USAGE.contains(header), header);
            for (String a : o.aliases()) {
                String alias = "\n --" + a + (o.hasArg() ? " " + o.argName() : "") + "\n\tAlias of --"
                        + o.longName() + "\n\n";
                assertTrue(USAGE.contains(alias), alias);
            }
        }
    }

    @Test
    void defaultsAppear() {
        assertTrue(USAGE.contains("(default: 600)"));
        assertTrue(USAGE.contains("(default: 4096)"));
        assertTrue(USAGE.contains("(default: 'NSJAIL')"));
        assertTrue(USAGE.contains("(default: 4194304)"));
        assertTrue(USAGE.contains("[MODE_STANDALONE_RERUN]"));
    }

    @Test
    void linesAreWrappedBefore80Columns() {
        for (String line : USAGE.split("\n", -1)) {
            int w = 0;
            for (int k = 0; k < line.length(); k++) {
                w += line.charAt(k) == '\t' ? 8 : 1;
            }
            assertTrue(w < 80 || line.indexOf(' ', 1) < 0, "too long: " + line);
            assertFalse(line.endsWith(" "), "trailing blank: [" + line + "]");
        }
    }

    @Test
    void wrapKeepsTheLineIndent() {
        StringBuilder sb = new StringBuilder();
        Help.appendWrapped(sb, "\t\t" + "word ".repeat(30).trim());
        String[] lines = sb.toString().split("\n");
        assertTrue(lines.length > 1);
        for (String l : lines) {
            assertTrue(l.startsWith("\t\tword"), l);
        }
        sb.setLength(0);
        Help.appendWrapped(sb, "\t  l: x");
        assertEquals("\t  l: x\n", sb.toString());
    }
}
