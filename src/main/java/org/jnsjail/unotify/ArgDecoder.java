package org.jnsjail.unotify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one notified syscall into an {@link Observation}, driven by the argument roles of
 * {@link TracedSyscall}. The jail's memory and file system are reached only through a
 * {@link JailView}, so this class is pure and fully unit-tested. Arguments are decoded in order and
 * appended as "name=value " (trailing space, one string) as nsjail does.
 */
final class ArgDecoder {
    private ArgDecoder() {}

    static final int AT_FDCWD = -100;

    static Observation decode(TracedSyscall sc, long[] args, boolean compat, JailView jail) {
        StringBuilder text = new StringBuilder();
        List<PathInfo> paths = new ArrayList<>(2);
        NetInfo net = null;
        int dirfd = AT_FDCWD;
        String socketKind = "";
        for (int i = 0; i < 6; i++) {
            long arg = compat ? args[i] & 0xffffffffL : args[i];
            switch (sc.role(i)) {
                case SKIP, ADDRLEN -> { }
                case PATH -> {
                    paths.add(path(jail, dirfd, arg));
                    dirfd = AT_FDCWD;
                }
                case DIRFD -> {
                    dirfd = (int) arg;
                    text.append("dirfd=").append(dirfd == AT_FDCWD ? "AT_FDCWD" : Integer.toString(dirfd)).append(' ');
                }
                case FLAGS -> openFlags(paths, (int) arg, compat);
                case OCTAL -> text.append("mode=0").append(Integer.toOctalString((int) arg)).append(' ');
                case ACCESS -> text.append("mode=").append(OpenFlags.accessMode((int) arg)).append(' ');
                case UID -> text.append("owner=").append((int) arg).append(' ');
                case GID -> text.append("group=").append((int) arg).append(' ');
                case ARGV -> strings(jail, arg, compat, "argv", text);
                case ENVP -> strings(jail, arg, compat, "envp", text);
                case FD -> {
                    // The fd number itself is left out: it would split identical accesses apart.
                    socketKind = jail.socketKind((int) arg);
                    if (!socketKind.isEmpty()) text.append("type=").append(socketKind).append(' ');
                }
                case SOCKADDR -> {
                    if (arg != 0) {
                        long addrlen = i + 1 < 6 ? args[i + 1] & 0xffffffffL : 0;
                        net = sockaddr(jail, arg, addrlen, socketKind);
                    }
                }
                case INT_FLAGS -> text.append("flags=").append((int) arg).append(' ');
                case DOMAIN -> text.append("domain=").append(SocketNames.domain((int) arg)).append(' ');
                case SOCK_TYPE -> text.append("type=").append(SocketNames.type((int) arg)).append(' ');
                case PROTOCOL -> text.append("protocol=").append(SocketNames.protocol((int) arg)).append(' ');
                case OPEN_HOW -> openHow(jail, arg, paths, compat, text);
            }
        }
        return new Observation(sc.displayName, text.toString(), paths, net);
    }

    /** A PATH argument: read, made absolute, looked up in the jail and on the host. */
    private static PathInfo path(JailView jail, int dirfd, long addr) {
        byte[] raw = jail.readString(addr);
        if (raw == JailView.NULL_POINTER || raw == JailView.INVALID_POINTER) {
            // Not a path at all: shown as the marker, not joined to the cwd, and not looked up.
            return PathInfo.of(text(raw), PathType.NONEXISTENT, PathType.NONEXISTENT);
        }
        byte[] abs = absolute(jail, dirfd, raw);
        return PathInfo.of(text(abs), jail.jailType(abs), jail.hostType(abs));
    }

    /**
     * nsjail's getAbsPath: an empty or absolute path is kept; a relative one is appended to the
     * target of /proc/PID/cwd or /proc/PID/fd/DIRFD (with a '/' between), without normalising "." or
     * "..". If that link cannot be read, the relative path is kept.
     */
    static byte[] absolute(JailView jail, int dirfd, byte[] raw) {
        if (raw.length == 0 || raw[0] == '/') return raw;
        byte[] base = jail.dirLink(dirfd);
        if (base == null || base.length == 0) return raw;
        boolean slash = base[base.length - 1] == '/';
        byte[] out = new byte[base.length + (slash ? 0 : 1) + raw.length];
        System.arraycopy(base, 0, out, 0, base.length);
        if (!slash) out[base.length] = '/';
        System.arraycopy(raw, 0, out, out.length - raw.length, raw.length);
        return out;
    }

    private static void openFlags(List<PathInfo> paths, int flags, boolean compat) {
        if (paths.isEmpty()) return;
        int last = paths.size() - 1;
        paths.set(last, paths.get(last).withOpenFlags(OpenFlags.decode(flags, compat)));
    }

    /** struct open_how { u64 flags; u64 mode; u64 resolve; } (openat2(2)); at least flags must be readable. */
    private static void openHow(JailView jail, long addr, List<PathInfo> paths, boolean compat, StringBuilder text) {
        byte[] how = new byte[24];
        int n = jail.read(addr, how, how.length);
        if (n < 8) return;
        openFlags(paths, (int) le64(how, 0), compat);
        long resolve = le64(how, 16);
        if (resolve != 0) text.append("resolve=").append(Long.toUnsignedString(resolve)).append(' ');
    }

    private static void strings(JailView jail, long addr, boolean compat, String name, StringBuilder text) {
        if (addr == 0) return;
        long[] ptrs = jail.readPointers(addr, compat);
        for (int j = 0; j < ptrs.length; j++) {
            text.append(name).append('[').append(j).append("]=").append(text(jail.readString(ptrs[j]))).append(' ');
        }
    }

    private static NetInfo sockaddr(JailView jail, long addr, long addrlen, String socketKind) {
        if (addrlen > SockaddrDecoder.MAX_ADDRLEN) return null;
        byte[] buf = new byte[SockaddrDecoder.MAX_ADDRLEN];
        int n = jail.read(addr, buf, (int) addrlen);
        SockaddrDecoder.Address a = SockaddrDecoder.decode(buf, addrlen, n, SocketNames.hasPorts(socketKind));
        if (a == null) return null;
        if (a.unixPath() == null) return new NetInfo(a.type(), a.endpoint(), a.port(), null);
        byte[] abs = absolute(jail, AT_FDCWD, a.unixPath());
        String p = text(abs);
        return new NetInfo(NetType.UNIX, p, -1, PathInfo.of(p, jail.jailType(abs), jail.hostType(abs)));
    }

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    /** Bytes from the jail as report text (UTF-8; invalid sequences become U+FFFD). */
    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
