package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jnsjail.log.Log;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;

/**
 * One jail's tracer: a platform thread that owns the jail's seccomp listener fd, takes each
 * notification, decodes it, records it and always lets the syscall continue
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE): observation, never enforcement. It ends by itself when the
 * kernel reports POLLHUP (no process uses the filter any more) and closes the fd then.
 *
 * <p>The jail is blocked in its syscall until it is answered, so the answer is given in a finally
 * block whatever decoding did, and a jail that gets killed meanwhile (ENOENT) is normal. Each jail
 * has its own thread, so a jail that makes decoding slow (a pointer into memory a FUSE server of its
 * own must page in, a socket it closes with SO_LINGER while we hold a duplicate) delays only itself.
 */
public final class Tracer implements AutoCloseable {
    private final int fd;
    private final int jailPid;
    private final String label;
    private final Consumer<Observation> record;
    private final AtomicBoolean fdClosed = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong(), recorded = new AtomicLong(), undecodable = new AtomicLong();
    private Thread thread;

    private Tracer(int fd, int jailPid, String label, Consumer<Observation> record) {
        this.fd = fd;
        this.jailPid = jailPid;
        this.label = label;
        this.record = record;
    }

    /**
     * Starts tracing on {@code fd} (owned from now on), handing each observation of a still-waiting
     * caller to {@code record} (on the tracer thread). If no thread can be started, the fd is closed.
     */
    static Tracer start(int fd, int jailPid, String label, Consumer<Observation> record) {
        Tracer t = new Tracer(fd, jailPid, label, record);
        try {
            t.thread = Thread.ofPlatform().daemon().name("jnsjail-unotify-" + label).start(t::run);
        } catch (Throwable e) {
            // The jail's traced syscalls now fail with ENOSYS, as nsjail's untraced second jail's do.
            Log.error("unotify: cannot start a tracer for " + label + ": " + org.jnsjail.log.Quote.describe(e));
            t.closeFd();
        }
        return t;
    }

    private void run() {
        Log.debug("unotify: tracing " + label + " (pid " + jailPid + ")");
        try (Arena arena = Arena.ofConfined()) {
            NotifyFd listener = new NotifyFd(fd, arena);
            LiveJail jail = new LiveJail(arena);
            for (;;) {
                NotifyFd.Ready r = listener.await();
                if (r == NotifyFd.Ready.HANGUP) break;
                if (r == NotifyFd.Ready.NOTIFICATION) handle(listener, jail);
            }
        } catch (Throwable e) {
            Log.error("unotify: the tracer of " + label + " stopped: " + org.jnsjail.log.Quote.describe(e));
        } finally {
            closeFd();
            Log.debug("unotify: " + label + " done: " + received.get() + " notifications, " + recorded.get()
                    + " recorded, " + undecodable.get() + " not decodable");
        }
    }

    private void handle(NotifyFd listener, LiveJail jail) {
        Notification n = listener.receive();
        if (n == null) {
            int e = NotifyFd.lastErrno();
            if (e != Errno.EINTR && e != Errno.ENOENT) Log.debug("unotify: SECCOMP_IOCTL_NOTIF_RECV: " + Errno.describe(e));
            return;
        }
        received.incrementAndGet();
        try {
            Arch arch = Arch.byAudit(n.arch());
            TracedSyscall sc = TracedSyscall.of(arch, n.nr());
            if (sc == null || n.pid() <= 0) return;
            jail.target(n.pid());
            Observation o = ArgDecoder.decode(sc, n.args(), arch == Arch.X86 || arch == Arch.ARM, jail);
            // Only once the caller is known to be still waiting is what was read from its pid its own.
            if (o.recordsSomething() && listener.stillValid(n.id())) {
                record.accept(o);
                recorded.incrementAndGet();
            }
        } catch (Throwable e) {
            undecodable.incrementAndGet();
            if (Log.enabled(Log.Level.DEBUG)) Log.debug("unotify: syscall " + n.nr() + " of pid " + n.pid() + " not decoded: " + org.jnsjail.log.Quote.describe(e));
        } finally {
            int e = listener.answerContinue(n.id());
            if (e != 0 && e != Errno.ENOENT) Log.debug("unotify: SECCOMP_IOCTL_NOTIF_SEND: " + Errno.describe(e));
        }
    }

    private void closeFd() {
        if (fdClosed.compareAndSet(false, true)) Libc.close(fd);
    }

    /** Notifications received so far. */
    long received() {
        return received.get();
    }

    /** Notifications that were recorded in the statistics. */
    long recorded() {
        return recorded.get();
    }

    /**
     * Waits until the tracer thread has ended (it ends once every process of the jail is gone) and
     * the listener fd is closed. Never throws; idempotent; an interrupt is kept for the caller.
     */
    @Override
    public void close() {
        Thread t = thread;
        if (t == null) {
            closeFd();
            return;
        }
        if (t == Thread.currentThread()) return;
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
}
