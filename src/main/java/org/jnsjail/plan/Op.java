package org.jnsjail.plan;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One operation of the plan. {@code what} describes it for error messages ("mount('/proc' ...)");
 * {@code args} are its integer arguments and {@code strs} its byte-string arguments, in the order
 * exec_stub.c reads them.
 */
public record Op(OpCode code, int flags, String what, long[] args, List<byte[]> strs) {
    /** On failure: report a warning and continue. */
    public static final int WARN = 1;
    /** On failure: continue silently. */
    public static final int IGNORE = 2;
    /** EEXIST, or EROFS/EPERM/EACCES on a name that exists, counts as success. */
    public static final int EXIST_OK = 4;
    /** Part of the operation before it: skipped, silently, unless that one succeeded (one warning per failed mount). */
    public static final int CHAINED = 8;
    /** Skipped, silently, when its fd slot (int 0) is empty: the operation that fills it failed and said so. */
    public static final int IF_FILLED = 16;

    public static Op of(OpCode code, String what, long[] args, Object... strs) {
        return new Op(code, 0, what, args, bytes(strs));
    }

    public Op withFlags(int f) {
        return new Op(code, flags | f, what, args, strs);
    }

    static List<byte[]> bytes(Object... strs) {
        byte[][] out = new byte[strs.length][];
        for (int i = 0; i < strs.length; i++) {
            // instanceof, not a pattern switch: its bootstrap spins a class at every JVM start.
            Object o = strs[i];
            if (o instanceof byte[] b) out[i] = b;
            else if (o instanceof String s) out[i] = s.getBytes(StandardCharsets.UTF_8);
            else if (o == null) out[i] = new byte[0];
            else throw new IllegalArgumentException("bad op argument " + o);
        }
        return List.of(out);
    }
}
