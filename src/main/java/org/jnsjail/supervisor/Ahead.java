package org.jnsjail.supervisor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;

/**
 * Jails readied ahead of their peer, for a supervisor that knows what it will run next (RERUN: the
 * next run; LISTEN: the next connection): each is the same plan as a start on demand, run up to
 * the step where it takes its stdio ({@link Spawner#prepare}), on a pool thread while the current
 * jail runs. A start takes the oldest one (waiting for it if it is still being readied) or, when
 * none is there or one failed, starts a jail on demand, which then reports what went wrong. A
 * readied jail whose bind sources were replaced on the host meanwhile (another file at the path:
 * a bind pins the file it took) is discarded for one set up now, so a jail never runs with a file
 * the host no longer has at that path.
 *
 * <p>Not for jails that own something only one jail can have at a time: a host interface moved in
 * (iface_own) or a MACVLAN with its fixed address ({@link #possible}). One thread at a time uses it:
 * the supervisor's loop thread, or the API's {@code JailPool} under its lock.
 */
public final class Ahead implements AutoCloseable {
    /** Jails readied at most: a jail's set-up mostly waits for the kernel, so a few overlap well even on 2 CPUs. */
    static final int MAX_DEPTH = 4;
    /** A readied jail that waited this long for its start says jails are readied faster than they run. */
    static final long IDLE_NANOS = 1_000_000_000L;

    private final JailSpec spec;
    private final Caller caller;
    private final int maxDepth;
    /**
     * How many jails are kept readied now: one more each time a start found none ready (jails end
     * faster than they are readied), one fewer each time the one it took had waited over a second
     * (they run long: more readied jails would only sit there).
     */
    private int depth;
    private final ArrayDeque<CompletableFuture<Prepared>> queue = new ArrayDeque<>();

    /** Up to {@code maxDepth} jails readied at once; 0 (or a spec that cannot be readied twice) readies none. */
    public Ahead(JailSpec spec, Caller caller, int maxDepth) {
        this.spec = spec;
        this.caller = caller;
        this.maxDepth = possible(spec) ? maxDepth : 0;
        this.depth = Math.min(1, this.maxDepth);
    }

    /** Whether jails of {@code spec} can be readied ahead: not when each owns what only one can have (interfaces, rules). */
    public static boolean possible(JailSpec spec) {
        return !spec.net().any();
    }

    /** Whether a readied jail can be started at once, without waiting. */
    boolean ready() {
        CompletableFuture<Prepared> f = queue.peekFirst();
        return f != null && f.isDone();
    }

    /** Starts the next jail with {@code io}: the oldest readied one, else one on demand; then readies more. */
    public JailHandle start(JailIo io) throws JailFailure {
        CompletableFuture<Prepared> f = queue.pollFirst();
        if (f == null || !f.isDone()) {
            depth = Math.min(maxDepth, depth + 1);
        } else if (f.isDone() && !f.isCompletedExceptionally() && f.resultNow().waited() > IDLE_NANOS) {
            depth = Math.max(Math.min(1, maxDepth), depth - 1);
        }
        Prepared p = null;
        if (f != null) {
            try {
                p = f.join();
            } catch (RuntimeException e) {
                // It failed while nobody waited: the start on demand below says why, as nsjail would.
            }
        }
        try {
            if (p != null) {
                try {
                    return p.start(io);
                } catch (Prepared.Stale e) {
                    // A host file it took in was replaced meanwhile: start one that sees the new file.
                }
            }
            return Spawner.get().start(spec, io, caller);
        } finally {
            refill();
        }
    }

    /** A jail was started on demand because none was ready: ready more from now on. */
    void missed() {
        depth = Math.min(maxDepth, depth + 1);
        refill();
    }

    /** Readies jails on pool threads until {@code depth} are there or under way. */
    public void refill() {
        while (queue.size() < depth) queue.addLast(Spawner.get().prepareAsync(spec, caller));
    }

    /** Kills every readied jail (once it is readied, for those under way). */
    @Override
    public void close() {
        closeAll();
    }

    /**
     * As {@link #close}, and returns only once each of them is gone: those under way are waited
     * for, then killed and reaped (an embedder's close leaves no process behind).
     */
    public void closeAndWait() {
        for (CompletableFuture<Void> gone : closeAll()) {
            try {
                gone.join();
            } catch (RuntimeException e) {
                // one that failed to be readied left nothing to kill
            }
        }
    }

    private List<CompletableFuture<Void>> closeAll() {
        List<CompletableFuture<Void>> gone = new ArrayList<>(queue.size());
        for (CompletableFuture<Prepared> f : queue) gone.add(f.thenAccept(Prepared::close));
        queue.clear();
        return gone;
    }
}
