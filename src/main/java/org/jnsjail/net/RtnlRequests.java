package org.jnsjail.net;

import org.jnsjail.net.FamilyHeader.IfAddrMsg;
import org.jnsjail.net.FamilyHeader.IfInfoMsg;
import org.jnsjail.net.FamilyHeader.RtMsg;
import org.jnsjail.net.RtAttrType.Ifa;
import org.jnsjail.net.RtAttrType.Ifla;
import org.jnsjail.net.RtAttrType.IflaInfo;
import org.jnsjail.net.RtAttrType.IflaMacvlan;
import org.jnsjail.net.RtAttrType.Rta;

import static org.jnsjail.net.NlmFlag.NLM_F_ACK;
import static org.jnsjail.net.NlmFlag.NLM_F_CREATE;
import static org.jnsjail.net.NlmFlag.NLM_F_EXCL;
import static org.jnsjail.net.NlmFlag.NLM_F_REQUEST;

/**
 * The rtnetlink requests jnsjail sends for links, addresses and routes (rtnetlink(7)), as pure
 * data: every value comes from the caller, every request asks for an ACK.
 */
public final class RtnlRequests {
    private RtnlRequests() {}

    static final int CREATE = NlmFlag.of(NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL);
    static final int CHANGE = NlmFlag.of(NLM_F_REQUEST, NLM_F_ACK);

    /** RTM_GETLINK by name: the reply's ifinfomsg carries the ifindex. */
    public static NlMessageBuilder getLink(String name) {
        return new NlMessageBuilder(NlMsgType.RTM_GETLINK, CHANGE, IfInfoMsg.of(0)).string(Ifla.IFLA_IFNAME, name);
    }

    /**
     * RTM_NEWLINK of kind "macvlan" on the lower device {@code parentIndex} (looked up in the
     * sending socket's namespace), created directly in the namespace of {@code nsPid}.
     * {@code mac} may be null (the kernel picks a random one).
     */
    public static NlMessageBuilder newMacvlan(String name, int parentIndex, MacvlanMode mode, byte[] mac, int nsPid) {
        NlMessageBuilder m = new NlMessageBuilder(NlMsgType.RTM_NEWLINK, CREATE, IfInfoMsg.of(0))
                .string(Ifla.IFLA_IFNAME, name)
                .u32(Ifla.IFLA_LINK, parentIndex);
        if (mac != null) m.attr(Ifla.IFLA_ADDRESS, mac);
        return m.u32(Ifla.IFLA_NET_NS_PID, nsPid)
                .begin(Ifla.IFLA_LINKINFO)
                .string(IflaInfo.IFLA_INFO_KIND, "macvlan")
                .begin(IflaInfo.IFLA_INFO_DATA)
                .u32(IflaMacvlan.IFLA_MACVLAN_MODE, mode.value)
                .end()
                .end();
    }

    /** RTM_SETLINK by name with IFLA_NET_NS_PID: moves the link into the namespace of {@code nsPid}. */
    public static NlMessageBuilder moveLink(String name, int nsPid) {
        return new NlMessageBuilder(NlMsgType.RTM_SETLINK, CHANGE, IfInfoMsg.of(0))
                .string(Ifla.IFLA_IFNAME, name)
                .u32(Ifla.IFLA_NET_NS_PID, nsPid);
    }

    /** RTM_SETLINK setting IFF_UP (ifi_change masks the one flag changed). */
    public static NlMessageBuilder setUp(int index) {
        return new NlMessageBuilder(NlMsgType.RTM_SETLINK, CHANGE,
                new IfInfoMsg(FamilyHeader.AF_UNSPEC, 0, index, IfInfoMsg.IFF_UP, IfInfoMsg.IFF_UP));
    }

    public static NlMessageBuilder delLink(int index) {
        return new NlMessageBuilder(NlMsgType.RTM_DELLINK, CHANGE, IfInfoMsg.of(index));
    }

