package org.jnsjail.unotify;

/**
 * Names for socket(2) arguments (domain, type, protocol) and for an existing socket's SO_TYPE and
 * SO_PROTOCOL (socket(7)), spelled as nsjail spells them. Values are Linux's (bits/socket.h, in.h).
 */
final class SocketNames {
    private SocketNames() {}

    static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_RDM = 4, SOCK_SEQPACKET = 5, SOCK_DCCP = 6,
            SOCK_PACKET = 10;
    static final int SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    static final int IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58;

    /** socket(2) domain: AF_ name, or the number. AF_LOCAL is AF_UNIX's alias and never printed. */
    static String domain(int domain) {
        return switch (domain) {
            case 1 -> "AF_UNIX";
            case 2 -> "AF_INET";
            case 3 -> "AF_AX25";
            case 4 -> "AF_IPX";
            case 5 -> "AF_APPLETALK";
            case 8 -> "AF_ATMPVC";
            case 9 -> "AF_X25";
            case 10 -> "AF_INET6";
            case 16 -> "AF_NETLINK";
            case 17 -> "AF_PACKET";
            case 38 -> "AF_ALG";
            case 40 -> "AF_VSOCK";
            default -> Integer.toString(domain);
        };
    }

    /** socket(2) type: the base type (low 4 bits) by name or number, then |SOCK_CLOEXEC, |SOCK_NONBLOCK. */
    static String type(int type) {
        int base = type & 0xf;
        String s = switch (base) {
            case SOCK_STREAM -> "SOCK_STREAM";
            case SOCK_DGRAM -> "SOCK_DGRAM";
            case SOCK_RAW -> "SOCK_RAW";
            case SOCK_RDM -> "SOCK_RDM";
            case SOCK_SEQPACKET -> "SOCK_SEQPACKET";
            case SOCK_DCCP -> "SOCK_DCCP";
            case SOCK_PACKET -> "SOCK_PACKET";
            default -> Integer.toString(base);
        };
        if ((type & SOCK_CLOEXEC) != 0) s += "|SOCK_CLOEXEC";
        if ((type & SOCK_NONBLOCK) != 0) s += "|SOCK_NONBLOCK";
        return s;
    }

    /** socket(2) protocol: "0", an IPPROTO_ name, or the number (also for non-IP domains, as nsjail). */
    static String protocol(int proto) {
        return switch (proto) {
            case 0 -> "0";
            case 1 -> "IPPROTO_ICMP";
            case 2 -> "IPPROTO_IGMP";
            case 4 -> "IPPROTO_IPIP";
            case 6 -> "IPPROTO_TCP";
            case 8 -> "IPPROTO_EGP";
            case 12 -> "IPPROTO_PUP";
            case 17 -> "IPPROTO_UDP";
            case 22 -> "IPPROTO_IDP";
            case 29 -> "IPPROTO_TP";
            case 33 -> "IPPROTO_DCCP";
            case 41 -> "IPPROTO_IPV6";
            case 46 -> "IPPROTO_RSVP";
            case 47 -> "IPPROTO_GRE";
            case 50 -> "IPPROTO_ESP";
            case 51 -> "IPPROTO_AH";
            case 58 -> "IPPROTO_ICMPV6";
            case 92 -> "IPPROTO_MTP";
            case 94 -> "IPPROTO_BEETPH";
            case 98 -> "IPPROTO_ENCAP";
            case 103 -> "IPPROTO_PIM";
            case 108 -> "IPPROTO_COMP";
            case 132 -> "IPPROTO_SCTP";
            case 136 -> "IPPROTO_UDPLITE";
            case 137 -> "IPPROTO_MPLS";
            case 255 -> "IPPROTO_RAW";
            default -> Integer.toString(proto);
        };
    }

    /**
     * An open socket's kind from getsockopt(SO_TYPE) and getsockopt(SO_PROTOCOL): "SOCK_STREAM (IPPROTO_TCP)",
     * "SOCK_STREAM" (AF_UNIX: protocol 0), "SOCK_DGRAM (proto_N)"; null for an option that could not be read.
     */
    static String existing(Integer soType, Integer soProtocol) {
        StringBuilder b = new StringBuilder();
        if (soType != null) {
            switch (soType) {
                case SOCK_STREAM -> b.append("SOCK_STREAM");
                case SOCK_DGRAM -> b.append("SOCK_DGRAM");
                case SOCK_RAW -> b.append("SOCK_RAW");
                case SOCK_SEQPACKET -> b.append("SOCK_SEQPACKET");
                default -> b.append("SOCK_TYPE_").append(soType);
            }
        }
        if (soProtocol != null) {
            switch (soProtocol) {
                case IPPROTO_TCP -> b.append(" (IPPROTO_TCP)");
                case IPPROTO_UDP -> b.append(" (IPPROTO_UDP)");
                case IPPROTO_ICMP -> b.append(" (IPPROTO_ICMP)");
                case IPPROTO_ICMPV6 -> b.append(" (IPPROTO_ICMPV6)");
                case 0 -> { }
                default -> b.append(" (proto_").append(soProtocol).append(')');
            }
        }
        return b.toString();
    }

    /** Whether a port is meaningful for this socket kind: only stream and datagram sockets report one. */
    static boolean hasPorts(String existingKind) {
        return existingKind.contains("SOCK_STREAM") || existingKind.contains("SOCK_DGRAM");
    }
}
