package org.jnsjail.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnsjail.seccomp.tool.PolicyTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyToolTest {
    record Result(int status, String out, String err) {}

    static Result tool(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int st = PolicyTool.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void explainFromFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.policy");
        Files.writeString(f, "POLICY s {\n  ALLOW { write { fd == 1 } }\n}\nUSE s DEFAULT ERRNO(1)\n");
        Result r = tool("explain", "-P", f.toString(), "--arch", "x86_64", "write", "1", "0x10");
        assertEquals(0, r.status(), r.err());
        assertEquals("write@x86_64 -> ALLOW by rule at 2:11 in policy s [ret 0x7fff0000]\n", r.out());
        Result d = tool("explain", "-P", f.toString(), "write", "2");
        assertTrue(d.out().contains("ERRNO(1) by DEFAULT"), d.out());
    }

    @Test
    void dumpAndCompileFromStrings() {
        Result r = tool("dump", "--seccomp_string", "ALLOW { read }", "--seccomp_string", "DEFAULT KILL");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ld  [4] ; arch"), r.out());
        Result c = tool("compile", "--seccomp_string", "ALLOW { read }", "--arch", "x86", "--arch", "x86_64");
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().startsWith("OK: "), c.out());
    }

    @Test
    void badInputExits255WithOneLine() {
        for (String[] args : new String[][] {
            {}, {"frobnicate"}, {"dump"}, {"dump", "--seccomp_string", "ALLOW {"},
            {"explain", "--seccomp_string", "ALLOW { read }", "nosuchcall"},
            {"explain", "--seccomp_string", "ALLOW { read }", "--arch", "vax", "read"},
            {"dump", "-P", "/nonexistent/x.policy"}, {"dump", "-P"}, {"compile", "--bogus"},
            {"explain", "--seccomp_string", "ALLOW { read }", "read", "0xZZ"},
        }) {
            Result r = tool(args);
            assertEquals(255, r.status(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertEquals("Could not compile policy: 2:0: syntax error, unexpected end of file, expecting IDENTIFIER or SYSCALL or '}'\n",
                tool("dump", "--seccomp_string", "ALLOW {").err());
    }

    /**
     * Issue 17 item 4: a deny rule comparing a 32-bit argument as 64 bits (a custom argument list makes
     * Kafel compare all 64) is bypassed by setting the upper bits, which the kernel ignores; the tool
     * warns, and the compiled filter is the same with or without the warning.
     */
    @Test
    void denyRulesComparingA32BitArgumentAs64BitsGetAWarning() throws Exception {
        String bypassed = "KILL { write(fd) { fd == 2 } } DEFAULT ALLOW";
        Result r = tool("explain", "--seccomp_string", bypassed, "write", "0x100000002");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("write@x86_64 -> ALLOW by DEFAULT"), "the bypass itself: " + r.out());
        assertEquals("jnsjail-policy: 1:8: warning: KILL rule on write compares 'fd' as a 64-bit value, but the kernel reads"
                + " only its low 32 bits: a call with the upper bits set is not matched and falls through to DEFAULT ALLOW;"
                + " compare (fd & 0xffffffff) instead\n", r.err());
        // The same rule followed by an ALLOW for the call; several arches warn once.
        Result later = tool("compile", "--seccomp_string", "ERRNO(1) { write(fd) { fd == 2 } } ALLOW { write } DEFAULT KILL",
                "--arch", "x86_64", "--arch", "x86");
        assertEquals(0, later.status(), later.err());
        assertEquals(1, later.err().lines().count(), later.err());
        assertTrue(later.err().contains("falls through to ALLOW at 1:44"), later.err());
        // No warning: Kafel's own 32-bit comparison, a mask, an allow-list, a deny-list ending in a deny, a 64-bit argument.
        for (String fine : new String[] {"KILL { write { fd == 2 } } DEFAULT ALLOW",
                "KILL { write(fd) { (fd & 0xffffffff) == 2 } } DEFAULT ALLOW",
                "ALLOW { write(fd) { fd == 1 } } DEFAULT KILL",
                "ERRNO(1) { write(fd) { fd == 2 } } DEFAULT KILL",
                "KILL { mmap(a, l, p, f, fd) { fd == 3 } } DEFAULT ALLOW",
                "KILL { clone { (clone_flags & 0x10000000) != 0 } } DEFAULT ALLOW"}) {
            Result f = tool("compile", "--seccomp_string", fine);
            assertEquals(0, f.status(), fine + ": " + f.err());
            assertEquals("", f.err(), fine);
        }
        // A lint, not a change of the decisions: the compiled bytes are those of the compiler itself.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, PolicyTool.run(new String[] {"compile", "--seccomp_string", bypassed, "-o", "-"},
                new PrintStream(bytes, true), new PrintStream(new ByteArrayOutputStream(), true)));
        assertTrue(java.util.Arrays.equals(KafelCompiler.compile(bypassed).toSockFilterBytes(), bytes.toByteArray()));
    }
}
