package org.jnsjail.net.nstun;

import java.util.concurrent.atomic.AtomicInteger;

import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;

/**
 * Host sockets for guest flows, counted across every stack of this supervisor. Each stack caps its
 * own flows (4096 TCP, 1024 UDP), but a LISTEN supervisor runs many stacks, and a few hostile jails
 * could otherwise use up its RLIMIT_NOFILE, so that no further jail (and no client connection) could
 * be started at all. Half of the soft limit goes to flows; the other half stays for the supervisor.
 */
final class FlowBudget {
    private FlowBudget() {}

    private static final AtomicInteger USED = new AtomicInteger();

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

    /** One flow's host socket; false when the supervisor-wide budget is used up. */
    static boolean take() {
        for (;;) {
            int u = USED.get();
            if (u >= limit()) return false;
            if (USED.compareAndSet(u, u + 1)) return true;
        }
    }

    static void give(int n) {
        if (n > 0) USED.addAndGet(-n);
    }

    /** For tests: flows counted now, over all stacks. */
    static int used() {
        return USED.get();
    }
}
