package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;

import sun.misc.Signal;

/**
 * The signals of an event-loop supervisor (LISTEN), as nsjail's: SIGINT/SIGTERM ask it to stop,
 * SIGUSR1 (and SIGQUIT, see {@link #installShow}) to log the running jails. The handlers run on
 * JVM threads, so they only record the request and write a byte into a self-pipe whose read end is
 * in the loop's poll set: the loop wakes at once and does the work on its own thread. Spawner
 * threads use the same pipe to say that a jail's start has completed ({@link #wake()}).
 */
final class SignalPipe implements AutoCloseable {
    private final int readFd, writeFd;
    private volatile int fatal;
    private volatile boolean show;
    private boolean closed;

    private SignalPipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    static SignalPipe install() throws ErrnoException {
        // Both ends non-blocking: a full pipe already holds a pending wake-up, and a drain must not block.
        int[] p = Libc.pipe2(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK);
        SignalPipe sp = new SignalPipe(p[0], p[1]);
        // nsjail uses sigaction(2) whatever the inherited disposition; the JVM keeps an inherited SIG_IGN.
        Libc.signalDefault(Signals.SIGINT);
        Libc.signalDefault(Signals.SIGTERM);
        Signal.handle(new Signal("INT"), s -> sp.onFatal(Signals.SIGINT));
        Signal.handle(new Signal("TERM"), s -> sp.onFatal(Signals.SIGTERM));
        installShow(() -> {
            sp.show = true;
            sp.wake();
        });
        return sp;
    }

    /**
     * SIGUSR1 runs {@code action}. SIGQUIT too if the JVM allows it: HotSpot reserves SIGQUIT for its
     * thread dump (even with -Xrs, sun.misc.Signal refuses it), so there it stays the JVM's.
     */
    static void installShow(Runnable action) {
        Signal.handle(new Signal("USR1"), s -> action.run());
        try {
            Signal.handle(new Signal("QUIT"), s -> action.run());
        } catch (IllegalArgumentException e) {
            // documented in docs/compatibility.md; nothing for the log (it would mean nothing to a user)
        }
    }

    private void onFatal(int sig) {
        fatal = sig;
        wake();
    }

    /**
     * Wakes the loop; any thread may call it (a write(2) of one byte, as a signal handler's). Locked
     * against {@link #close()}: a start's completion may still be waking the loop as it ends, and
     * a write to a closed fd number could land in a file opened meanwhile.
     */
    synchronized void wake() {
        if (closed) return;
        try (Arena a = Arena.ofConfined()) {
            Libc.writeFully(writeFd, a.allocate(1));
        } catch (ErrnoException e) {
            // EAGAIN: the pipe is full, so a wake-up is already pending
        }
    }

    /** The fd to poll for POLLIN. */
    int readFd() {
        return readFd;
    }

    /** Empties the pipe after a wake-up. */
    void drain(MemorySegment scratch) {
        // Until read(2) returns -1 (EAGAIN: empty; the pipe is non-blocking): every drain ends so,
        // so the plain syscall, which reports it without an exception.
        while (Libc.sys(Syscall.SYS_read, readFd, scratch.address(), scratch.byteSize(), 0, 0, 0) > 0) {
            // keep reading
        }
    }

    /** The fatal signal received (SIGINT or SIGTERM), or 0. */
    int fatal() {
        return fatal;
    }

    /** Whether a list was asked for since the last call. */
    boolean takeShow() {
        if (!show) return false;
        show = false;
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        Libc.close(readFd);
        Libc.close(writeFd);
    }
}
