package org.jnsjail.stub;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A plan as text, one line per operation: its index, code, flags, arguments by name and, after
 * "#", its description; then the planner's warnings. Stable (no addresses, no hash order), so that
 * plans can be compared with checked-in files and reviewed (PlanGoldenTest), and shown to a user
 * ({@code --dump_plan}).
 *
 * <pre>
 *  12 OPEN_AT slot=4 dir=3 path="proc" openFlags=0x200000 resolve=0x12  # Mount: '/proc' type:'proc' ...
 * </pre>
 *
 * Numbers are decimal, but flag and mask words, which are hexadecimal; strings are quoted with
 * Java's escapes; byte strings that are text are shown as text, others (a BPF program, a CPU mask)
 * by their length and, for a seccomp filter, its instruction count.
 */
public final class PlanText {
    private PlanText() {}

    public static String format(Plan plan) {
        StringBuilder b = new StringBuilder();
        int width = Integer.toString(Math.max(0, plan.ops().size() - 1)).length();
        for (int i = 0; i < plan.ops().size(); i++) {
            String n = Integer.toString(i);
            b.repeat(' ', width - n.length()).append(n).append(' ');
            line(b, plan.ops().get(i));
            b.append('\n');
        }
        for (String w : plan.warnings()) b.append("warning: ").append(w).append('\n');
        return b.toString();
    }

    /** One operation: code, flags, arguments, description. */
    static void line(StringBuilder b, Op op) {
        b.append(op.code());
        if (op.flags() != 0) b.append(' ').append(flags(op.flags()));
        Step s = op.step();
        if (s instanceof Step.Raw raw) {
            b.append(" ints=").append(java.util.Arrays.toString(raw.ints()));
            for (byte[] x : raw.strs()) b.append(' ').append(bytes(x, false));
        } else {
            for (RecordComponent c : s.getClass().getRecordComponents()) {
                b.append(' ').append(c.getName()).append('=');
                value(b, c.getName(), get(c, s));
            }
        }
        b.append("  # ").append(op.what().replace("\n", "\\n"));
    }

    private static Object get(RecordComponent c, Object o) {
        try {
            return c.getAccessor().invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flags, masks, modes and capability sets in hexadecimal (octal for a mode); counts and fds in decimal. */
    private static boolean hex(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("flags") || n.equals("attrs") || n.equals("resolve") || n.equals("set") || n.equals("clear")
                || n.equals("propagation") || n.equals("effective") || n.equals("permitted") || n.equals("inheritable")
                || n.equals("persona") || n.equals("type");
    }

    private static void value(StringBuilder b, String name, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String s -> quote(b, s);
            case byte[] x -> b.append(bytes(x, name.equals("filter")));
            case int[] a -> b.append(java.util.Arrays.toString(a));
            case long[] a -> b.append(java.util.Arrays.toString(a));
            case Long l when name.equals("mode") -> b.append(l == 0 ? "0" : "0" + Long.toOctalString(l));
            case Integer i when name.equals("mode") || name.equals("mask") -> b.append(i == 0 ? "0" : "0" + Integer.toOctalString(i));
            case Long l when hex(name) -> b.append("0x").append(Long.toHexString(l));
            case Integer i when hex(name) -> b.append("0x").append(Integer.toHexString(i));
            case Step.FsConfig c -> {
                b.append(c.command() == 0 ? "flag:" : "string:");
                quote(b, c.key());
                if (c.command() != 0) b.append('=').append(quoted(c.value()));
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) b.append(", ");
                    value(b, name, l.get(k));
                }
                b.append(']');
            }
            default -> b.append(v);
        }
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        quote(b, s);
        return b.toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /** Text as a string; anything else (or a filter) by its size. */
    private static String bytes(byte[] x, boolean filter) {
        if (filter) return "<" + x.length / 8 + " BPF instructions>";
        boolean text = true;
        for (byte c : x) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) text = false;
        }
        if (text) return quoted(new String(x, StandardCharsets.UTF_8));
        return "<" + x.length + " bytes>";
    }

    private static String flags(int f) {
        StringBuilder b = new StringBuilder("[");
        String[] names = {"warn", "ignore", "exist_ok", "chained", "if_filled"};
        for (int i = 0; i < names.length; i++) {
            if ((f & (1 << i)) == 0) continue;
            if (b.length() > 1) b.append(',');
            b.append(names[i]);
        }
        return b.append(']').toString();
    }
}
