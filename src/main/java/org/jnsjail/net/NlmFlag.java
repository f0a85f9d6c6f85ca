package org.jnsjail.net;

/** nlmsghdr.nlmsg_flags bits (linux/netlink.h; netlink(7)). */
public enum NlmFlag {
    NLM_F_REQUEST(0x1), NLM_F_MULTI(0x2), NLM_F_ACK(0x4),
    /** NLM_F_ROOT|NLM_F_MATCH: a whole table. */
    NLM_F_DUMP(0x300),
    /** For new requests; the same bit as NLM_F_CAPPED in an NLMSG_ERROR. */
    NLM_F_REPLACE(0x100), NLM_F_EXCL(0x200), NLM_F_CREATE(0x400),
    /** In an NLMSG_ERROR: the original request was cut to its header. */
    NLM_F_CAPPED(0x100),
    /** In an NLMSG_ERROR: extended-ack attributes follow the original request. */
    NLM_F_ACK_TLVS(0x200);

    public final int value;

    NlmFlag(int value) {
        this.value = value;
    }

    public static int of(NlmFlag... flags) {
        int v = 0;
        for (NlmFlag f : flags) v |= f.value;
        return v;
    }
}
