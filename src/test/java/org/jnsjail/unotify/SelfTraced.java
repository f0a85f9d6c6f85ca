package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelOptions;
import org.jnsjail.sys.Libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Real notifications without a jail: a fresh platform thread sets no_new_privs and installs the
 * unotify filter on itself only (no TSYNC: the rest of the test JVM is untouched), with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER; a {@link Tracer} takes the listener. What the thread (and any
 * process it spawns, which inherits the filter) does is then traced; the filter dies with them.
 */
final class SelfTraced {
    private SelfTraced() {}

    static final long SYS_PRCTL = 157, SYS_SECCOMP = 317;
    static final int PR_SET_NO_NEW_PRIVS = 38, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;

    /** What the traced thread should do; it may throw, the failure is rethrown by {@link #run}. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} on a traced thread, waits for it and for the tracer to end (POLLHUP once the
     * thread and every process it spawned are gone), and returns the tracer.
     */
    static Tracer run(Stats stats, Body body) throws Exception {
        return run(stats::add, body);
    }

    static Tracer run(java.util.function.Consumer<Observation> record, Body body) throws Exception {
        byte[] filter = KafelCompiler.compile(Unotify.policy(), KafelOptions.defaults()).toSockFilterBytes();
        CompletableFuture<Integer> listener = new CompletableFuture<>();
        CountDownLatch go = new CountDownLatch(1);
        Exception[] failure = new Exception[1];
        Thread t = Thread.ofPlatform().name("self-traced").start(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment f = a.allocate(filter.length, 8);
                MemorySegment.copy(filter, 0, f, JAVA_BYTE, 0, filter.length);
                MemorySegment prog = a.allocate(16, 8);
                prog.set(JAVA_SHORT, 0, (short) (filter.length / 8));
                prog.set(JAVA_LONG, 8, f.address());
                if (Libc.sys(SYS_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) != 0) {
                    listener.complete(-Libc.errno());
                    return;
                }
                int fd = (int) Libc.sys(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                        prog.address(), 0, 0, 0);
                listener.complete(fd < 0 ? -Libc.errno() : fd);
                if (fd < 0) return;
                go.await();
                body.run();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        int fd = listener.get(10, TimeUnit.SECONDS);
        if (fd < 0) throw new IllegalStateException("seccomp(NEW_LISTENER) failed: errno " + -fd);
        Tracer tracer = Tracer.start(fd, (int) ProcessHandle.current().pid(), "self-traced", record);
        go.countDown();
        t.join();
        tracer.close();
        if (failure[0] != null) throw failure[0];
        return tracer;
    }
}
