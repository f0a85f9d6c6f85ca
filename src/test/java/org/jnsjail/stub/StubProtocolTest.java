package org.jnsjail.stub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java side of the exec stub's protocol against the C side: exec_stub.c is parsed (its op enum,
 * its shape table, its #defines and the report kinds it writes) and compared with {@link OpCode},
 * {@link Op}, {@link Plan}, {@link Report}, {@link Control} and {@link ResidentStub}. Each typed
 * {@link Step} encodes within its code's shape.
 */
class StubProtocolTest {
    private static String c;
    private static Map<String, Long> defines;

    @BeforeAll
    static void readTheStub() throws IOException {
        Path p = Path.of(System.getProperty("user.dir"), "src/main/c/exec_stub.c");
        if (!Files.isRegularFile(p)) Assumptions.abort("not run from the project directory (no " + p + ")");
        c = Files.readString(p).replaceAll("(?s)/\\*.*?\\*/", " ");
        defines = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+\\(?(0x[0-9a-fA-F]+|\\d+)u?(?:\\s*<<\\s*(\\d+))?u?\\)?")
                .matcher(c);
        while (m.find()) {
            long v = Long.decode(m.group(2));
            if (m.group(3) != null) v <<= Integer.parseInt(m.group(3));
            defines.put(m.group(1), v);
        }
    }

    /** The op enum: OP_X = code, in order, ending with OP_CODE_END. */
    static Map<String, Integer> cCodes() {
        Matcher m = Pattern.compile("(?s)enum\\s*\\{\\s*(OP_CLONE\\s*=\\s*1.*?)OP_CODE_END").matcher(c);
        assertTrue(m.find(), "exec_stub.c's op enum");
        Map<String, Integer> out = new LinkedHashMap<>();
        int code = 1;
        for (String e : m.group(1).split(",")) {
            String name = e.strip().replaceAll("\\s*=\\s*1$", "");
            if (name.isEmpty()) continue;
            out.put(name, code++);
        }
        return out;
    }

    private long value(String token) {
        token = token.strip();
        if (token.matches("\\d+")) return Long.parseLong(token);
        Long v = defines.get(token);
        assertTrue(v != null, "exec_stub.c defines " + token);
        return v;
    }

    @Test
    void opCodesMatch() {
        Map<String, Integer> codes = cCodes();
        List<String> java = new ArrayList<>();
        for (OpCode o : OpCode.values()) java.add("OP_" + o.name() + "=" + o.wire());
        List<String> cside = new ArrayList<>();
        codes.forEach((k, v) -> cside.add(k + "=" + v));
        assertEquals(cside, java);
    }

    @Test
    void shapesMatch() {
        Map<String, long[]> shape = new HashMap<>();
        Matcher m = Pattern.compile("\\[(OP_\\w+)\\]\\s*=\\s*\\{([^{}]*)\\}").matcher(c);
        while (m.find()) {
            String[] v = m.group(2).split(",");
            assertEquals(4, v.length, m.group());
            shape.put(m.group(1), new long[] {value(v[0]), value(v[1]), value(v[2]), value(v[3])});
        }
        List<String> diffs = new ArrayList<>();
        for (OpCode o : OpCode.values()) {
            long[] s = shape.getOrDefault("OP_" + o.name(), new long[4]);
            long[] j = {o.minInts, o.maxInts, o.minStrs, o.maxStrs};
            if (!java.util.Arrays.equals(s, j)) {
                diffs.add(o + ": C " + java.util.Arrays.toString(s) + ", Java " + java.util.Arrays.toString(j));
            }
            assertEquals(o.name().startsWith("RETIRED_"), o.retired(), o.name());
        }
        assertEquals(List.of(), diffs);
        assertEquals(OpCode.Limits.MAX_INTS, value("OP_MAX_INTS"));
        assertEquals(OpCode.Limits.MAX_STRS, value("OP_MAX_STRS"));
    }

