package org.jnsjail.net.nstun;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;

/**
 * Host sockets of user_net, counted across every stack of this supervisor: each TCP flow, UDP flow
 * (two with a SOCKS5 relay), ICMP echo socket and HOST_TO_GUEST listener. Each stack also caps its
 * own flows (4096 TCP, 1024 UDP, 256 ping), but a LISTEN supervisor runs many stacks, and a few
 * hostile jails could otherwise use up its RLIMIT_NOFILE, so that no further jail (and no client
 * connection) could be started at all. Half of the soft limit goes to these sockets; the other half
 * stays for the supervisor.
 *
 * <p>Fair shares: with N stacks, each is entitled to limit/N sockets. A stack may use more while
 * sockets are free (one jail alone may use them all), but not while another stack within its share
 * waits for one. A stack within its share that finds none free is told to try again later
 * ({@link Grant#DEFERRED}: the guest's packet is dropped, as on a congested link, and TCP or the
 * application retries), and the stacks furthest over their share are asked to give back that many
 * sockets: their engines end the flows idle longest. So however many hostile jails run beside it, a
 * jail within its share gets its sockets within a retransmission or two.
 */
final class FlowBudget {
    private FlowBudget() {}

    /** What a request for host sockets gets. */
    enum Grant {
        GRANTED,
        /** The stack is over its fair share and the sockets are wanted elsewhere (or all in use): refuse the flow. */
        REFUSED,
        /** The stack is within its share but none is free: drop the packet quietly; stacks over their share give back. */
        DEFERRED
    }

    /** How long a refused stack within its share keeps others from exceeding theirs, unless it gets its socket first. */
    static final long OWED_FOR = TimeUnit.SECONDS.toNanos(10);

    /** One stack's account. Fields other than {@code reclaim} are guarded by FlowBudget.class. */
    static final class Share {
        private int used;
        private long owedSince;
        private boolean owed;
        private final AtomicInteger reclaim = new AtomicInteger();
        private final Runnable wake;

        private Share(Runnable wake) {
            this.wake = wake;
        }

        /** Sockets this stack is asked to give back now (its engine ends that many flows); clears the request. */
        int reclaimWanted() {
            return reclaim.getAndSet(0);
        }

        int used() {
            synchronized (FlowBudget.class) {
                return used;
            }
        }
    }

    private static final List<Share> SHARES = new ArrayList<>();
    private static int used;

    /** Computed at first use; tests may lower it. */
    private static volatile int limit = -1;

    private static int compute() {
        try {
            long soft = Libc.getrlimit(RLimit.RLIMIT_NOFILE.resource)[0];
            return (int) Math.max(1024, Math.min(Integer.MAX_VALUE, soft < 0 ? Integer.MAX_VALUE : soft / 2));
        } catch (org.jnsjail.sys.ErrnoException e) {
            return 1024;
        }
    }

    static int limit() {
        int l = limit;
        if (l < 0) limit = l = compute();
        return l;
    }

    /** For tests: a smaller budget (a negative value restores the computed one). */
    static void setLimit(int l) {
        limit = l < 0 ? compute() : l;
    }

    /** A new stack; {@code wake} nudges its engine when it is asked to give sockets back. */
    static synchronized Share register(Runnable wake) {
        Share s = new Share(wake);
        SHARES.add(s);
        return s;
    }

    /** The stack ended: everything it held is free again. */
    static synchronized void unregister(Share s) {
        used -= s.used;
        s.used = 0;
        s.owed = false;
        SHARES.remove(s);
    }

    /** Each stack's entitlement now. */
    static synchronized int fairShare() {
        return Math.max(1, limit() / Math.max(1, SHARES.size()));
    }

    static synchronized int stacks() {
        return SHARES.size();
    }

    /** n host sockets for stack s. */
    static synchronized Grant take(Share s, int n) {
        int l = limit(), fair = fairShare();
        boolean within = s.used + n <= fair;
        if (used + n <= l && (within || !owedByOthers(s))) {
            s.used += n;
            used += n;
            s.owed = false;
            return Grant.GRANTED;
        }
        if (!within) return Grant.REFUSED;
        if (!s.owed) s.owedSince = System.nanoTime();
        s.owed = true;
        askBack(used + n - l, fair);
        return Grant.DEFERRED;
    }

    /** Sockets that do not wait for anyone's permission: the listeners the user configured (not the jail). */
    static synchronized void reserve(Share s, int n) {
        s.used += n;
        used += n;
    }

    static synchronized void give(Share s, int n) {
        n = Math.min(n, s.used);
        if (n <= 0) return;
        s.used -= n;
        used -= n;
    }

    /** For tests: sockets counted now, over all stacks. */
    static synchronized int used() {
        return used;
    }

    private static boolean owedByOthers(Share s) {
        long now = System.nanoTime();
        for (Share o : SHARES) {
            if (o != s && o.owed && now - o.owedSince < OWED_FOR) return true;
        }
        return false;
    }

    /** Asks the stacks furthest over their share to give back {@code need} sockets (less what is already asked). */
    private static void askBack(int need, int fair) {
        for (Share o : SHARES) need -= o.reclaim.get();
        while (need > 0) {
            Share worst = null;
            int worstOver = 0;
            for (Share o : SHARES) {
                int over = o.used - o.reclaim.get() - fair;
                if (over > worstOver) {
                    worst = o;
                    worstOver = over;
                }
            }
            if (worst == null) return; // everyone is within its share: the listeners alone fill the budget
            int r = Math.min(need, worstOver);
            worst.reclaim.addAndGet(r);
            worst.wake.run();
            need -= r;
        }
    }
}
