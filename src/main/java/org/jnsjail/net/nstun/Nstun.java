package org.jnsjail.net.nstun;

import org.jnsjail.model.SetupStep;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.UserNet;
import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;

/**
 * The NSTUN user-mode TCP/IP stack of one jail (nsjail's {@code user_net} default backend): it
 * reads the guest's IP packets from the jail's TUN fd and carries TCP, UDP and ICMP echo over
 * ordinary host sockets, applying the rule4/rule6 rules.
 *
 * <p>Threads: "nstun-LABEL" runs the stack (one thread owns all flow state and reads the TUN fd);
 * only where the TUN fd cannot join that thread's Selector, "nstun-tun-LABEL" watches it while the
 * stack sleeps. Both are daemon platform threads and end in {@link #close}.
 *
 * <p>Unlike nsjail, a TCP connection or UDP datagram to the gateway (gw4/gw6) is carried to host
 * loopback only when the first matching rule is a REDIRECT or an ALLOW whose dst_ip is the gateway; otherwise
 * it is rejected, so host-loopback services stay out of the jail's reach by default.
 */
public final class Nstun implements AutoCloseable {
    /** The TUN device's MTU, as nsjail sets it; the stack's MSS and largest packet follow from it. */
    public static final int MTU = 64512;

    private final Engine engine;
    private final Thread engineThread, readerThread;
    private final int tunFd, wakeRead, wakeWrite;
    private boolean closed;

    private Nstun(Engine engine, int tunFd, int[] wake, String label) {
        this.engine = engine;
        this.tunFd = tunFd;
        this.wakeRead = wake[0];
        this.wakeWrite = wake[1];
        this.engineThread = Thread.ofPlatform().name("nstun-" + label).daemon().unstarted(engine);
        this.readerThread = engine.epollFd() < 0 ? null
                : Thread.ofPlatform().name("nstun-tun-" + label).daemon().unstarted(new TunReader(engine.epollFd(), tunFd, engine));
    }

    /**
     * Validates the config without touching the kernel: a one-line IllegalArgumentException naming
     * the field, e.g. "user_net.rule4[2].dst_ip: 'x' is not an IPv4 address or CIDR".
     */
    public static void check(UserNet cfg) {
        StackConfig.parse(cfg);
    }

    /**
     * Opens the HOST_TO_GUEST listeners (so a busy port fails the jail's start) and starts the stack
     * on tunFd, which now belongs to the stack. On failure nothing stays open (tunFd is closed too)
     * and the JailFailure's message is one line.
     */
    public static Nstun start(UserNet cfg, int tunFd, String label) throws JailFailure {
        StackConfig sc;
        try {
            sc = StackConfig.parse(cfg);
        } catch (IllegalArgumentException e) {
            Libc.close(tunFd);
            throw new JailFailure(SetupStep.NETWORK, e.getMessage());
        }
        Engine engine = null;
        int[] wake = null;
        try {
            int fl = Libc.fcntl(tunFd, Fcntl.F_GETFL, 0);
            Libc.fcntl(tunFd, Fcntl.F_SETFL, fl | Fcntl.O_NONBLOCK);
            wake = Libc.pipe2(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK);
            engine = new Engine(sc, tunFd, label);
            if (!engine.selectTun()) engine.openWatch(wake[0]);
            engine.listen();
            Nstun n = new Nstun(engine, tunFd, wake, label);
            n.engineThread.start();
            if (n.readerThread != null) n.readerThread.start();
            Log.debug("nstun " + label + ": started (guest " + cfg.ip4() + ", " + cfg.ip6() + ")");
            return n;
        } catch (ErrnoException | IOException | RuntimeException e) {
            if (engine != null) {
                engine.cleanupUnstarted();
                engine.closeWatch();
            }
            if (wake != null) {
                Libc.close(wake[0]);
                Libc.close(wake[1]);
            }
            Libc.close(tunFd);
            throw new JailFailure(SetupStep.NETWORK, "user_net: " + org.jnsjail.log.Quote.message(e), e);
        }
    }

    /** Stops the threads, closes every host socket, listener and the TUN fd. Idempotent; never throws. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(1);
            Libc.sys(Syscall.SYS_write, wakeWrite, one.address(), 1, 0, 0, 0);
        } catch (RuntimeException e) {
            // the interrupt below still ends the reader
        }
        engine.stop();
        if (readerThread != null) {
            readerThread.interrupt();
            join(readerThread);
        }
        join(engineThread);
        engine.closeWatch();
        Libc.close(wakeRead);
        Libc.close(wakeWrite);
        TunCloser.close(tunFd);
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** For tests: the number of TCP flows (read racily; only for assertions after quiet periods). */
    int tcpFlowsForTest() {
        return engine.tcpFlows();
    }
}
