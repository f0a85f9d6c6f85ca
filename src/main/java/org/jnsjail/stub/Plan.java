package org.jnsjail.stub;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of operations, and its wire encoding for the exec stub. {@code warnings} are
 * what planning decided to skip (non-mandatory mounts that cannot be made), for the log.
 */
public record Plan(List<Op> ops, List<String> warnings) {
    /** exec_stub.c's PLAN_MAGIC ("JNSP") and PLAN_VERSION. */
    static final int MAGIC = 0x50534e4a, VERSION = 1;

    public Plan {
        ops = List.copyOf(ops);
        warnings = List.copyOf(warnings);
    }

    /** The description of operation {@code index}, as the stub reports failures by index. */
    public String describe(int index) {
        return index >= 0 && index < ops.size() ? ops.get(index).what() : "operation #" + index;
    }

    /**
     * Header (magic, version, op count, payload bytes), then per op: code, flags, nints, nstrs, ints
     * (u64), strings (u32 length with the NUL, bytes, NUL), the description first. An operation
     * whose counts the stub would refuse is a bug here, thrown before anything starts.
     */
    public byte[] encode() {
        List<Op.Encoded> enc = new ArrayList<>(ops.size());
        List<byte[]> whats = new ArrayList<>(ops.size());
        int size = 16;
        for (Op op : ops) {
            Op.Encoded e = op.encoded();
            long[] ints = e.ints();
            if (!(op.step() instanceof Step.Raw) && !op.code().fits(ints.length, e.strs.size())) {
                throw new IllegalStateException(op.code() + " with " + ints.length + " ints and " + e.strs.size()
                        + " strings: " + op.what());
            }
            byte[] what = op.what().getBytes(StandardCharsets.UTF_8);
            enc.add(e);
            whats.add(what);
            size += 16 + 8 * ints.length + 4 + what.length + 1;
            for (byte[] s : e.strs) size += 4 + s.length + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.putInt(MAGIC).putInt(VERSION).putInt(ops.size()).putInt(size - 16);
        for (int k = 0; k < ops.size(); k++) {
            Op op = ops.get(k);
            Op.Encoded e = enc.get(k);
            long[] ints = e.ints();
            b.putInt(op.code().wire()).putInt(op.flags()).putInt(ints.length).putInt(e.strs.size() + 1);
            for (long v : ints) b.putLong(v);
            putString(b, whats.get(k));
            for (byte[] s : e.strs) putString(b, s);
        }
        return b.array();
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putInt(s.length + 1).put(s).put((byte) 0);
    }
}
