package org.jnsjail.net.nstun;

import java.net.InetSocketAddress;

/** What the rules decided for a new guest flow (a TCP SYN, a first datagram, an echo request). */
sealed interface Verdict {
    /** Silently discard (DROP). */
    record Drop() implements Verdict {}

    /** Refuse: TCP RST, ICMP(v6) port unreachable for UDP and ICMP (REJECT, and the gateway policy). */
    record Reject() implements Verdict {}

    /** Answer an echo request to the gateway address here (ICMP only). */
    record Gateway() implements Verdict {}

    /** Carry over a host socket to addr:port (ALLOW, REDIRECT; the gateway maps to host loopback). */
    record Direct(byte[] addr, int port) implements Verdict {}

    /** Through a SOCKS5 proxy (RFC 1928) at proxy to the original destination addr:port. */
    record Socks5(InetSocketAddress proxy, byte[] addr, int port) implements Verdict {}

    /** Through an HTTP proxy's CONNECT method (RFC 9110 §9.3.6) to addr:port. */
    record HttpConnect(InetSocketAddress proxy, byte[] addr, int port) implements Verdict {}

    Verdict DROP = new Drop();
    Verdict REJECT = new Reject();
    Verdict GATEWAY = new Gateway();
}
