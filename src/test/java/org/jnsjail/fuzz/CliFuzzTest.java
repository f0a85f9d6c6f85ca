package org.jnsjail.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.args.CliException;
import org.jnsjail.args.CommandLine;
import org.jnsjail.args.Getopt;
import org.jnsjail.args.HelpRequested;
import org.jnsjail.args.Opt;
import org.jnsjail.args.ParsedArgs;
import org.jnsjail.args.ParsedOption;
import org.jnsjail.args.UsageException;
import org.jnsjail.log.Log;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link CommandLine#parse}: only {@link CliException} (one line) or {@link HelpRequested} may
 * escape. An input is one argument per line. Options with side effects outside the parser
 * ({@code --log}, {@code --log_fd}) are skipped, and files read by {@code -C}/{@code --seccomp_policy}
 * must be the harness's own, so a mutation cannot make the test read /dev/zero or write anywhere.
 */
class CliFuzzTest {
    @TempDir
    Path tmp;

    private final List<String> safeFiles = new ArrayList<>();

    @Test
    void commandLineParserWithstandsHostileArguments() throws IOException {
        Path cfg = Files.writeString(tmp.resolve("a.cfg"), "name: \"x\"\nmount { dst: \"/proc\" fstype: \"proc\" }\nexec_bin { path: \"/bin/true\" }\n");
        Path json = Files.writeString(tmp.resolve("b.json"), "{\"hostname\": \"h\", \"rlimit_as\": 16}");
        Path pol = Files.writeString(tmp.resolve("p.kafel"), "ALLOW { read, write } DEFAULT KILL");
        Path bad = Files.writeString(tmp.resolve("bad.cfg"), "mount { \n");
        for (Path p : List.of(cfg, json, pol, bad)) safeFiles.add(p.toString());

        List<String> dict = new ArrayList<>();
        for (Opt o : Opt.values()) {
            dict.add("\n--" + o.longName() + "\n");
            dict.add("--" + o.longName() + "=");
            if (o.shortOpt() != '\0') dict.add("\n-" + o.shortOpt());
        }
        dict.addAll(List.of("\n--\n", "\n-\n", "\n/bin/true\n", "\n/\n", ":", "::", ",", "0x", "0", "-1",
                "4294967296", "9223372036854775808", "max", "inf", "soft", "hard", "def", "\n-Me\n", "\n-Mo\n",
                "\n-Ml\n", "nobody", "root", "65534", "0:0:1", "0:65534:1", "1000:1000:4294967295",
                "/proc:/x:proc:ro", "none:/tmp:tmpfs:size=1", "/etc", "/tmp:/tmp", "\n-C\n" + cfg + "\n",
                "\n-C\n" + json + "\n", "\n-C\n" + bad + "\n", "\n-P\n" + pol + "\n",
                "\n--seccomp_string\nALLOW { read } DEFAULT KILL\n", "\n--seccomp_string\nPOLICY a { } USE a\n",
                "CAP_SYS_ADMIN", "CAP_NET_RAW", "x86_64", "i386", "x32", "aarch64", "PATH", "A=B", "\u00e9", "\0"));

        List<byte[]> seeds = new ArrayList<>(Fuzzer.corpus("cli"));
        seeds.add(("-C\n" + cfg).getBytes(StandardCharsets.UTF_8));
        seeds.add(("-C\n" + json + "\n--\n/bin/sh").getBytes(StandardCharsets.UTF_8));
        seeds.add(("-Mo\n--seccomp_policy\n" + pol + "\n--\n/bin/true").getBytes(StandardCharsets.UTF_8));

        Log.Level before = Log.level();
        Fuzzer.Stats st;
        try {
            st = new Fuzzer("cli", 2, this::run, seeds, dict).run();
        } finally {
            Log.setLevel(before);
        }
        assertEquals(List.of(), st.findings(), st.line());
    }

    private String run(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        String[] argv = text.isEmpty() ? new String[0] : text.split("\n", -1); // one argument per line
        // Side effects the parser performs by design: skip them.
        try {
            ParsedArgs pa = Getopt.parse(argv);
            for (ParsedOption o : pa.options()) {
                switch (o.opt()) {
                    case LOG, LOG_FD -> {
                        return null;
                    }
                    case CONFIG, SECCOMP_POLICY -> {
                        if (!safeFiles.contains(o.value())) return null;
                    }
                    default -> { }
                }
            }
        } catch (UsageException e) {
            // the parser must say so too
        }
        Log.setLevel(Log.Level.FATAL); // -E warnings and the like: not interesting here
        try {
            CommandLine.parse(argv);
            return "ok";
        } catch (CliException e) {
            // arguments cannot hold \n (the separator), only \r
            String note = Fuzzer.requireOneLine("CliException", e.getMessage(),
                    String.join("", argv).getBytes(StandardCharsets.UTF_8));
            if (note != null) return note;
            return Fuzzer.signature("cli", e.getMessage());
        } catch (HelpRequested e) {
            return "help";
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new Fuzzer.Finding("CommandLine.parse threw " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }
}
