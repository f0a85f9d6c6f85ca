package org.jnsjail.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The long-lived threads asynchronous starts run on. A jail's parent-death signal follows the
 * thread that created it (prctl(2), PR_SET_PDEATHSIG), so these threads never end, not even when
 * interrupted; the pool is made at its first use (or at {@link #start}) and never shrinks.
 */
final class SpawnPool {
    /** Starts waiting for a pool thread; unbounded, since every entry already holds its fds (LISTEN bounds them with --max_conns). */
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private volatile List<Thread> pool = List.of();

    /** Pool threads: as many as the CPUs, at least two, since a spawn mostly waits for the stub and the kernel. */
    static int size() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Runs {@code task} on a pool thread. */
    void submit(Runnable task) {
        start();
        queue.add(task);
    }

    /** Creates the threads now, if they do not exist yet. */
    synchronized void start() {
        if (!pool.isEmpty()) return;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            // Never exits (not even when interrupted): jails it created would get their parent-death signal.
            threads.add(Thread.ofPlatform().daemon().name("jnsjail-spawner-" + i).unstarted(() -> {
                for (;;) {
                    try {
                        queue.take().run();
                    } catch (InterruptedException e) {
                        // keep serving
                    }
                }
            }));
        }
        pool = List.copyOf(threads);
        for (Thread t : threads) t.start();
    }
}
