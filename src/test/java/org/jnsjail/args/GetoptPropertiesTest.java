package org.jnsjail.args;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.testutil.Gen;
import org.junit.jupiter.api.Test;

/** Property-style tests over generated argv arrays (seeded, reproducible). */
class GetoptPropertiesTest {

    private static final List<String> NAMES = new ArrayList<>();

    static {
        for (Opt o : Opt.values()) {
            NAMES.addAll(o.aliases());
            NAMES.add(o.longName());
        }
    }

    /** Words that look like nsjail command lines: real names, prefixes, clusters, values and junk. */
    static String[] argv(Gen g) {
        String[] out = new String[g.between(0, 12)];
        for (int i = 0; i < out.length; i++) {
            String n = g.pick(NAMES);
            out[i] = switch (g.weighted(3, 2, 2, 3, 1, 3)) {
                case 0 -> "--" + n;
                case 1 -> "--" + n.substring(0, g.between(0, n.length()));
                case 2 -> "--" + n + "=" + g.anyString(5);
                case 3 -> "-" + g.string("xHDCcpiugLltMNdvqQeh?ERBTmsPIUGz:-=\u00e9", 4);
                case 4 -> g.pick(List.of("--", "-", "", "---"));
                default -> g.anyString(6);
            };
        }
        return out;
    }

    @Test
    void onlyUsageExceptionsEscape() {
        for (long seed = 1; seed <= 3000; seed++) {
            Gen g = new Gen(seed);
            String[] argv = argv(g);
            ParsedArgs p;
            try {
                p = Getopt.parse(argv.clone(), g.bool());
            } catch (UsageException e) {
                if (e.getMessage() == null || e.getMessage().isEmpty() || e.getMessage().indexOf('\n') >= 0) {
                    throw new AssertionError("seed " + seed + ": bad message: " + e.getMessage());
                }
                continue;
            }
            checkInvariants(argv, p);
        }
    }

    @Test
    void arbitraryStringsNeverCrash() {
        for (long seed = 1; seed <= 1000; seed++) {
            Gen g = new Gen(seed);
            String[] argv = new String[g.between(0, 10)];
            for (int i = 0; i < argv.length; i++) argv[i] = g.anyString(10);
            try {
                checkInvariants(argv, Getopt.parse(argv, g.bool()));
            } catch (UsageException expected) {
                // fine: the only permitted failure
            }
        }
    }

    /** Every argv word ends up exactly once as an option, an option value, a command word or a skipped "--". */
    private static void checkInvariants(String[] argv, ParsedArgs p) {
        for (ParsedOption o : p.options()) {
            if (o.opt() == null || o.spelledAs() == null || o.spelledAs().charAt(0) != '-') {
                throw new AssertionError("bad option " + o);
            }
            if (o.opt().hasArg() != (o.value() != null)) {
                throw new AssertionError("value presence mismatch " + o);
            }
        }
        if (p.command().size() > argv.length) {
            throw new AssertionError("command longer than argv");
        }
        // the command is a subsequence of argv
        int k = 0;
        for (String w : p.command()) {
            while (k < argv.length && !argv[k].equals(w)) {
                k++;
            }
            if (k == argv.length) {
                throw new AssertionError("command word not in argv order: " + w);
            }
            k++;
        }
    }
}