    @Test
    void constantsMatch() {
        assertEquals(Plan.MAGIC, value("PLAN_MAGIC"));
        assertEquals(Plan.VERSION, value("PLAN_VERSION"));
        assertEquals(ResidentStub.REQ_MAGIC, value("REQ_MAGIC"));
        assertEquals(ResidentStub.MAX_FDS, value("REQ_MAX_FDS"));
        assertEquals(Control.FDS_PER_RECORD, value("RECV_MAX_PER_MSG"));
        assertEquals(Op.WARN, value("F_WARN"));
        assertEquals(Op.IGNORE, value("F_IGNORE"));
        assertEquals(Op.EXIST_OK, value("F_EXIST_OK"));
        assertEquals(Op.CHAINED, value("F_CHAINED"));
        assertEquals(Op.IF_FILLED, value("F_IF_FILLED"));
        assertTrue(c.contains("rec[0] != '" + (char) Control.GIVE + "'"), "RECV_FDS takes '" + (char) Control.GIVE + "' records");
        assertTrue(c.contains("c == '" + (char) Control.GO + "'"), "WAIT_GO waits for '" + (char) Control.GO + "'");
    }

    @Test
    void reportKindsMatch() {
        Set<Character> cKinds = new TreeSet<>();
        Matcher m = Pattern.compile("(?:report\\(|uint32_t rec\\[4\\] = \\{)'(.)'").matcher(c);
        while (m.find()) cKinds.add(m.group(1).charAt(0));
        Set<Character> java = new TreeSet<>();
        for (int k : new int[] {Report.PID, Report.CHILD, Report.FAILED, Report.WARNED, Report.FDS, Report.READY}) {
            java.add((char) k);
        }
        assertEquals(java, cKinds);
        assertEquals(new Report.Pid(42), Report.decode('P', 0, 42, 7, new int[0]));
        assertEquals(new Report.Child(7), Report.decode('C', 0, 0, 7, new int[0]));
        assertEquals(new Report.Failed(3, 2), Report.decode('E', 3, 2, 7, new int[0]));
        assertEquals(new Report.Ready(9, 4), Report.decode('R', 9, 4, 7, new int[0]));
        assertTrue(Report.decode('?', 0, 0, 0, new int[0]) instanceof Report.Unknown);
    }

    /** Every live code has one typed step, and a step with the least arguments it can have still fits its shape. */
    @Test
    void everyStepEncodesWithinItsShape() throws Exception {
        Set<OpCode> covered = EnumSet.noneOf(OpCode.class);
        for (Class<?> k : Step.class.getPermittedSubclasses()) {
            if (k == Step.Raw.class) continue;
            Step s = sample(k);
            assertTrue(covered.add(s.code()), "two steps for " + s.code());
            Op.Encoded e = Op.of("x", s).encoded();
            assertTrue(s.code().fits(e.ints().length, e.strs.size()), k.getSimpleName() + " encodes "
                    + e.ints().length + " ints and " + e.strs.size() + " strings");
        }
        Set<OpCode> live = EnumSet.noneOf(OpCode.class);
        for (OpCode o : OpCode.values()) if (!o.retired()) live.add(o);
        assertEquals(live, covered);
    }

    /** A step with zeros, empty strings and one-element arrays and lists. */
    private static Step sample(Class<?> k) throws Exception {
        RecordComponent[] rc = k.getRecordComponents();
        Class<?>[] types = new Class<?>[rc.length];
        Object[] args = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            Class<?> t = rc[i].getType();
            types[i] = t;
            args[i] = t == int.class ? (Object) 0 : t == long.class ? (Object) 0L : t == String.class ? ""
                    : t == byte[].class ? new byte[8] : t == int[].class ? new int[1] : t == long[].class ? new long[1]
                    : t == HandOver.class ? HandOver.USER_NET : t == List.class ? List.of() : null;
            assertTrue(args[i] != null, k + ": " + t);
        }
        Constructor<?> ctor = k.getDeclaredConstructor(types);
        return (Step) ctor.newInstance(args);
    }

    /** The wire form of a plan: header, then each op as exec_stub.c's load_plan reads it. */
    @Test
    void planEncodesAsTheStubReadsIt() {
        Plan p = new Plan(List.of(Op.of("go", new Step.WaitGo()).withFlags(Op.WARN),
                Op.of("mkdir", new Step.MkdirAt(3, "d", 0700))), List.of());
        ByteBuffer b = ByteBuffer.wrap(p.encode()).order(ByteOrder.nativeOrder());
        assertEquals(Plan.MAGIC, b.getInt());
        assertEquals(Plan.VERSION, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(b.capacity() - 16, b.getInt());
        assertEquals(OpCode.WAIT_GO.wire(), b.getInt());
        assertEquals(Op.WARN, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(1, b.getInt());
        assertEquals(3, b.getInt()); // "go" + NUL
        b.position(b.position() + 3);
        assertEquals(OpCode.MKDIR_AT.wire(), b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(3, b.getLong());
        assertEquals(0700, b.getLong());
    }
}
