package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;

import org.jnsjail.model.CgroupLimits;
import org.jnsjail.log.Log;

/**
 * The cgroup work done once per supervisor rather than per jail: version detection (logged once,
 * as nsjail logs it at start-up), the stale-cgroup sweep of each parent directory, and the names
 * of v2 cgroups. One per JVM in production, and one per request of a resident server (whose
 * client is, to the user, the supervisor: {@link #current()}); tests make their own.
 */
final class CgroupSession {
    static final CgroupSession JVM = new CgroupSession(KernelCgroupHost.INSTANCE);
    private static final ScopedValue<CgroupSession> CURRENT = ScopedValue.newInstance();

    final CgroupHost host;
    /** The pid v2 cgroups are named after: the supervisor's, or a resident server's client's. */
    private final int namePid;
    private final Map<Path, FutureTask<Void>> swept = new ConcurrentHashMap<>();
    private final Set<String> detectionLogged = ConcurrentHashMap.newKeySet();
    private final AtomicLong v2Seq = new AtomicLong();
    /** v1 parent directories this supervisor created because they were missing, in creation order. */
    private final java.util.List<Path> createdParents = new java.util.ArrayList<>();

    CgroupSession(CgroupHost host) {
        this(host, host.selfPid());
    }

    CgroupSession(CgroupHost host, int namePid) {
        this.host = host;
        this.namePid = namePid;
    }

    /** Whether the supervisor is this process, rather than a resident server's client. */
    boolean supervisorIsSelf() {
        return namePid == host.selfPid();
    }

    /** The session bound to this thread by {@link #callAs}, else the JVM's. */
    static CgroupSession current() {
        return CURRENT.orElse(JVM);
    }

    static <R, X extends Throwable> R callAs(CgroupSession s, ScopedValue.CallableOp<R, X> op) throws X {
        return ScopedValue.where(CURRENT, s).call(op);
    }

    CgroupVersion version(CgroupLimits l) {
        CgroupVersion v = CgroupVersion.choose(l, host);
        if (l.detectCgroupv2() && !l.useCgroupv2() && detectionLogged.add(l.cgroupv2Mount())) {
            Log.info("Detected cgroups version: " + v.number);
        }
        return v;
    }

    /**
     * Removes what killed supervisors left in {@code parent}, the first time a jail uses it. Jails
     * start on several threads at once: the others wait until the first one's sweep is done, so
     * none makes its cgroup while a sweep still lists the directory.
     */
    void sweepOnce(Path parent) {
        FutureTask<Void> sweep = new FutureTask<>(() -> StaleCgroups.removeAll(host, parent), null);
        FutureTask<Void> first = swept.putIfAbsent(parent.normalize(), sweep);
        if (first == null) {
            sweep.run();
            first = sweep;
        }
        boolean interrupted = false;
        for (;;) {
            try {
                first.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the sweep is short; finish waiting, keep the interrupt for the caller
            } catch (ExecutionException e) {
                // The sweep's own caller sees its failure, as before; for the others it is best-effort.
                if (first == sweep && e.getCause() instanceof RuntimeException r) throw r;
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** A missing v1 parent directory that this supervisor made (kept for later jails, removed at exit). */
    synchronized void createdParent(Path dir) {
        createdParents.add(dir);
    }

    /**
     * At the supervisor's exit: removes the parent directories it created, deepest first, where they
     * are empty (rmdir(2) refuses a cgroup with children or tasks: another supervisor may use it), and
     * says so in the log. Idempotent.
     */
    synchronized void removeCreatedParents() {
        for (int i = createdParents.size() - 1; i >= 0; i--) {
            Path p = createdParents.get(i);
            try {
                host.rmdir(p);
                Log.info("Removed the cgroup parent '" + p + "', which jnsjail had created");
            } catch (org.jnsjail.sys.ErrnoException e) {
                if (e.errno() == org.jnsjail.sys.Errno.ENOENT) continue;
                Log.info("Kept the cgroup parent '" + p + "', which jnsjail had created: "
                        + org.jnsjail.sys.Errno.describe(e.errno()) + " (still in use)");
            }
        }
        createdParents.clear();
    }

    /**
     * A v2 cgroup is made before clone3(CLONE_INTO_CGROUP), when the jail's pid is not known yet:
     * it is named after the supervisor and a counter, NSJAIL.<supervisor pid>.<n>.
     */
    String nextV2Name() {
        return "NSJAIL." + namePid + "." + v2Seq.incrementAndGet();
    }
}
