/**
 * The jail's network beyond lo: rtnetlink messages (built and parsed as plain bytes), a small
 * rtnetlink client over an AF_NETLINK socket, and the per-jail resource that creates the cloned
 * MACVLAN {@code vs}, moves {@code iface_own} interfaces in, configures {@code vs} and installs the
 * traffic rules inside the jail's network namespace (reference §1.14, §3.13); and user_net: the TUN
 * interface made and configured through the fds the jail hands over, with the {@code nstun} stack
 * or a pasta(1) process carrying its traffic.
 *
 * <p>Owns: rtnetlink messages and the jail's interfaces, addresses, routes and FIB rules. May not
 * touch: mounts, ids, or any network namespace but the supervisor's own and the jail's.
 */
package org.jnsjail.net;
