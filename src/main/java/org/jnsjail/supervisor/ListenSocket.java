package org.jnsjail.supervisor;

import java.io.IOException;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Sockets;
import org.jnsjail.sys.Sockets.Endpoint;
import org.jnsjail.sys.Sockets.SockFlag;
import org.jnsjail.sys.Sockets.SockOpt;

/**
 * LISTEN mode's one listening socket, made as nsjail's net.cc getRecvSocket: AF_INET6 with
 * IPV6_V6ONLY off, so IPv4 clients arrive v4-mapped (ipv6(7)); SO_REUSEADDR; non-blocking;
 * listen(SOMAXCONN).
 */
record ListenSocket(int fd, Endpoint local) implements AutoCloseable {
    /** SOMAXCONN of linux/socket.h since 5.4; listen(2) caps it at net.core.somaxconn anyway. */
    static final int SOMAXCONN = 4096;

    /**
     * Binds {@code bindhost} (an IPv6 literal, or an IPv4 one rewritten to ::ffff:a.b.c.d) and
     * {@code port} (0: the kernel picks one). The message of the failure is nsjail's log line.
     */
    static ListenSocket open(String bindhost, int port) throws IOException {
        String host = bindhost.indexOf(':') < 0 ? "::ffff:" + bindhost : bindhost;
        byte[] addr = Sockets.pton6(host);
        if (addr == null) throw new IOException("inet_pton(AF_INET6, '" + host + "') failed");
        int fd = -1;
        try {
            fd = Sockets.socket6(SockFlag.SOCK_STREAM.bit | SockFlag.SOCK_NONBLOCK.bit | SockFlag.SOCK_CLOEXEC.bit);
            Sockets.setsockopt(fd, SockOpt.IPV6_V6ONLY, 0);
            Sockets.setsockopt(fd, SockOpt.SO_REUSEADDR, 1);
            Sockets.bind(fd, new Endpoint(addr, port));
            Sockets.listen(fd, SOMAXCONN);
            try (var a = java.lang.foreign.Arena.ofConfined()) {
                Endpoint local = Sockets.localEndpoint(fd, a.allocate(Sockets.addrBufferSize(), 4));
                ListenSocket s = new ListenSocket(fd, local);
                fd = -1;
                return s;
            }
        } catch (ErrnoException e) {
            throw new IOException("bind(host:[" + host + "], port:" + port + "): " + e.getMessage());
        } finally {
            if (fd >= 0) Libc.close(fd);
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    /** accept4(2) flags: the relay never blocks, and no spawned process inherits a client socket. */
    static int acceptFlags() {
        return SockFlag.SOCK_NONBLOCK.bit | SockFlag.SOCK_CLOEXEC.bit;
    }
}
