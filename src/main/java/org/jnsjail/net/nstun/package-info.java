/**
 * NSTUN, the user-mode TCP/IP stack behind {@code user_net} (nsjail's default backend, reference
 * §3.13): the jail's TUN device ({@code IFF_TUN|IFF_NO_PI}, so one read or write is one IPv4 or IPv6
 * packet) is read in the supervisor, and the guest's TCP connections, UDP flows and ICMP echo
 * requests are carried over ordinary host sockets, filtered and redirected by the
 * {@code rule4}/{@code rule6} rules (first match wins, default ALLOW; DROP, REJECT, ALLOW, REDIRECT,
 * ENCAP_SOCKS5, ENCAP_CONNECT), plus HOST_TO_GUEST REDIRECT listeners on the host.
 *
 * <p>Layout: packet codecs ({@code IpPacket}, {@code TcpSegment}, {@code Udp}, {@code Icmp},
 * {@code Checksum}); the config and rules ({@code StackConfig}, {@code Rules}, {@code Verdict});
 * the flows ({@code TcpFlow}, {@code UdpFlow}, {@code Ping}, {@code HostListener}); proxy handshakes
 * ({@code ProxyHandshake}); the loop ({@code Engine}) and its TUN reader; {@link org.jnsjail.net.nstun.Nstun}
 * is the only public type.
 *
 * <p>Security: the guest is hostile. Every packet is validated (lengths, checksums, no fragments,
 * no IPv6 extension headers) and must come from the guest's own address; loopback, broadcast,
 * multicast and v4-mapped destinations are dropped. Flows (4096 TCP, 1024 UDP, 256 ping per stack)
 * and buffer memory (256 KiB each way per TCP flow, 128 MiB per stack) are capped; every host socket
 * counts in half of RLIMIT_NOFILE over all stacks, shared fairly ({@code FlowBudget}); a guest's TCP
 * MSS is clamped to Linux's minimum of 48; and a failure on one packet
 * is logged at debug and never stops the stack. Deliberately unlike nsjail, the gateway address does
 * <em>not</em> lead to host loopback by default: TCP/UDP to gw4/gw6 is carried to 127.0.0.1/::1 only
 * when the first matching rule is a REDIRECT or an ALLOW whose dst_ip is the gateway itself (not
 * merely a prefix covering it, such as 0.0.0.0/0), and is REJECTed otherwise.
 * Connections from HOST_TO_GUEST listeners always reach the guest from the gateway address, so host
 * addresses never show inside.
 *
 * <p>Owns: the stack's threads, host sockets and listeners, and the TUN fd handed to it. May not
 * touch: the jail's namespaces or the TUN device's configuration (org.jnsjail.net.UserNetwork
 * creates and configures it from the fds the jail hands over), nor any other package's state.
 */
package org.jnsjail.net.nstun;
