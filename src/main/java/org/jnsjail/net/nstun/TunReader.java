package org.jnsjail.net.nstun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.PollSet;

/**
 * The thread that reads the TUN fd (non-blocking; one read is one packet) in poll(2) together with
 * a wake pipe, and hands each packet to the engine. It holds no stack state. When the engine's queue
 * is full it stops reading, so a flooding guest fills its own TUN queue (where the kernel drops).
 */
final class TunReader implements Runnable {
    private static final int BATCH = 64;
    private final int tunFd, wakeFd;
    private final Engine eng;

    TunReader(int tunFd, int wakeFd, Engine eng) {
        this.tunFd = tunFd;
        this.wakeFd = wakeFd;
        this.eng = eng;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined(); PollSet ps = new PollSet(2)) {
            MemorySegment buf = arena.allocate(Nstun.MTU + 4096, 8);
            for (;;) {
                ps.clear();
                ps.add(tunFd, PollEvent.POLLIN.bit);
                ps.add(wakeFd, PollEvent.POLLIN.bit);
                int r = ps.poll(-1);
                if (r == -Errno.EINTR) continue;
                if (r < 0) {
                    eng.debug("poll on the TUN device failed: " + Errno.describe(-r));
                    return;
                }
                if (ps.revents(1) != 0) return; // close() wrote to the wake pipe
                int ev = ps.revents(0);
                if ((ev & PollEvent.POLLIN.bit) == 0) {
                    if (ev != 0) {
                        eng.debug("the TUN device is gone (poll events 0x" + Integer.toHexString(ev) + ")");
                        return;
                    }
                    continue;
                }
                int got = 0;
                while (got < BATCH) {
                    long n = Libc.sys(0 /* read */, tunFd, buf.address(), buf.byteSize(), 0, 0, 0);
                    if (n < 0) {
                        int e = Libc.errno();
                        if (e == Errno.EINTR) continue;
                        if (e == Errno.EAGAIN) break;
                        eng.debug("read from the TUN device failed: " + Errno.describe(e));
                        return;
                    }
                    if (n == 0) {
                        eng.debug("the TUN device is closed");
                        return;
                    }
                    eng.offer(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                    got++;
                }
                if (got > 0) eng.wakeup();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            eng.warn("TUN reader stopped: " + e);
        }
    }
}
