package org.jnsjail.unotify;

/**
 * One network peer or local address a connect/bind/sendto named.
 *
 * @param type       the address family
 * @param endpoint   the address as text ("127.0.0.1", "::1", an AF_UNIX path, "@abstract",
 *                   "anonymous unix socket", "NETLINK"); "" when there is none
 * @param port       the port, or -1 when not reported (only stream and datagram sockets have one)
 * @param socketPath the file-system side of an AF_UNIX path address, or null
 */
record NetInfo(NetType type, String endpoint, int port, PathInfo socketPath) {
    public NetInfo {
        if (type == null || endpoint == null) throw new NullPointerException();
    }

    public boolean hasPort() {
        return port >= 0;
    }
}
