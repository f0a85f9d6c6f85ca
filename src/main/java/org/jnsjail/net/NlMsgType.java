package org.jnsjail.net;

/** nlmsghdr.nlmsg_type values used here (linux/netlink.h, linux/rtnetlink.h; netlink(7), rtnetlink(7)). */
public enum NlMsgType {
    NLMSG_NOOP(1), NLMSG_ERROR(2), NLMSG_DONE(3),
    RTM_NEWLINK(16), RTM_DELLINK(17), RTM_GETLINK(18), RTM_SETLINK(19),
    RTM_NEWADDR(20), RTM_NEWROUTE(24), RTM_GETROUTE(26), RTM_NEWRULE(32);

    public final int value;

    NlMsgType(int value) {
        this.value = value;
    }
}
