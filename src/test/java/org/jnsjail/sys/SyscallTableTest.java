package org.jnsjail.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link Syscall} is the one table of syscall numbers, and it is right. */
class SyscallTableTest {
    private static final Path HEADER = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");

    @Test
    void numbersMatchTheKernelHeaders() throws Exception {
        if (!Files.isRegularFile(HEADER)) Assumptions.abort(HEADER + " is missing (Debian package linux-libc-dev)");
        Map<String, Long> kernel = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define __NR_(\\w+)\\s+(\\d+)").matcher(Files.readString(HEADER));
        while (m.find()) kernel.put(m.group(1), Long.parseLong(m.group(2)));
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Field f : Syscall.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !f.getName().startsWith("SYS_")) continue;
            n++;
            String name = f.getName().substring(4);
            Long want = kernel.get(name);
            long have = f.getLong(null);
            if (want == null || want != have) wrong.add(name + ": " + have + ", the kernel's: " + want);
        }
        assertTrue(n > 50, "the table has its entries");
        assertEquals(List.of(), wrong);
    }

    /** No other main source holds a syscall number: no {@code Libc.sys(42, ...)} and no NR_ or SYS_ constant of its own. */
    @Test
    void noOtherTable() throws IOException {
        Path src = Path.of(System.getProperty("user.dir"), "src/main/java");
        if (!Files.isDirectory(src)) Assumptions.abort("not run from the project directory (no src/main/java)");
        Pattern raw = Pattern.compile("\\bsys(?:call)?\\(\\s*\\d+\\s*(?:/\\*[^*]*\\*/\\s*)?,|static final long (?:NR|SYS)_\\w+\\s*=");
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (p.endsWith(Path.of("org/jnsjail/sys/Syscall.java"))) continue;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    if (raw.matcher(lines.get(i)).find()) found.add(src.relativize(p) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
