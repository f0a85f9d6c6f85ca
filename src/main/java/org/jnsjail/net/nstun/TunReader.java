package org.jnsjail.net.nstun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

/**
 * The thread that watches the TUN fd for the engine while the engine sleeps in its Selector (which
 * cannot watch a raw fd). It waits in the engine's epoll set, where the TUN fd is registered
 * EPOLLONESHOT: when it fires, the engine is woken and reads the packets itself, and re-arms the
 * watch only before it next sleeps, so this thread wakes at most once per engine sleep and never
 * touches a packet. It holds no stack state, and ends when close() writes to the wake pipe.
 */
final class TunReader implements Runnable {
    private final int epollFd, tunFd;
    private final Engine eng;

    TunReader(int epollFd, int tunFd, Engine eng) {
        this.epollFd = epollFd;
        this.tunFd = tunFd;
        this.eng = eng;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(2L * Structs.EpollEvent.SIZE, 8);
            for (;;) {
                long n = Libc.sys(Syscall.SYS_epoll_wait, epollFd, events.address(), 2, -1, 0, 0);
                if (n < 0) {
                    int e = Libc.errno();
                    if (e == Errno.EINTR) continue;
                    eng.debug("epoll_wait on the TUN device failed: " + Errno.describe(e));
                    return;
                }
                boolean tun = false;
                for (int i = 0; i < n; i++) {
                    long fd = events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * Structs.EpollEvent.SIZE + Structs.EpollEvent.DATA);
                    if (fd != tunFd) return; // close() wrote to the wake pipe
                    tun = true;
                }
                if (tun) eng.tunReady();
            }
        } catch (RuntimeException e) {
            eng.warn("TUN watcher stopped: " + org.jnsjail.log.Quote.describe(e));
        }
    }
}
