package org.jnsjail.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.seccomp.KafelOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link KafelCompiler#compile}: only {@link KafelException} with a one-line message may escape.
 * Every fourth input is compiled for x86_64 and x86 (i386) together. There are no include search paths, so
 * {@code #include} cannot read files. Seeds: the corpus and the policies of the conformance cases.
 */
class KafelFuzzTest {

    private int n;

    @Test
    void kafelCompilerWithstandsHostilePolicies() throws IOException {
        List<byte[]> seeds = new ArrayList<>(Fuzzer.corpus("kafel"));
        for (String f : List.of("samples.jsonl", "asserted.jsonl")) {
            Path p = Path.of("src/test/resources/org/jnsjail/seccomp/cases", f);
            if (!Files.exists(p)) continue;
            int taken = 0;
            for (String line : Files.readAllLines(p)) {
                String policy = policyOf(line);
                if (policy != null && taken++ < 150) seeds.add(policy.getBytes(StandardCharsets.UTF_8));
            }
        }
        List<String> dict = List.of("POLICY ", "USE ", "DEFAULT ", "ALLOW", "KILL", "KILL_PROCESS", "DENY", "LOG",
                "USER_NOTIF", "TRAP(", "ERRNO(", "TRACE(", "{", "}", "(", ")", ",", ";", "&&", "||", "!", "==", "!=",
                "<", "<=", ">", ">=", "&", "|", "#define ", "#include ", "\"x.policy\"", "SYSCALL[", "]", "0x",
                "0xffffffffffffffff", "18446744073709551616", "-1", "0", "077", "08", "read", "write", "open",
                "execve", "ptrace", "mmap", "clone", "socket", "fd", "buf", "count", "flags", "/*", "*/", "//", "\n",
                "(((((((((((((((((((((((((((((((", "!!!!!!!!!!!!!!!!!!!!!!!!", "a0", "arg0", "\u00e9", "\u0000");
        Fuzzer.Stats st = new Fuzzer("kafel", 2, this::run, seeds, dict).run();
        assertEquals(List.of(), st.findings(), st.line());
    }

    private String run(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        KafelOptions opts = n++ % 4 == 3 ? KafelOptions.defaults().withTargets(Arch.X86_64, Arch.X86)
                : KafelOptions.defaults();
        try {
            KafelCompiler.compile(text, opts);
            return "ok";
        } catch (KafelException e) {
            String note = Fuzzer.requireOneLine("KafelException", e.getMessage(), input);
            if (note != null) return note;
            return Fuzzer.signature("kafel", e.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new Fuzzer.Finding("KafelCompiler.compile threw " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** The "policy" string of a case line (a JSON string, read by hand: no regex recursion on long lines). */
    static String policyOf(String line) {
        int at = line.indexOf("\"policy\": \"");
        if (at < 0) return null;
        int from = at + "\"policy\": \"".length(), i = from;
        while (i < line.length() && line.charAt(i) != '"') i += line.charAt(i) == '\\' ? 2 : 1;
        return i < line.length() ? unescape(line.substring(from, i)) : null;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }
}
