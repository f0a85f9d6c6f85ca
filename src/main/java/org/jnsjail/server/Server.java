package org.jnsjail.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Pidfd;
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The resident server: one accepting thread, each client served on a thread of a pool (a jail dies
 * with its request because the request kills it: see Session). Only clients
 * with the server's own effective uid are served (SO_PEERCRED, checked by the kernel at connect(2));
 * a request costs the server a bounded amount of memory and time, and a broken one nothing else.
 */
final class Server {
    /** Requests served at once; beyond that a client runs cold. */
    static final int MAX_ACTIVE = 64;
    /** Bytes of requests being read at once, all clients together. */
    static final long READ_BUDGET = 32L << 20;

    final ServerDir dir;
    final Handler handler;
    final long idleNanos;
    final int euid = Libc.geteuid();
    final Map<String, String> env = System.getenv();
    final Channel.Budget budget = new Channel.Budget(READ_BUDGET);
    final Identity identity;
    /** The accepting thread's own attributes, which every request thread inherits. */
    Facts self;
    Takeover.Reported selfReported;

    final AtomicLong served = new AtomicLong(), cold = new AtomicLong(), refused = new AtomicLong(),
            malformed = new AtomicLong();
    final AtomicInteger active = new AtomicInteger();
    private final long startedMillis = System.currentTimeMillis();
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean stopping;
    private final int[] wake;
    private final AtomicLong ids = new AtomicLong();
    /**
     * The threads requests run on (and their signal monitors), kept for a while after a request:
     * a thread per request costs more than the request's own work. Each gets a working directory
     * of its own (unshare(CLONE_FS)), the client's during a request and '/' between requests.
     */
    final java.util.concurrent.ExecutorService threads = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            r -> Thread.ofPlatform().name("jnsjail-request-" + ids.incrementAndGet()).unstarted(r));

    /** Which jnsjail build this is: the jar (or class directory) it runs from, as it was at start. */
    record Identity(String path, Pidfd.FileId file, long mtime) {
        static Identity of(Path p) throws java.io.IOException, ErrnoException {
            return new Identity(p.toString(), Pidfd.stat(p.toString()), Files.getLastModifiedTime(p).toMillis());
        }

        /** Why a client of {@code claimed} is not ours, or null. */
        String mismatch(String claimed) {
            try {
                if (!Pidfd.stat(claimed).equals(file)) return "the client belongs to another jnsjail (" + claimed
                        + "; the server runs " + path + ")";
                if (Files.getLastModifiedTime(Path.of(path)).toMillis() != mtime) {
                    return path + " was rebuilt after the server started (restart it: --server stop, --server start)";
                }
                return null;
            } catch (ErrnoException | java.io.IOException | RuntimeException e) {
                return "the client's jnsjail '" + claimed + "' cannot be checked: " + org.jnsjail.log.Quote.message(e);
            }
        }
    }

    Server(ServerDir dir, Handler handler, long idleSeconds, Identity identity) throws ErrnoException {
        this.dir = dir;
        this.handler = handler;
        this.idleNanos = idleSeconds * 1_000_000_000L;
        this.identity = identity;
        this.wake = Libc.pipe2(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK);
    }

    /** Binds the socket (the caller holds the lock, so a leftover socket file is stale). */
    int bind() throws ErrnoException {
        FsState.unlink(dir.socket());
        int fd = UnixSocket.stream();
        UnixSocket.bind(fd, dir.socket());
        FsState.chmod(dir.socket(), 0600);
        UnixSocket.listen(fd, 128);
        return fd;
    }

    /** Accepts until stopped or idle; then waits for the requests still running. */
    void serve(int listenFd) throws java.io.IOException, ErrnoException {
        self = Facts.ofSelf();
        selfReported = new Takeover.Reported((int) Libc.sys(Syscall.SYS_prctl, 27 /* PR_GET_SECUREBITS */, 0, 0, 0, 0, 0),
                (int) Libc.sys(Syscall.SYS_personality, 0xffffffffL, 0, 0, 0, 0, 0));
        try (Arena a = Arena.ofConfined()) {
            final int one = Structs.Pollfd.SIZE; // the second pollfd
            MemorySegment p = a.allocate(2 * one);
            MemorySegment scratch = a.allocate(64);
            while (!stopping) {
                p.set(JAVA_INT, Structs.Pollfd.FD, listenFd);
                p.set(JAVA_SHORT, Structs.Pollfd.EVENTS, (short) 1 /* POLLIN */);
                p.set(JAVA_SHORT, Structs.Pollfd.REVENTS, (short) 0);
                p.set(JAVA_INT, one + Structs.Pollfd.FD, wake[0]);
                p.set(JAVA_SHORT, one + Structs.Pollfd.EVENTS, (short) 1);
                p.set(JAVA_SHORT, one + Structs.Pollfd.REVENTS, (short) 0);
                int r = Libc.poll(p, 2, 1000);
                if (r > 0 && (p.get(JAVA_SHORT, Structs.Pollfd.REVENTS) & 1) != 0) accept(listenFd);
                if (r > 0 && (p.get(JAVA_SHORT, one + Structs.Pollfd.REVENTS) & 1) != 0) Libc.read(wake[0], scratch, 64);
                if (idleNanos > 0 && active.get() == 0 && System.nanoTime() - lastActivity > idleNanos) {
                    Log.info("No request for " + idleNanos / 1_000_000_000L + " s: stopping");
                    stopping = true;
                }
            }
        }
        // New clients find no socket and run cold; those running finish.
        FsState.unlink(dir.socket());
        Libc.close(listenFd);
        while (active.get() > 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void accept(int listenFd) {
        int fd = UnixSocket.accept(listenFd);
        if (fd < 0) return; // EAGAIN, ECONNABORTED, EMFILE: the next poll tries again
        Channel ch = new Channel(fd);
        try {
            UnixSocket.Cred cred = UnixSocket.peerCred(fd);
            if (active.incrementAndGet() > MAX_ACTIVE) {
                active.decrementAndGet();
                cold.incrementAndGet();
                ch.send(Wire.text(Wire.COLD, "the server is serving " + MAX_ACTIVE + " requests already"));
                ch.close();
                return;
            }
            lastActivity = System.nanoTime();
            threads.execute(new Session(this, ch, cred));
        } catch (ErrnoException | RuntimeException | OutOfMemoryError e) {
            Log.error("accepting a client failed: " + org.jnsjail.log.Quote.describe(e));
            ch.close();
        }
    }

    /** A request thread is done. */
    void finished() {
        lastActivity = System.nanoTime();
        active.decrementAndGet();
    }

    /** Stops accepting (a stop request, SIGTERM or SIGINT); running requests finish. */
    void stop() {
        stopping = true;
        try (Arena a = Arena.ofConfined()) {
            Libc.writeFully(wake[1], a.allocate(1));
        } catch (ErrnoException e) {
            // the pipe is full: a wake-up is pending
        }
    }

    String status() {
        long up = (System.currentTimeMillis() - startedMillis) / 1000;
        return "jnsjail server: running, pid " + ProcessHandle.current().pid() + ", socket " + dir.socket() + ", up "
                + up + " s, idle timeout " + (idleNanos == 0 ? "none" : idleNanos / 1_000_000_000L + " s") + ", jnsjail "
                + identity.path() + "; requests: " + served.get() + " served, " + cold.get() + " run cold, "
                + refused.get() + " refused, " + malformed.get() + " malformed, " + (active.get() - 1) + " running now";
    }
}
