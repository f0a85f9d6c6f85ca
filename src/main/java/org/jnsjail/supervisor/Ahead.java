package org.jnsjail.supervisor;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import org.jnsjail.api.Caller;
import org.jnsjail.api.JailException;
import org.jnsjail.api.JailHandle;
import org.jnsjail.api.JailIo;
import org.jnsjail.api.JailSpec;

/**
 * Jails readied ahead of their peer, for a supervisor that knows what it will run next (RERUN: the
 * next run; LISTEN: the next connection): each is the same plan as a start on demand, run up to
 * the step where it takes its stdio ({@link Spawner#prepare}), on a pool thread while the current
 * jail runs. A start takes the oldest one (waiting for it if it is still being readied) or, when
 * none is there or one failed, starts a jail on demand, which then reports what went wrong.
 *
 * <p>Not for jails that own something only one jail can have at a time: a host interface moved in
 * (iface_own) or a MACVLAN with its fixed address. Only the supervisor's loop thread uses it.
 */
final class Ahead implements AutoCloseable {
    private final JailSpec spec;
    private final Caller caller;
    private final int depth;
    private final ArrayDeque<CompletableFuture<Spawner.Prepared>> queue = new ArrayDeque<>();

    /** Up to {@code depth} jails readied at once; 0 (or a spec that cannot be readied twice) readies none. */
    Ahead(JailSpec spec, Caller caller, int depth) {
        this.spec = spec;
        this.caller = caller;
        this.depth = spec.net().any() ? 0 : depth;
    }

    /** Whether a readied jail can be started at once, without waiting. */
    boolean ready() {
        CompletableFuture<Spawner.Prepared> f = queue.peekFirst();
        return f != null && f.isDone();
    }

    /** Starts the next jail with {@code io}: the oldest readied one, else one on demand; then readies more. */
    JailHandle start(JailIo io) throws JailException {
        CompletableFuture<Spawner.Prepared> f = queue.pollFirst();
        Spawner.Prepared p = null;
        if (f != null) {
            try {
                p = f.join();
            } catch (RuntimeException e) {
                // It failed while nobody waited: the start on demand below says why, as nsjail would.
            }
        }
        try {
            return p != null ? p.start(io) : Spawner.get().start(spec, io, caller);
        } finally {
            refill();
        }
    }

    /** Readies jails on pool threads until {@code depth} are there or under way. */
    void refill() {
        while (queue.size() < depth) queue.addLast(Spawner.get().prepareAsync(spec, caller));
    }

    /** Kills every readied jail (once it is readied, for those under way). */
    @Override
    public void close() {
        for (CompletableFuture<Spawner.Prepared> f : queue) f.thenAccept(Spawner.Prepared::close);
        queue.clear();
    }
}
