package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import org.jnsjail.api.Caller;
import org.jnsjail.api.JailException;
import org.jnsjail.api.JailHandle;
import org.jnsjail.api.JailIo;
import org.jnsjail.api.JailSpec;
import org.jnsjail.api.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.mount.HostFs;
import org.jnsjail.plan.Op;
import org.jnsjail.plan.OpCode;
import org.jnsjail.plan.Plan;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.ExecStub;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.ScmRights;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;
import org.jnsjail.user.IdMapFiles;

/**
 * Runs the exec stub for each jail and speaks its protocol: send the plan, learn the jail's pid,
 * write the id maps, send "go", then read reports until EOF (EOF = execve succeeded, since the
 * control socket is close-on-exec).
 *
 * <p>Spawns may run on several threads at once: everything they share is either immutable, read
 * once behind a volatile or a lock ({@link ExecStub#fd()}, {@link HostInfo#get()}, the cgroup
 * session), or per thread (Libc's errno capture); every fd they open is close-on-exec, so a
 * concurrent posix_spawn on another thread never hands one to the wrong stub.
 */
public final class Spawner {
    private static final Spawner INSTANCE = new Spawner();

    /** Spawns waiting for a pool thread; unbounded, since every entry already holds its fds (LISTEN bounds them with --max_conns). */
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** The pool, created at the first use from a thread that is not a spawner thread itself; never shrinks. */
    private volatile List<Thread> pool = List.of();
    /** Threads that spawn inline: the CLI's main thread (ONCE, RERUN), a resident server's request threads. */
    private static final ThreadLocal<Boolean> ADOPTED = new ThreadLocal<>();

    public static Spawner get() {
        return INSTANCE;
    }

    /** Pool threads: as many as the CPUs, at least two, since a spawn mostly waits for the stub and the kernel. */
    static int poolSize() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts a jail and waits until its program runs. The stub (and through CLONE_PARENT the jail)
     * is created from a long-lived platform thread: PR_SET_PDEATHSIG fires when the creating
     * *thread* exits (prctl(2)), so a spawner thread runs it unless the caller is one already.
     */
    public JailHandle start(JailSpec spec, JailIo io) throws JailException {
        return start(spec, io, Caller.self());
    }

