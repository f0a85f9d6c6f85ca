package org.jnsjail.cli;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class GetoptPropertiesTest {

    /** Words that look like nsjail command lines: real names, prefixes, clusters, values and junk. */
    @Provide
    Arbitrary<String[]> argvs() {
        List<String> names = new ArrayList<>();
        for (Opt o : Opt.values()) {
            names.addAll(o.aliases());
            names.add(o.longName());
        }
        Arbitrary<String> longName = Arbitraries.of(names);
        Arbitrary<String> longOpt = longName.map(n -> "--" + n);
        Arbitrary<String> longPrefix = longName.flatMap(n -> Arbitraries.integers().between(0, n.length())
                .map(k -> "--" + n.substring(0, k)));
        Arbitrary<String> longWithValue = longName.flatMap(n -> Arbitraries.strings().ofMaxLength(5)
                .map(v -> "--" + n + "=" + v));
        Arbitrary<String> cluster = Arbitraries.strings()
                .withChars("xHDCcpiugLltMNdvqQeh?ERBTmsPIUGz:-=\u00e9").ofMinLength(0).ofMaxLength(4)
                .map(s -> "-" + s);
        Arbitrary<String> junk = Arbitraries.strings().all().ofMaxLength(6);
        Arbitrary<String> word = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, longOpt), net.jqwik.api.Tuple.of(2, longPrefix),
                net.jqwik.api.Tuple.of(2, longWithValue), net.jqwik.api.Tuple.of(3, cluster),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("--", "-", "", "---")), net.jqwik.api.Tuple.of(3, junk));
        return word.array(String[].class).ofMaxSize(12);
    }

    @Property(tries = 3000)
    void onlyUsageExceptionsEscape(@ForAll("argvs") String[] argv, @ForAll boolean posixlyCorrect) {
        ParsedArgs p;
        try {
            p = Getopt.parse(argv.clone(), posixlyCorrect);
        } catch (UsageException e) {
            if (e.getMessage() == null || e.getMessage().isEmpty() || e.getMessage().indexOf('\n') >= 0) {
                throw new AssertionError("bad message: " + e.getMessage());
            }
            return;
        }
        checkInvariants(argv, p);
    }

    @Property(tries = 1000)
    void arbitraryStringsNeverCrash(@ForAll("junkArgv") String[] argv, @ForAll boolean posixlyCorrect) {
        try {
            checkInvariants(argv, Getopt.parse(argv, posixlyCorrect));
        } catch (UsageException expected) {
            // fine: the only permitted failure
        }
    }

    @Provide
    Arbitrary<String[]> junkArgv() {
        return Arbitraries.strings().all().ofMaxLength(10).array(String[].class).ofMaxSize(10);
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
