package org.jnsjail.stub;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An ordered list of operations, and its wire encoding for the exec stub. {@code warnings} are
 * what planning decided to skip (non-mandatory mounts that cannot be made), for the log.
 */
public record Plan(List<Op> ops, List<String> warnings) {
    static final int MAGIC = 0x50534e4a; // "JNSP"
    static final int VERSION = 1;

    public Plan {
        ops = List.copyOf(ops);
        warnings = List.copyOf(warnings);
    }

    /** The description of operation {@code index}, as the stub reports failures by index. */
    public String describe(int index) {
        return index >= 0 && index < ops.size() ? ops.get(index).what() : "operation #" + index;
    }

    /** Header, then per op: code, flags, nints, nstrs, ints (u64), strings (u32 len incl. NUL, bytes, NUL). */
    public byte[] encode() {
        int size = 16;
        for (Op op : ops) {
            size += 16 + 8 * op.args().length + 4 + op.what().length() * 4 + 1;
            for (byte[] s : op.strs()) size += 4 + s.length + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.position(16);
        for (Op op : ops) {
            b.putInt(op.code().wire()).putInt(op.flags()).putInt(op.args().length).putInt(op.strs().size() + 1);
            for (long v : op.args()) b.putLong(v);
            putString(b, op.what().getBytes(StandardCharsets.UTF_8));
            for (byte[] s : op.strs()) putString(b, s);
        }
        int end = b.position();
        b.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, ops.size()).putInt(12, end - 16);
        byte[] out = new byte[end];
        b.get(0, out);
        return out;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putInt(s.length + 1).put(s).put((byte) 0);
    }
}
