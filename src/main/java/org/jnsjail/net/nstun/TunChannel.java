package org.jnsjail.net.nstun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

/**
 * Makes the TUN fd watchable by the engine's Selector, so one thread sleeps on host sockets and the
 * guest alike and a guest packet wakes it directly (no second thread, no hand-off). The JDK cannot
 * wrap a raw fd in a SelectableChannel, so a DatagramChannel is opened and bound to a fresh loopback
 * port, found among the process's fds by that unique address (getsockname), and its fd is then
 * replaced by a duplicate of the TUN fd (dup3, atomic). The channel is only ever registered with
 * the Selector (epoll_ctl on its fd) and closed (which closes the duplicate); it is never read or
 * written. When any step fails the stack falls back to its {@link TunReader} thread.
 */
final class TunChannel {
    private TunChannel() {}

    private static final int SOL_SOCKET = 1, SO_TYPE = 3, SOCK_DGRAM = 2, AF_INET = 2, O_CLOEXEC = 0x80000;

    /** A channel whose fd is now a duplicate of tunFd (configured non-blocking), or null when that cannot be done. */
    static DatagramChannel open(int tunFd) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            int fd = find(port);
            if (fd >= 0 && Libc.sys(Syscall.SYS_dup3, tunFd, fd, O_CLOEXEC, 0, 0, 0) == fd) return ch;
        } catch (IOException | RuntimeException e) {
            // fall through: the caller uses the watcher thread
        }
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
        return null;
    }

    /** The fd of this process's UDP socket bound to 127.0.0.1:port (unique: nothing else can hold that port), or -1. */
    private static int find(int port) throws IOException {
        List<Integer> fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::valueOf).toList();
        }
        int found = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(128, 8), len = a.allocate(4, 4), type = a.allocate(4, 4), tlen = a.allocate(4, 4);
            for (int fd : fds) {
                len.set(ValueLayout.JAVA_INT, 0, 128);
                if (Libc.sys(Syscall.SYS_getsockname, fd, addr.address(), len.address(), 0, 0, 0) != 0) continue;
                final int port0 = Structs.SockaddrIn.PORT, ip0 = Structs.SockaddrIn.ADDR;
                if (len.get(ValueLayout.JAVA_INT, 0) < ip0 + 4 || addr.get(ValueLayout.JAVA_SHORT, Structs.SockaddrIn.FAMILY) != AF_INET) continue;
                int p = ((addr.get(ValueLayout.JAVA_BYTE, port0) & 0xff) << 8) | (addr.get(ValueLayout.JAVA_BYTE, port0 + 1) & 0xff);
                boolean lo = addr.get(ValueLayout.JAVA_BYTE, ip0) == 127 && addr.get(ValueLayout.JAVA_BYTE, ip0 + 1) == 0
                        && addr.get(ValueLayout.JAVA_BYTE, ip0 + 2) == 0 && addr.get(ValueLayout.JAVA_BYTE, ip0 + 3) == 1;
                if (p != port || !lo) continue;
                tlen.set(ValueLayout.JAVA_INT, 0, 4);
                if (Libc.sys(Syscall.SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, type.address(), tlen.address(), 0) != 0) continue;
                if (type.get(ValueLayout.JAVA_INT, 0) != SOCK_DGRAM) continue;
                if (found >= 0) return -1; // not unique after all: do not guess
                found = fd;
            }
        }
        return found;
    }
}
