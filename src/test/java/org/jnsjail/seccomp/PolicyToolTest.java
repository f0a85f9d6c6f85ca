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
}
