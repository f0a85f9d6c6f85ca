package org.jnsjail.unotify;

/** The address family of a sockaddr: unotify.Stat.NetResource.Type, numbered as in unotify.proto. */
enum NetType {
    UNKNOWN, IPV4, IPV6, UNIX, NETLINK
}
