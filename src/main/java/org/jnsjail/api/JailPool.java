package org.jnsjail.api;

import java.lang.ref.Cleaner;

import org.jnsjail.model.Caller;
import org.jnsjail.supervisor.Ahead;

/**
 * Jails of one {@link Jail} readied ahead of their start, made by {@link Jail#readyAhead(int)}: what
 * nsjail's RERUN and LISTEN modes gain from knowing their next jail, for a program that starts the
 * same description again and again. A readied jail has been through every step of its set-up but
 * the last (namespaces, id maps, cgroups, root file system, network, credentials, limits, seccomp
 * filter) and waits for its stdio; {@link #start()} opens the redirects, hands them over and lets it
 * run its program, then readies the next one on a pool thread while it runs. Its time limit counts
 * from that start, not from when it was readied.
 *
 * <pre>{@code
 * Jail jail = new JailBuilder("/usr/bin/python3", "-c", code).readOnlyRoot().build();
 * try (JailPool pool = jail.readyAhead(2)) {
 *     for (String input : inputs) {
 *         JailProcess p = pool.start();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>A jail is the same whether it came from the pool or from {@link Jail#start()}: the same plan,
 * run earlier. A readied jail whose bind sources (or --chroot) were replaced on the host after it
 * was readied is discarded for one set up at the start, so no jail sees a host file that is no
 * longer at its path. A readied jail that failed is discarded too, and the start then sets one up
 * and throws the {@link JailException} that says why.
 *
 * <p>The pool keeps one jail readied and readies more (up to the number given) only while starts
 * find none ready; one left waiting for over a second lowers the number again. Each readied jail
 * is a process of its own, with its namespaces and cgroups, until it is started or the pool is
 * closed; a pool dropped unclosed has its readied jails killed once it is collected. Thread-safe:
 * starts from several threads take readied jails one at a time.
 */
public final class JailPool implements AutoCloseable {
    /** The most jails a pool keeps readied. */
    public static final int MAX_READIED = 16;

    private final Jail jail;
    private final Ahead ahead;
    /** Kills the readied jails of a pool that became unreachable unclosed (holds the Ahead, not the pool). */
    private final Cleaner.Cleanable dropped;
    private boolean closed;

    JailPool(Jail jail, int jails) {
        if (jails < 1 || jails > MAX_READIED) {
            throw new IllegalArgumentException("jails to ready ahead: 1 to " + MAX_READIED + ", not " + jails);
        }
        if (!Ahead.possible(jail.spec())) {
            throw new IllegalStateException("Jails that own a host interface, a MACVLAN or traffic rules cannot be"
                    + " readied ahead: only one jail at a time can have them");
        }
        this.jail = jail;
        this.ahead = new Ahead(jail.spec(), Caller.self(), jails);
        this.dropped = OwnedFd.Holder.CLEANER.register(this, ahead::close);
        ahead.refill();
    }

    /**
     * The description the pool's jails have.
     *
     * @return the jail description this pool was made from
     */
    public Jail jail() {
        return jail;
    }

    /**
     * Starts the next jail: a readied one (waiting for it if it is still being readied), else one set
     * up now; returns once its program runs, as {@link Jail#start()} does.
     *
     * @return the running jail
     * @throws JailException if it could not be started; {@link JailException#step()} and
     *     {@link JailException#errno()} say where and why
     * @throws IllegalStateException if the pool is closed
     */
    public synchronized JailProcess start() throws JailException {
        if (closed) throw new IllegalStateException("the jail pool is closed");
        return jail.start(ahead::start);
    }

    /**
     * Kills the readied jails and returns once they are gone (those still being readied are waited
     * for): no process, mount, cgroup or fd of theirs is left. Jails already started are not
     * touched. Closing again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ahead.closeAndWait();
        dropped.clean(); // nothing is left for it to kill: only deregisters
    }
}
