package org.jnsjail.stub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation of the plan: what it does ({@link Step}), how its failure counts ({@code flags}),
 * and {@code what}, its description for the user ("mount('/proc' ...)"), which the stub reports
 * failures by (exec_stub.c string 0).
 */
public record Op(Step step, int flags, String what) {
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

    /** An operation with no flags. */
    public static Op of(String what, Step step) {
        return new Op(step, 0, what);
    }

    /**
     * Any code with any arguments, unchecked ({@link Step.Raw}): for tests of the stub's own
     * checks. Strings are byte[], String, or null (empty).
     */
    public static Op raw(OpCode code, String what, long[] ints, Object... strs) {
        return of(what, new Step.Raw(code, ints, bytes(strs)));
    }

    public Op withFlags(int f) {
        return new Op(step, flags | f, what);
    }

    public OpCode code() {
        return step.code();
    }

    /** The integer arguments as the stub reads them (for tests and the plan's text form). */
    public long[] args() {
        return encoded().ints();
    }

    /** The string arguments as the stub reads them, the description not included. */
    public List<byte[]> strs() {
        return encoded().strs;
    }

    /** The arguments, as {@link Step#encode} writes them. */
    Encoded encoded() {
        Encoded e = new Encoded();
        step.encode(e);
        return e;
    }

    static final class Encoded implements Step.Args {
        private long[] ints = new long[8];
        private int n;
        final List<byte[]> strs = new ArrayList<>();

        @Override
        public void i(long v) {
            if (n == ints.length) ints = java.util.Arrays.copyOf(ints, n * 2);
            ints[n++] = v;
        }

        @Override
        public void s(byte[] b) {
            strs.add(b == null ? new byte[0] : b);
        }

        long[] ints() {
            return java.util.Arrays.copyOf(ints, n);
        }
    }

    private static List<byte[]> bytes(Object... strs) {
        List<byte[]> out = new ArrayList<>(strs.length);
        for (Object o : strs) {
            out.add(switch (o) {
                case byte[] b -> b;
                case String s -> s.getBytes(StandardCharsets.UTF_8);
                case null -> new byte[0];
                default -> throw new IllegalArgumentException("bad op argument " + o);
            });
        }
        return out;
    }
}
