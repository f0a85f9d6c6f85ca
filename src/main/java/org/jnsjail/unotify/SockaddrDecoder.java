package org.jnsjail.unotify;

import java.nio.charset.StandardCharsets;

/**
 * A struct sockaddr read from the jail, decoded the way nsjail's report shows it (unix(7), ip(7),
 * ipv6(7), netlink(7)). Only AF_INET, AF_INET6, AF_UNIX and AF_NETLINK are reported; other families
 * leave no net_access entry.
 */
final class SockaddrDecoder {
    private SockaddrDecoder() {}

    /** sizeof(struct sockaddr_storage): a longer addrlen is not decoded at all. */
    static final int MAX_ADDRLEN = 128;
    /** sizeof(sun_path). */
    static final int SUN_PATH_MAX = 108;

    static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;

    /**
     * A decoded address. {@code unixPath} is set (raw bytes, maybe relative) for an AF_UNIX path
     * address, which the caller makes absolute and looks up; {@code port} is -1 when not reported.
     */
    record Address(NetType type, String endpoint, int port, byte[] unixPath) {}

    /**
     * Decodes {@code buf}: a zero-filled buffer of {@link #MAX_ADDRLEN} bytes into which
     * {@code readBytes} bytes of the jail's sockaddr were read; {@code addrlen} is what the syscall
     * passed; {@code ports} says whether the socket is a stream or datagram one. Null when there is
     * nothing to report (family unknown, fewer than two bytes readable).
     */
    static Address decode(byte[] buf, long addrlen, int readBytes, boolean ports) {
        if (readBytes < 2 || addrlen > MAX_ADDRLEN) return null;
        int family = (buf[0] & 0xff) | ((buf[1] & 0xff) << 8); // sa_family_t, host (little-endian) order
        int port = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);   // sin_port/sin6_port, network order
        return switch (family) {
            case AF_INET -> new Address(NetType.IPV4, InetText.ipv4(buf, 4), ports ? port : -1, null);
            case AF_INET6 -> new Address(NetType.IPV6, InetText.ipv6(buf, 8), ports ? port : -1, null);
            case AF_UNIX -> unix(buf, (int) addrlen);
            case AF_NETLINK -> new Address(NetType.NETLINK, "NETLINK", -1, null);
            default -> null;
        };
    }

    /**
     * unix(7): addrlen == sizeof(sa_family_t) is an unnamed socket; a leading NUL byte makes an
     * abstract name (all addrlen - 2 bytes, NULs included, shown after "@"); otherwise a path up to
     * its first NUL. The last sun_path byte is treated as NUL, as nsjail does.
     */
    private static Address unix(byte[] buf, int addrlen) {
        int pathLen = Math.min(Math.max(addrlen - 2, 0), SUN_PATH_MAX);
        buf[2 + SUN_PATH_MAX - 1] = 0;
        if (pathLen == 0) return new Address(NetType.UNIX, "anonymous unix socket", -1, null);
        if (buf[2] != 0) {
            int n = 0;
            while (n < pathLen && buf[2 + n] != 0) n++;
            byte[] path = new byte[n];
            System.arraycopy(buf, 2, path, 0, n);
            return new Address(NetType.UNIX, null, -1, path);
        }
        String name = new String(buf, 3, pathLen - 1, StandardCharsets.UTF_8);
        return new Address(NetType.UNIX, "@" + name, -1, null);
    }
}
