package org.jnsjail.stub;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.UnixSocket;

/**
 * The exec stub, resident: one process per JVM that clones every jail (exec_stub.c, "resident
 * mode"), so a jail costs a clone and no execve of the stub. A request names the jail's control
 * socket and the fds it needs at clone time (exec fd, cgroup fd) with their numbers in the jail;
 * the stub then reads the plan from the control socket and clones. It decides nothing.
 *
 * <p>The stub is started from a thread that never ends (the CLI's main thread, or a keeper thread
 * of its own): a CLONE_PARENT child gets its creator's parent (clone(2)), here the JVM thread that
 * started the stub, and a parent-death signal fires when that thread ends (prctl(2),
 * PR_SET_PDEATHSIG). A stub that died (killed, or a malformed request) is reaped and replaced at
 * the next request; the jails it made stay the JVM's children and are unaffected.
 */
public final class ResidentStub {
    /** Request magic 'JNSR' (little-endian), as exec_stub.c's REQ_MAGIC. */
    static final int REQ_MAGIC = 0x524e534a;
    /** Fds per request, as exec_stub.c's REQ_MAX_FDS. */
    static final int MAX_FDS = 8;

    private static final Object LOCK = new Object();
    /** The CLI's main thread, which lives as long as the JVM and may start the resident stub itself. */
    private static final ThreadLocal<Boolean> ADOPTED = new ThreadLocal<>();
    private static ResidentStub current;

    private final int pid;
    private final int sock;

    private ResidentStub(int pid, int sock) {
        this.pid = pid;
        this.sock = sock;
    }

    /**
     * Hands one jail to the stub: {@code fds[0]} is the jail's control socket, every fd goes to the
     * number {@code targets} gives it in the jail, and {@code plan} (encoded) follows on {@code ctl}
     * (the control socket's other end). A stub found dead is replaced once.
     */
    public static void request(int[] fds, int[] targets, byte[] plan, Control ctl) throws ErrnoException {
        if (fds.length != targets.length || fds.length == 0 || fds.length > MAX_FDS) {
            throw new IllegalArgumentException("a request carries 1 to " + MAX_FDS + " fds, each with its target");
        }
        byte[] head = new byte[8 + 4 * targets.length];
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder());
        b.putInt(REQ_MAGIC).putInt(targets.length);
        for (int t : targets) b.putInt(t);
        // A plan that fits the socket's buffer goes first: the stub then reads it as soon as it
        // takes the request, without a wake-up in between. A larger one would block the write
        // until the stub reads, so it follows the request.
        boolean first = plan.length <= PLAN_AHEAD_MAX;
        if (first) writePlan(plan, ctl);
        synchronized (LOCK) {
            for (int attempt = 0; ; attempt++) {
                ResidentStub s = current;
                if (s == null) s = current = startOnLongLivedThread();
                try {
                    UnixSocket.send(s.sock, head, fds, 0);
                    break;
                } catch (ErrnoException e) {
                    // EPIPE, ECONNRESET: the stub is gone. Anything else is this request's own problem.
                    if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET || attempt > 0) throw e;
                    s.retire();
                }
            }
            // In order: the stub reads this plan before it takes the next request.
            if (!first) writePlan(plan, ctl);
        }
    }

    /** Plans up to this size are written before the request: well below a socket's send buffer (unix(7)). */
    static final int PLAN_AHEAD_MAX = 64 * 1024;

    private static void writePlan(byte[] plan, Control ctl) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(plan.length);
            seg.copyFrom(MemorySegment.ofArray(plan));
            Libc.writeFully(ctl.fd(), seg);
        } catch (ErrnoException e) {
            // The stub died before reading the plan: the jail's control socket says so (EOF).
        }
    }

    /**
     * Lets the calling thread start the resident stub itself (the jails' parent-death signal
     * follows it): only for a thread that lives as long as the JVM, as the CLI's main thread.
     * Other threads have the stub started by a keeper thread.
     */
    public static void adoptCurrentThread() {
        ADOPTED.set(Boolean.TRUE);
    }

    /** After a request whose control socket saw the stub go: replace it at the next request. */
    public static void stubGone() {
        synchronized (LOCK) {
            ResidentStub s = current;
            if (s != null && !s.alive()) s.retire();
        }
    }

    /** The stub's pid, or -1 if none runs (tests kill it to check the supervisor copes). */
    public static int pid() {
        synchronized (LOCK) {
            return current == null ? -1 : current.pid;
        }
    }

    private boolean alive() {
        try {
            return Libc.waitpid(pid, WNOHANG) == 0;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static final int WNOHANG = 1;

    /** Closes our end (a live stub then exits) and reaps it. Called with LOCK held. */
    private void retire() {
        Libc.close(sock);
        Libc.kill(pid, Signals.SIGKILL);
        Control.reapQuietly(pid);
        if (current == this) current = null;
    }

    private static ResidentStub startOnLongLivedThread() throws ErrnoException {
        if (ADOPTED.get() != null) return start();
        CompletableFuture<ResidentStub> f = new CompletableFuture<>();
        Keeper.TASKS.add(() -> {
            try {
                f.complete(start());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the stub must still be taken, or it would run unused
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof ErrnoException ee) throw ee;
                    throw new ErrnoException("starting the exec stub: " + e.getCause(), Errno.EIO);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** A thread that starts stubs and never ends (the stub's parent-death signal follows it). */
    private static final class Keeper {
        static final LinkedBlockingQueue<Runnable> TASKS = new LinkedBlockingQueue<>();

        static {
            Thread.ofPlatform().daemon().name("jnsjail-stub-keeper").start(() -> {
                for (;;) {
                    try {
                        TASKS.take().run();
                    } catch (InterruptedException e) {
                        // keep serving: exiting would kill every jail
                    }
                }
            });
        }
    }

    /** The stub, its end of a SOCK_SEQPACKET pair as fd 3 ({@link ExecStub#spawnResident}). */
    private static ResidentStub start() throws ErrnoException {
        int[] sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_SEQPACKET | Fcntl.SOCK_CLOEXEC, 0);
        try {
            int pid;
            try {
                pid = ExecStub.spawnResident(sp[1]);
            } catch (ErrnoException e) {
                // The stub beside the jar on a noexec mount: the jar's copy, once.
                if (e.errno() != Errno.EACCES && e.errno() != Errno.EPERM || !ExecStub.useJarCopy()) throw e;
                return start();
            }
            return new ResidentStub(pid, sp[0]);
        } catch (ErrnoException e) {
            Libc.close(sp[0]);
            throw e;
        } finally {
            Libc.close(sp[1]);
        }
    }
}