    /** As {@link #start(JailSpec, JailIo)}, for {@code caller} (see {@link Caller}). */
    public JailHandle start(JailSpec spec, JailIo io, Caller caller) throws JailException {
        if (isSpawnerThread()) return spawn(spec, io, caller);
        CompletableFuture<JailHandle> f = startAsync(spec, io, caller);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Nobody will hold the jail if the start still succeeds: take it down then.
            f.thenAccept(JailHandle::close);
            throw new JailException("interrupted while starting the jail");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JailException je) throw je;
            throw new JailException("starting the jail failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Starts a jail on a pool thread; the future completes (on that thread) once the program runs,
     * or exceptionally with a {@link JailException}. The fds in {@code io} must stay open until then.
     */
    public CompletableFuture<JailHandle> startAsync(JailSpec spec, JailIo io) {
        return startAsync(spec, io, Caller.self());
    }

    private CompletableFuture<JailHandle> startAsync(JailSpec spec, JailIo io, Caller caller) {
        CompletableFuture<JailHandle> f = new CompletableFuture<>();
        ensurePool();
        queue.add(() -> {
            try {
                f.complete(spawn(spec, io, caller));
            } catch (JailException e) {
                f.completeExceptionally(e);
            } catch (Throwable t) {
                f.completeExceptionally(new JailException("starting the jail failed: " + org.jnsjail.log.Quote.describe(t), t));
            }
        });
        return f;
    }

    /**
     * Makes the calling thread a spawning thread: the CLI's main thread lives as long as the JVM, and a
     * resident server's request thread as long as the jails it starts (their parent-death signal follows it).
     */
    public void adoptCurrentThread() {
        ADOPTED.set(Boolean.TRUE);
    }

    private boolean isSpawnerThread() {
        return ADOPTED.get() != null || pool.contains(Thread.currentThread());
    }

    /** Creates the pool now, not at the first asynchronous start: a server's thread count is then fixed from the outset. */
    public void startPool() {
        ensurePool();
    }

    private synchronized void ensurePool() {
        if (!pool.isEmpty()) return;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < poolSize(); i++) {
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

    private JailHandle spawn(JailSpec spec, JailIo io, Caller caller) throws JailException {
        HostInfo host = HostInfo.get();
        int execFd = -1;
        int[] sp = null;
        int stubPid = -1;
        int cgroupFd = -1;
        List<JailResource> resources = JailResources.forSpec(spec);
        boolean handedOver = false;
        try {
            for (JailResource r : resources) {
                int fd = r.prepare();
                if (fd >= 0) cgroupFd = fd;
            }
            if (cgroupFd < 0 && caller.cgroupFd() >= 0) {
                // No cgroup of its own: the jail starts in its caller's, as under the caller's own supervisor.
                CallerCgroup cg = new CallerCgroup(caller.cgroupFd());
                resources.add(cg);
                cgroupFd = cg.prepare();
            }
            if (spec.execFd()) execFd = openExecFd(spec.program());
            sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);

            // Target fd numbers in the stub lie above every source, so no dup2 clobbers a later source.
            // The stub's memfd stays open (it is close-on-exec) until execve has opened it.
            int stubFd = ExecStub.fd();
            int top = Math.max(Math.max(stubFd, cgroupFd), Math.max(sp[1], execFd));
            top = Math.max(top, Math.max(io.stdin(), Math.max(io.stdout(), io.stderr())));
            for (int p : spec.passFds()) top = Math.max(top, Math.max(p, io.sourceOf(p)));
            int ctlTarget = top + 1;
            int execTarget = execFd >= 0 ? ctlTarget + 1 : -1;
            int cgroupTarget = cgroupFd >= 0 ? Math.max(ctlTarget, execTarget) + 1 : -1;
            int last = Math.max(Math.max(ctlTarget, execTarget), cgroupTarget);
            Plan plan = PlanBuilder.build(spec, new PlanBuilder.Context(PlanBuilder.Mode.CLONE, host, caller.env(),
                    HostFs.REAL, execTarget, CpuAffinity.choose(spec.maxCpus()), cgroupTarget, last + 1,
                    Inheritance.startLimits(caller), caller.umask()));
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.add(resources, spec, plan, host.euid()); // -v: logged at attach, when the pid is known

            List<Libc.FdAction> actions = new ArrayList<>();
            actions.add(Libc.FdAction.dup2(io.stdin(), 0));
            actions.add(Libc.FdAction.dup2(io.stdout(), 1));
            actions.add(Libc.FdAction.dup2(io.stderr(), 2));
            Set<Integer> keep = new HashSet<>(List.of(0, 1, 2, ctlTarget, stubFd));
            for (int p : spec.passFds()) {
                actions.add(Libc.FdAction.dup2(io.sourceOf(p), p));
                keep.add(p);
            }
            actions.add(Libc.FdAction.dup2(sp[1], ctlTarget));
            if (execFd >= 0) {
                actions.add(Libc.FdAction.dup2(execFd, execTarget));
                keep.add(execTarget);
            }
            if (cgroupFd >= 0) {
                actions.add(Libc.FdAction.dup2(cgroupFd, cgroupTarget));
                keep.add(cgroupTarget);
            }
            for (int n = 3; n < last; n++) if (!keep.contains(n)) actions.add(Libc.FdAction.close(n));
            stubPid = Libc.posixSpawn(ExecStub.path(), new String[] {"jnsjail-stub", "s", Integer.toString(ctlTarget)},
                    new String[0], actions, last + 1);
            Libc.close(sp[1]);
            sp[1] = -1;
            if (execFd >= 0) {
                Libc.close(execFd);
                execFd = -1;
            }
            int pid = stubPid;
            stubPid = -1; // handshake reaps it
            handedOver = true; // from here on the jail (or handshake's failure path) releases the resources
            return handshake(spec, plan, sp[0], pid, host, resources);
        } catch (ErrnoException e) {
            throw new JailException("Couldn't launch the child process: " + e.getMessage());
        } finally {
            if (!handedOver) JailResources.releaseAll(resources);
            if (cgroupFd >= 0) Libc.close(cgroupFd);
            if (sp != null) {
                if (sp[1] >= 0) Libc.close(sp[1]);
                Libc.close(sp[0]);
            }
            if (execFd >= 0) Libc.close(execFd);
            if (stubPid > 0) reapQuietly(stubPid);
        }
    }

    private JailHandle handshake(JailSpec spec, Plan plan, int ctl, int stubPid, HostInfo host,
            List<JailResource> resources) throws JailException, ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            byte[] encoded = plan.encode();
            MemorySegment seg = a.allocate(encoded.length);
            seg.copyFrom(MemorySegment.ofArray(encoded));
            try {
                Libc.writeFully(ctl, seg);
            } catch (ErrnoException e) {
                // The stub died before reading the plan; its exit status tells why.
            }
            List<Integer> fds = new ArrayList<>();
            int[] rec = readRecord(ctl, a, fds);
            // The jail runs its first ops (oom_score_adj, /dev/null) while the stub reports its pid, so
            // the jail's warning or error can arrive before the stub's 'P'. After an error, still wait
            // for the 'P' (or EOF, when the clone itself failed): the jail's pid must be reaped.
            int[] early = null;
            while (rec != null && rec[0] != 'P') {
                if (rec[0] == 'W') Log.warn(plan.describe(rec[1]) + ": " + Errno.describe(rec[2]));
                else if (early == null) early = rec;
                rec = readRecord(ctl, a, fds);
            }
            if (rec == null || early != null) {
                if (rec != null) reapQuietly(rec[2]);
                JailResources.releaseAll(resources);
                if (early != null) {
                    reapQuietly(stubPid);
                    throw new JailException(failure(plan, early));
                }
                throw new JailException("The exec stub exited before cloning the jail (status "
                        + describeWait(Libc.waitpid(stubPid, 0)) + ")");
            }
            int pid = rec[2];
            reapQuietly(stubPid);
            ChildJail jail;
            try {
                jail = ChildJail.adopt(pid, resources);
            } catch (ErrnoException e) {
                // No pidfd (fd limit?): the pid is still ours until reaped, so kill and reap it by pid.
                Libc.kill(pid, Signals.SIGKILL);
                reapQuietly(pid);
                JailResources.releaseAll(resources);
                throw e;
            }
            boolean ok = false;
            try {
                for (JailResource r : resources) r.attach(pid);
                if (spec.has(Namespace.USER)) IdMapFiles.writeFromParent(pid, spec.uidMaps(), spec.gidMaps(), host.euid());
                MemorySegment go = a.allocate(1);
                go.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'G');
                Libc.writeFully(ctl, go);
                for (;;) {
                    rec = readRecord(ctl, a, fds);
                    if (rec == null) break; // EOF: execve succeeded (or the jail died on the way)
                    if (rec[0] == 'F') {
                        handOver(rec[2], fds, resources, ctl, go);
                    } else if (rec[0] == 'W') {
                        Log.warn(plan.describe(rec[1]) + ": " + Errno.describe(rec[2]));
                    } else {
                        throw new JailException(failure(plan, rec));
                    }
                }
                ok = true;
                return jail;
            } finally {
                for (int f : fds) Libc.close(f); // fds that came with any report other than 'F'
                if (!ok) jail.close();
            }
        }
    }

    /** One line naming the failed operation, its errno and nsjail's hints. */
    static String failure(Plan plan, int[] rec) {
        int idx = rec[1], err = rec[2];
        Op op = idx >= 0 && idx < plan.ops().size() ? plan.ops().get(idx) : null;
        StringBuilder b = new StringBuilder();
        b.append(plan.describe(idx)).append(" failed: ").append(Errno.describe(err));
        if (op != null && op.code() == OpCode.MOUNT) {
            if (err == Errno.EACCES) b.append(" (try 'chmod o+x' on the source path and its parents)");
            if (op.what().contains("type:'proc'")) b.append(" (procfs mount may fail if /proc has overmounts)");
        }
        if (op != null && op.code() == OpCode.EXECVE && err == Errno.ENOENT) {
            b.append(" (no PATH search is done; the path must exist inside the jail)");
        }
        return b.toString();
    }

    /** One 16-byte report; fds that came with it (an 'F' report) are added to {@code fds}. Null at EOF. */
    static int[] readRecord(int fd, Arena a, List<Integer> fds) throws ErrnoException {
        MemorySegment buf = a.allocate(16);
        long got = 0;
        while (got < 16) {
            ScmRights.Received r = ScmRights.recv(fd, buf.asSlice(got));
            for (int f : r.fds()) fds.add(f);
            if (r.bytes() == 0) {
                if (got == 0) return null;
                throw new ErrnoException("short report from the exec stub", Errno.EIO);
            }
            got += r.bytes();
        }
        ByteBuffer b = buf.asByteBuffer().order(ByteOrder.nativeOrder());
        return new int[] {b.getInt(0), b.getInt(4), b.getInt(8)};
    }

    /** An 'F' report: the resource that asked for the fds takes them, then the jail may go on. */
    private static void handOver(int kind, List<Integer> fds, List<JailResource> resources, int ctl, MemorySegment go)
            throws JailException, ErrnoException {
        int[] arr = fds.stream().mapToInt(Integer::intValue).toArray();
        fds.clear();
        for (JailResource r : resources) {
            if (r.takeFds(kind, arr)) {
                Libc.writeFully(ctl, go);
                return;
            }
        }
        for (int f : arr) Libc.close(f);
        throw new JailException("The jail handed over fds (kind " + kind + ") that no part of the supervisor asked for");
    }

    private static int openExecFd(String path) throws JailException {
        try {
            // Opened before the namespaces exist, so the binary need not exist inside the jail.
            return Libc.open(path, Fcntl.O_RDONLY | Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            throw new JailException("Couldn't open '" + path + "' for --execute_fd: " + e.getMessage());
        }
    }

    static void reapQuietly(int pid) {
        try {
            Libc.waitpid(pid, 0);
        } catch (ErrnoException e) {
            // already reaped
        }
    }

    static String describeWait(int status) {
        if ((status & 0x7f) == 0) return "exit " + ((status >> 8) & 0xff);
        return "signal " + Signals.name(status & 0x7f);
    }

    /** -Me: replace this process by the stub with a plan in a memfd. */
    public static void execInPlace(JailSpec spec) throws JailException {
        // nsjail's EXECVE mode has no net initParent: no supervisor stays to make vs or move interfaces.
        if (spec.net().any()) throw new JailException("MACVLAN, iface_own and traffic rules need a supervisor (not -Me)");
        HostInfo host = HostInfo.get();
        try {
            int execFd = spec.execFd() ? openExecFd(spec.program()) : -1;
            if (execFd >= 0) Libc.fcntl(execFd, Fcntl.F_SETFD, 0);
            // The plan first: it refuses what needs a supervisor (user_net, --seccomp_unotify) before
            // anything changes on the host.
            Caller caller = Caller.self();
            Plan plan = PlanBuilder.build(spec, new PlanBuilder.Context(PlanBuilder.Mode.IN_PLACE, host,
                    caller.env(), HostFs.REAL, execFd, CpuAffinity.choose(spec.maxCpus()), -1, -1,
                    Inheritance.startLimits(caller), -1));
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.inPlace(spec, plan);
            // nsjail sets up the cgroups for itself, then execs: the program keeps them, and with no
            // supervisor left nobody removes them (the next supervisor's stale sweep does).
            org.jnsjail.cgroup.Cgroups.enterSelf(spec.cgroups());
            int memfd = Libc.memfdCreate("jnsjail-plan", 0);
            try (Arena a = Arena.ofConfined()) {
                byte[] encoded = plan.encode();
                MemorySegment seg = a.allocate(encoded.length);
                seg.copyFrom(MemorySegment.ofArray(encoded));
                Libc.writeFully(memfd, seg);
            }
            Libc.syscall(8 /* lseek */, memfd, 0, 0);
            System.out.flush();
            System.err.flush();
            Libc.execve(ExecStub.path(), new String[] {"jnsjail-stub", "e", Integer.toString(memfd)}, new String[0]);
        } catch (ErrnoException e) {
            throw new JailException("Launching new process failed: " + e.getMessage());
        }
    }

    static int pidfdOpen(int pid) throws ErrnoException {
        long fd = Libc.syscall(Syscall.SYS_pidfd_open, pid, 0, 0);
        if (fd < 0) throw new ErrnoException("pidfd_open", Libc.errno());
        return (int) fd;
    }

    static Map<String, String> env() {
        return System.getenv();
    }
}
