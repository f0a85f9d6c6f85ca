package org.jnsjail.net;

import java.nio.ByteBuffer;

/**
 * The fixed header that follows nlmsghdr in each rtnetlink message family (rtnetlink(7)): its
 * exact size and layout in host byte order. Every size here is already a multiple of NLMSG_ALIGNTO.
 */
public sealed interface FamilyHeader {
    int AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;

    int size();

    void write(ByteBuffer b);

    /** struct ifinfomsg (16 bytes): family, pad, type, index, flags, change. */
    record IfInfoMsg(int family, int type, int index, int flags, int change) implements FamilyHeader {
        public static final int IFF_UP = 0x1;

        public static IfInfoMsg of(int index) {
            return new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0);
        }

        @Override public int size() { return 16; }

        @Override public void write(ByteBuffer b) {
            b.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
        }
    }

    /** struct ifaddrmsg (8 bytes): family, prefixlen, flags, scope, index. */
    record IfAddrMsg(int family, int prefixLen, int flags, int scope, int index) implements FamilyHeader {
        @Override public int size() { return 8; }

        @Override public void write(ByteBuffer b) {
            b.put((byte) family).put((byte) prefixLen).put((byte) flags).put((byte) scope).putInt(index);
        }
    }

    /** struct rtmsg (12 bytes): family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
    record RtMsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type, int flags)
            implements FamilyHeader {
        public static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253,
                RTN_UNICAST = 1;

        @Override public int size() { return 12; }

        @Override public void write(ByteBuffer b) {
            b.put((byte) family).put((byte) dstLen).put((byte) srcLen).put((byte) tos).put((byte) table)
                    .put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
        }
    }

    /** struct fib_rule_hdr (12 bytes): family, dst_len, src_len, tos, table, res1, res2, action, flags. */
    record FibRuleHdr(int family, int dstLen, int srcLen, int tos, int table, int action, int flags)
            implements FamilyHeader {
        @Override public int size() { return 12; }

        @Override public void write(ByteBuffer b) {
            b.put((byte) family).put((byte) dstLen).put((byte) srcLen).put((byte) tos).put((byte) table)
                    .put((byte) 0).put((byte) 0).put((byte) action).putInt(flags);
        }
    }
}
