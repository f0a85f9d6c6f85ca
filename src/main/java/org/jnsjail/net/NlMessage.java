package org.jnsjail.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One received netlink message (netlink(7)): header fields and the body after the 16-byte
 * nlmsghdr. Parses datagrams into messages, attributes, and NLMSG_ERROR payloads.
 */
public record NlMessage(int type, int flags, int seq, int pid, byte[] body) {

    /** Every message in one datagram; a truncated or malformed one ends the list with an exception. */
    public static List<NlMessage> parseAll(byte[] datagram) {
        List<NlMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int off = 0;
        while (datagram.length - off >= NlMessageBuilder.NLMSG_HDRLEN) {
            int len = b.getInt(off);
            if (len < NlMessageBuilder.NLMSG_HDRLEN || len > datagram.length - off) {
                throw new IllegalArgumentException("malformed netlink message (nlmsg_len " + len + ")");
            }
            out.add(new NlMessage(Short.toUnsignedInt(b.getShort(off + 4)), Short.toUnsignedInt(b.getShort(off + 6)),
                    b.getInt(off + 8), b.getInt(off + 12),
                    Arrays.copyOfRange(datagram, off + NlMessageBuilder.NLMSG_HDRLEN, off + len)));
            off += NlMessageBuilder.align(len);
        }
        return out;
    }

    /** The rtattrs after a family header of {@code headerSize} bytes, by type (the last one wins). */
    public Map<Integer, byte[]> attrs(int headerSize) {
        return attrs(body, headerSize, body.length);
    }

    /** rtattrs in {@code buf[from, to)}; the NLA_F_NESTED/NLA_F_NET_BYTEORDER bits are masked off. */
    public static Map<Integer, byte[]> attrs(byte[] buf, int from, int to) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        int off = from;
        while (to - off >= NlMessageBuilder.RTA_HDRLEN) {
            int len = Short.toUnsignedInt(b.getShort(off));
            int type = Short.toUnsignedInt(b.getShort(off + 2)) & 0x3fff;
            if (len < NlMessageBuilder.RTA_HDRLEN || len > to - off) break;
            out.put(type, Arrays.copyOfRange(buf, off + NlMessageBuilder.RTA_HDRLEN, off + len));
            off += NlMessageBuilder.align(len);
        }
        return out;
    }

    public int intAt(int offset) {
        return ByteBuffer.wrap(body).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    /**
     * struct nlmsgerr: a negative errno (0 = ACK) and the request's header, then, with
     * NLM_F_ACK_TLVS, extended-ack attributes; NLMSGERR_ATTR_MSG is the kernel's own explanation.
     */
    public record Error(int errno, int requestSeq, String kernelMessage) {}

    public Error error() {
        if (type != NlMsgType.NLMSG_ERROR.value || body.length < 4 + NlMessageBuilder.NLMSG_HDRLEN) {
            throw new IllegalArgumentException("not an NLMSG_ERROR");
        }
        int errno = -intAt(0);
        int origLen = intAt(4);
        int origSeq = intAt(12);
        String msg = null;
        if ((flags & NlmFlag.NLM_F_ACK_TLVS.value) != 0) {
            int tlvs = 4 + ((flags & NlmFlag.NLM_F_CAPPED.value) != 0 ? NlMessageBuilder.NLMSG_HDRLEN
                    : NlMessageBuilder.align(origLen));
            if (tlvs <= body.length) {
                byte[] m = attrs(body, tlvs, body.length).get(RtAttrType.Nlmsgerr.NLMSGERR_ATTR_MSG.type());
                if (m != null) {
                    int n = 0;
                    while (n < m.length && m[n] != 0) n++;
                    msg = new String(m, 0, n, StandardCharsets.UTF_8);
                }
            }
        }
        return new Error(errno, origSeq, msg);
    }
}
