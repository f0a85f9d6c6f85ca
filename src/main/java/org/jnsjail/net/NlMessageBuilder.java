package org.jnsjail.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one netlink message as bytes (netlink(7), rtnetlink(7)): a 16-byte nlmsghdr (len, type,
 * flags, seq, pid), the family header, then rtattrs (len, type, payload), each padded to
 * NLMSG_ALIGNTO/RTA_ALIGNTO = 4. Nested attributes get their length when closed. Host byte order,
 * as netlink uses; addresses are byte arrays already in network order.
 */
public final class NlMessageBuilder {
    public static final int NLMSG_HDRLEN = 16, RTA_HDRLEN = 4;

    private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();

    public NlMessageBuilder(NlMsgType type, int flags, FamilyHeader header) {
        b.putInt(0).putShort((short) type.value).putShort((short) flags).putInt(0).putInt(0);
        header.write(b);
    }

    public static int align(int len) {
        return (len + 3) & ~3;
    }

    private void room(int n) {
        if (b.remaining() >= n) return;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(ByteOrder.nativeOrder());
        b.flip();
        bigger.put(b);
        b = bigger;
    }

    public NlMessageBuilder attr(RtAttrType type, byte[] payload) {
        room(align(RTA_HDRLEN + payload.length));
        b.putShort((short) (RTA_HDRLEN + payload.length)).putShort((short) type.type()).put(payload);
        pad();
        return this;
    }

    public NlMessageBuilder u8(RtAttrType type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public NlMessageBuilder u32(RtAttrType type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** Two host-order u16s, as struct fib_rule_port_range {start, end}. */
    public NlMessageBuilder u16Pair(RtAttrType type, int first, int second) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) first)
                .putShort((short) second).array());
    }

    /** A NUL-terminated string (NLA_STRING / NLA_NUL_STRING both accept it). */
    public NlMessageBuilder string(RtAttrType type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(raw, raw.length + 1));
    }

    /** Opens a nested attribute; close it with {@link #end()}. */
    public NlMessageBuilder begin(RtAttrType type) {
        room(RTA_HDRLEN);
        open.push(b.position());
        b.putShort((short) 0).putShort((short) type.type());
        return this;
    }

    public NlMessageBuilder end() {
        int start = open.pop();
        b.putShort(start, (short) (b.position() - start));
        return this;
    }

    private void pad() {
        while ((b.position() & 3) != 0) b.put((byte) 0);
    }

    /** The finished message with nlmsg_len set and the given sequence number. */
    public byte[] build(int seq) {
        if (!open.isEmpty()) throw new IllegalStateException("unclosed nested attribute");
        byte[] out = Arrays.copyOf(b.array(), b.position());
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        o.putInt(0, out.length);
        o.putInt(8, seq);
        return out;
    }
}
