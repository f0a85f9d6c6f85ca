package org.jnsjail.net;

/**
 * The rtattr types jnsjail sends or reads, one enum per attribute space, named as the kernel's
 * uapi headers name them (linux/if_link.h, linux/if_addr.h, linux/rtnetlink.h, linux/fib_rules.h,
 * linux/netlink.h). Numbers are the kernel's ABI and never change.
 */
public sealed interface RtAttrType {
    int type();

    /** Link attributes (RTM_*LINK). */
    enum Ifla implements RtAttrType {
        IFLA_ADDRESS(1), IFLA_IFNAME(3), IFLA_MTU(4), IFLA_LINK(5), IFLA_LINKINFO(18), IFLA_NET_NS_PID(19);

        private final int type;
        Ifla(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** Nested in IFLA_LINKINFO. */
    enum IflaInfo implements RtAttrType {
        IFLA_INFO_KIND(1), IFLA_INFO_DATA(2);

        private final int type;
        IflaInfo(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** Nested in IFLA_INFO_DATA of kind "macvlan". */
    enum IflaMacvlan implements RtAttrType {
        IFLA_MACVLAN_MODE(1);

        private final int type;
        IflaMacvlan(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** Address attributes (RTM_NEWADDR). */
    enum Ifa implements RtAttrType {
        IFA_ADDRESS(1), IFA_LOCAL(2), IFA_BROADCAST(4);

        private final int type;
        Ifa(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** Route attributes (RTM_NEWROUTE). */
    enum Rta implements RtAttrType {
        RTA_DST(1), RTA_OIF(4), RTA_GATEWAY(5);

        private final int type;
        Rta(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** FIB rule attributes (RTM_NEWRULE). */
    enum Fra implements RtAttrType {
        FRA_DST(1), FRA_SRC(2), FRA_IIFNAME(3), FRA_PRIORITY(6), FRA_TABLE(15), FRA_OIFNAME(17), FRA_IP_PROTO(22),
        FRA_SPORT_RANGE(23), FRA_DPORT_RANGE(24);

        private final int type;
        Fra(int type) { this.type = type; }
        @Override public int type() { return type; }
    }

    /** Extended-ack attributes after an NLMSG_ERROR (NETLINK_EXT_ACK). */
    enum Nlmsgerr implements RtAttrType {
        NLMSGERR_ATTR_MSG(1), NLMSGERR_ATTR_OFFS(2);

        private final int type;
        Nlmsgerr(int type) { this.type = type; }
        @Override public int type() { return type; }
    }
}