    /**
     * RTM_NEWADDR of an IPv4 address with its prefix, and the broadcast address that
     * SIOCSIFADDR + SIOCSIFNETMASK would derive (none for /31 and /32).
     */
    public static NlMessageBuilder newAddr4(int index, byte[] addr, int prefixLen) {
        NlMessageBuilder m = new NlMessageBuilder(NlMsgType.RTM_NEWADDR, CREATE,
                new IfAddrMsg(FamilyHeader.AF_INET, prefixLen, 0, RtMsg.RT_SCOPE_UNIVERSE, index))
                .attr(Ifa.IFA_LOCAL, addr)
                .attr(Ifa.IFA_ADDRESS, addr);
        if (prefixLen < 31) {
            byte[] bcast = addr.clone();
            for (int bit = prefixLen; bit < 32; bit++) bcast[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            m.attr(Ifa.IFA_BROADCAST, bcast);
        }
        return m;
    }

    /** RTM_NEWROUTE 0.0.0.0/0 via {@code gw} on {@code oif}, in table main, as SIOCADDRT adds it. */
    public static NlMessageBuilder defaultRoute4(byte[] gw, int oif) {
        return new NlMessageBuilder(NlMsgType.RTM_NEWROUTE, CREATE, new RtMsg(FamilyHeader.AF_INET, 0, 0, 0,
                RtMsg.RT_TABLE_MAIN, RtMsg.RTPROT_BOOT, RtMsg.RT_SCOPE_UNIVERSE, RtMsg.RTN_UNICAST, 0))
                .attr(Rta.RTA_GATEWAY, gw)
                .u32(Rta.RTA_OIF, oif);
    }

    /** RTM_SETLINK: the MTU, and IFF_UP. */
    public static NlMessageBuilder setMtuUp(int index, int mtu) {
        return new NlMessageBuilder(NlMsgType.RTM_SETLINK, CHANGE,
                new IfInfoMsg(FamilyHeader.AF_UNSPEC, 0, index, IfInfoMsg.IFF_UP, IfInfoMsg.IFF_UP))
                .u32(Ifla.IFLA_MTU, mtu);
    }

    /** RTM_NEWADDR of a point-to-point IPv4 address: {@code local} with {@code peer}/32 (as SIOCSIFDSTADDR). */
    public static NlMessageBuilder newAddrPeer4(int index, byte[] local, byte[] peer) {
        return new NlMessageBuilder(NlMsgType.RTM_NEWADDR, CREATE,
                new IfAddrMsg(FamilyHeader.AF_INET, 32, 0, RtMsg.RT_SCOPE_UNIVERSE, index))
                .attr(Ifa.IFA_LOCAL, local)
                .attr(Ifa.IFA_ADDRESS, peer);
    }

    /** IFA_F_NODAD (linux/if_addr.h): no duplicate address detection, so the address is usable at once. */
    static final int IFA_F_NODAD = 0x02;

    /** RTM_NEWADDR of an IPv6 host address (/128), without duplicate address detection. */
    public static NlMessageBuilder newAddr6(int index, byte[] addr) {
        return new NlMessageBuilder(NlMsgType.RTM_NEWADDR, CREATE,
                new IfAddrMsg(FamilyHeader.AF_INET6, 128, IFA_F_NODAD, RtMsg.RT_SCOPE_UNIVERSE, index))
                .attr(Ifa.IFA_ADDRESS, addr);
    }

    /** RTM_NEWROUTE of the default route straight out of {@code oif} (no gateway: a point-to-point device). */
    public static NlMessageBuilder defaultDevRoute(int family, int oif) {
        return new NlMessageBuilder(NlMsgType.RTM_NEWROUTE, CREATE, new RtMsg(family, 0, 0, 0,
                RtMsg.RT_TABLE_MAIN, RtMsg.RTPROT_BOOT, RtMsg.RT_SCOPE_LINK, RtMsg.RTN_UNICAST, 0))
                .u32(Rta.RTA_OIF, oif);
    }

    /** RTM_GETROUTE dump of one family (the replies end with NLMSG_DONE). */
    public static NlMessageBuilder dumpRoutes(int family) {
        return new NlMessageBuilder(NlMsgType.RTM_GETROUTE, NlmFlag.of(NLM_F_REQUEST, NlmFlag.NLM_F_DUMP),
                new RtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0));
    }
}
