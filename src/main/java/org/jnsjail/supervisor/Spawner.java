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

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailException;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Namespace;
import org.jnsjail.log.Log;
import org.jnsjail.mount.HostFs;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.stub.Control;
import org.jnsjail.stub.ErrorHints;
import org.jnsjail.stub.Report;
import org.jnsjail.stub.ExecStub;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.ScmRights;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.user.IdMapFiles;
import org.jnsjail.model.JailResource;
import org.jnsjail.stub.ResidentStub;
import org.jnsjail.plan.FdLayout;

/**
 * Starts jails through the resident exec stub and speaks the jail's protocol: hand the stub the
 * jail's control socket and plan, learn the jail's pid, write the id maps, send "go", give the
 * jail its stdio when it asks ('R'), then read reports until EOF (EOF = execve succeeded, since
 * the control socket is close-on-exec).
 *
 * <p>Spawns may run on any thread, several at once: everything they share is either immutable,
 * read once behind a volatile or a lock ({@link ExecStub}, {@link HostInfo#get()}, the
 * cgroup session, {@link ResidentStub}), or per thread (Libc's errno capture); every fd they open
 * is close-on-exec, so a concurrent posix_spawn on another thread never hands one to a child.
 */
public final class Spawner {
    private static final Spawner INSTANCE = new Spawner();

    /** Asynchronous spawns waiting for a pool thread; unbounded, since every entry already holds its fds (LISTEN bounds them with --max_conns). */
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** The pool for {@link #startAsync}, created at its first use; never shrinks. */
    private volatile List<Thread> pool = List.of();

    public static Spawner get() {
        return INSTANCE;
    }

    /** Pool threads: as many as the CPUs, at least two, since a spawn mostly waits for the stub and the kernel. */
    static int poolSize() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts a jail and waits until its program runs, on the calling thread: the jail is cloned by
     * the resident stub, whose creating thread (not the caller) its parent-death signal follows.
     */
    public JailHandle start(JailSpec spec, JailIo io) throws JailException {
        return start(spec, io, Caller.self());
    }

    /** As {@link #start(JailSpec, JailIo)}, for {@code caller} (see {@link Caller}). */
    public JailHandle start(JailSpec spec, JailIo io, Caller caller) throws JailException {
        return launch(spec, caller).start(io);
    }

    /**
     * Readies a jail for {@code caller} up to its last step (cloned, id maps written, file system,
     * network, credentials and limits in place) where it waits for its stdio; {@link Prepared#start}
     * then runs it. Its log lines wait for that start too. A supervisor that knows its next jail
     * (RERUN, LISTEN) readies it while the previous one runs: the same plan, run earlier.
     */
    public Prepared prepare(JailSpec spec, Caller caller) throws JailException {
        return prepare(spec, caller, Log.Sink.deferred());
    }

    private Prepared prepare(JailSpec spec, Caller caller, Log.Sink held) throws JailException {
        Pins pins = Pins.of(spec, caller);
        Prepared p = Log.callWith(held, () -> launch(spec, caller));
        p.log = held;
        p.pins = pins;
        p.readyNanos = System.nanoTime();
        return p;
    }

    /**
     * The host files a readied jail took in (bind sources, --chroot, the --execute_fd binary), as
     * they were just before its set-up: if one is replaced (another inode at that path) before the
     * jail starts, the jail would run with the old one where a jail set up then would see the new.
     */
    record Pins(List<String> paths, List<long[]> ids) {
        static Pins of(JailSpec spec, Caller caller) throws JailException {
            List<String> paths = new ArrayList<>(org.jnsjail.mount.MountPlanner.hostSources(spec.mounts(), caller.env()));
            if (spec.execFd()) paths.add(spec.program());
            List<long[]> ids = new ArrayList<>(paths.size());
            for (String p : paths) ids.add(org.jnsjail.sys.FsState.identity(p));
            return new Pins(paths, ids);
        }

        /** The first path that names another file now, or null. */
        String changed() {
            for (int i = 0; i < paths.size(); i++) {
                if (!java.util.Arrays.equals(ids.get(i), org.jnsjail.sys.FsState.identity(paths.get(i)))) return paths.get(i);
            }
            return null;
        }
    }

    /** A readied jail whose host files changed before its start: it is discarded, and a new one started. */
    public static final class Stale extends JailException {
        private static final long serialVersionUID = 1L;

        Stale(String path) {
            super("'" + path + "' changed after the jail was readied");
        }
    }

    /** {@link #prepare} on a pool thread; its lines are held for the calling thread's log. */
    CompletableFuture<Prepared> prepareAsync(JailSpec spec, Caller caller) {
        Log.Sink held = Log.Sink.deferred();
        CompletableFuture<Prepared> f = new CompletableFuture<>();
        ensurePool();
        queue.add(() -> {
            try {
                f.complete(prepare(spec, caller, held));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
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
                f.complete(start(spec, io, caller));
            } catch (JailException e) {
                f.completeExceptionally(e);
            } catch (Throwable t) {
                f.completeExceptionally(new JailException("starting the jail failed: " + org.jnsjail.log.Quote.describe(t), t));
            }
        });
        return f;
    }

    /**
     * Lets the calling thread start the resident stub itself (the jails' parent-death signal
     * follows it): only for a thread that lives as long as the JVM, as the CLI's main thread.
     * Other threads have the stub started by a keeper thread.
     */
    public void adoptCurrentThread() {
        ResidentStub.adoptCurrentThread();
    }

    /** The resident exec stub's pid, or -1 while none runs (for diagnostics and tests). */
    public static int stubPid() {
        return ResidentStub.pid();
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

    /** Everything up to the jail's RECV_FDS: the first part of every start. */
    private Prepared launch(JailSpec spec, Caller caller) throws JailException {
        HostInfo host = HostInfo.get();
        int execFd = -1;
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

            FdLayout layout = FdLayout.of(spec, execFd >= 0, cgroupFd >= 0);
            Plan plan = JailPlans.clone(spec, caller, layout);
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.add(resources, spec, plan, host.euid()); // -v: logged at attach, when the pid is known

            int[] fds = new int[1 + (execFd >= 0 ? 1 : 0) + (cgroupFd >= 0 ? 1 : 0)];
            int[] targets = new int[fds.length];
            int k = 1;
            if (execFd >= 0) {
                fds[k] = execFd;
                targets[k++] = layout.exec();
            }
            if (cgroupFd >= 0) {
                fds[k] = cgroupFd;
                targets[k] = layout.cgroup();
            }
            targets[0] = layout.control();
            byte[] encoded = plan.encode();
            for (int attempt = 0; ; attempt++) {
                int[] sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
                Control ctl = new Control(sp[0]);
                boolean kept = false;
                try {
                    // The jail's first word carries its pid as we see it, even if the stub dies right after the clone.
                    UnixSocket.passCredentials(sp[0]);
                    fds[0] = sp[1];
                    ResidentStub.request(fds, targets, encoded, ctl);
                    Libc.close(sp[1]);
                    sp[1] = -1;
                    handedOver = true; // from here on the jail (or setUp's failure path) releases the resources
                    Prepared p = setUp(spec, plan, ctl, resources);
                    kept = true;
                    return p;
                } catch (StubGone e) {
                    // The stub died before it cloned (killed?): a new one takes the jail, once.
                    handedOver = false;
                    ResidentStub.stubGone();
                    if (attempt > 0) throw new JailException("The exec stub exited before cloning the jail");
                } finally {
                    if (sp[1] >= 0) Libc.close(sp[1]);
                    if (!kept) ctl.close();
                }
            }
        } catch (ErrnoException e) {
            throw new JailException("Couldn't launch the child process: " + e.getMessage());
        } finally {
            if (!handedOver) JailResources.releaseAll(resources);
            if (cgroupFd >= 0) Libc.close(cgroupFd);
            if (execFd >= 0) Libc.close(execFd);
        }
    }

    /** The control socket closed before any report: the stub died before cloning the jail. */
    private static final class StubGone extends Exception {
        private static final long serialVersionUID = 1L;

        StubGone() {
            super(null, null, false, false);
        }
    }

    /** Learns the jail's pid, takes it over, writes its id maps, says "go", and follows it to its RECV_FDS. */
    private static Prepared setUp(JailSpec spec, Plan plan, Control ctl, List<JailResource> resources)
            throws JailException, ErrnoException, StubGone {
        HostInfo host = HostInfo.get();
        Report rep = ctl.read();
        if (rep == null) throw new StubGone();
        // The jail runs its first ops (oom_score_adj, /dev/null) while the stub reports its pid, so
        // the jail's warning or error can arrive before the pid. After an error, still wait for
        // the pid (Pid from the stub or Child from the jail; EOF when the clone itself failed):
        // the jail must be reaped.
        Report early = null;
        while (rep != null && rep.pid() <= 0) {
            if (rep instanceof Report.Warned w) Log.warn(plan.describe(w.index()) + ": " + Errno.describe(w.errno()));
            else if (rep instanceof Report.Fds f) Control.closeAll(f.fds());
            if (!(rep instanceof Report.Warned) && early == null) early = rep;
            rep = ctl.read();
        }
        if (rep == null || early != null) {
            if (rep != null) Control.reapQuietly(rep.pid());
            JailResources.releaseAll(resources);
            if (early != null) throw new JailException(unexpected(plan, early));
            throw new JailException("The exec stub exited before cloning the jail");
        }
        int pid = rep.pid();
        ChildJail jail;
        try {
            jail = ChildJail.adopt(pid, resources);
        } catch (ErrnoException e) {
            // No pidfd (fd limit?): the pid is still ours until reaped, so kill and reap it by pid.
            Libc.kill(pid, Signals.SIGKILL);
            Control.reapQuietly(pid);
            JailResources.releaseAll(resources);
            throw e;
        }
        Prepared p = new Prepared(spec, plan, jail, ctl, resources);
        boolean ok = false;
        try {
            for (JailResource r : resources) r.attach(pid);
            if (spec.has(Namespace.USER)) IdMapFiles.writeFromParent(pid, spec.uidMaps(), spec.gidMaps(), host.euid());
            ctl.go();
            Report.Ready ready = p.follow();
            p.wanted = ready == null ? -1 : ready.wanted(); // EOF: the jail died on the way; its status says how
            ok = true;
            return p;
        } finally {
            if (!ok) jail.close();
        }
    }

    /** A report that has no place where it came: an error the jail reported, or a protocol error. */
    private static String unexpected(Plan plan, Report r) {
        return switch (r) {
            case Report.Failed f -> ErrorHints.failure(plan, f.index(), f.errno());
            case Report.Unknown u -> "The exec stub sent a report of unknown kind " + u.kind() + " (op " + u.index() + ")";
            default -> "The exec stub sent " + r.getClass().getSimpleName() + " out of order";
        };
    }

    /**
     * A jail at its last step, waiting for its stdio and --pass_fd fds (RECV_FDS). {@link #start}
     * gives them and lets it exec its program; {@link #close} kills a jail that is never started.
     */
    public static final class Prepared implements AutoCloseable {
        private final JailSpec spec;
        private final Plan plan;
        private final ChildJail jail;
        private final Control ctl;
        private final List<JailResource> resources;
        /** How many fds the jail asked for, or -1 if it ended before asking. */
        private int wanted;
        /** Lines logged while it was readied ahead of time, written at its start. */
        private Log.Sink log;
        /** For a jail readied ahead: the host files it took in, checked again at its start. */
        private Pins pins;
        /** When it was readied (System.nanoTime), for {@link #waited}. */
        private long readyNanos;
        private boolean done;

        private Prepared(JailSpec spec, Plan plan, ChildJail jail, Control ctl, List<JailResource> resources) {
            this.spec = spec;
            this.plan = plan;
            this.jail = jail;
            this.ctl = ctl;
            this.resources = resources;
        }

        /** The jail's pid (it is not running its program yet). */
        public int pid() {
            return jail.pid();
        }

        /** How long it has been waiting for its start since it was readied (nanoseconds). */
        long waited() {
            return System.nanoTime() - readyNanos;
        }

        /** Gives the jail its stdio and --pass_fd fds; returns once its program was executed. */
        public synchronized JailHandle start(JailIo io) throws JailException {
            if (done) throw new IllegalStateException("the jail was started or closed already");
            String changed = pins == null ? null : pins.changed();
            if (changed != null) {
                close();
                throw new Stale(changed);
            }
            done = true;
            if (log != null) log.replay();
            jail.startClock();
            boolean ok = false;
            try {
                if (wanted >= 0 && handFds(io) && follow() != null) throw new JailException("The jail asked for its fds twice");
                ok = true;
                return jail;
            } catch (ErrnoException e) {
                throw new JailException("Couldn't launch the child process: " + e.getMessage());
            } finally {
                ctl.close();
                if (!ok) jail.close();
            }
        }

        /** Its stdio and --pass_fd fds to the jail; false when it has gone meanwhile (its status says how). */
        private boolean handFds(JailIo io) throws ErrnoException, JailException {
            try {
                ctl.giveFds(fdsFor(spec, io), wanted);
                return true;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) throw e;
                return false;
            }
        }

        /** Kills and reaps a jail that was never started. */
        @Override
        public synchronized void close() {
            if (done) return;
            done = true;
            ctl.close();
            jail.close();
        }

        /**
         * Reads the jail's reports, taking warnings and fd hand-overs, up to its RECV_FDS (returned)
         * or EOF (null: execve succeeded, or the jail died on the way); an error report is thrown.
         */
        private Report.Ready follow() throws JailException, ErrnoException {
            for (Report r; (r = ctl.read()) != null; ) {
                switch (r) {
                    // the other of the two pid reports
                    case Report.Pid p when p.pid() != jail.pid() -> throw new JailException("The exec stub reported two pids for one jail");
                    case Report.Child c when c.pid() != jail.pid() -> throw new JailException("The exec stub reported two pids for one jail");
                    case Report.Pid p -> { }
                    case Report.Child c -> { }
                    case Report.Fds f -> {
                        handOver(f.kind(), f.fds(), resources);
                        ctl.go();
                    }
                    case Report.Warned w -> Log.warn(plan.describe(w.index()) + ": " + Errno.describe(w.errno()));
                    case Report.Ready ready -> {
                        return ready;
                    }
                    case Report.Failed f -> throw new JailException(unexpected(plan, f));
                    case Report.Unknown u -> throw new JailException(unexpected(plan, u));
                }
            }
            return null;
        }
    }

    /**
     * The jail's RECV_FDS: its stdio (but what it opened as /dev/null itself) and every --pass_fd,
     * in the plan's order.
     */
    private static int[] fdsFor(JailSpec spec, JailIo io) {
        int[] stdio = {io.stdin(), io.stdout(), io.stderr()};
        int[] targets = PlanBuilder.stdioTargets(spec);
        int[] all = new int[targets.length + spec.passFds().size()];
        for (int i = 0; i < targets.length; i++) all[i] = stdio[targets[i]];
        for (int i = 0; i < spec.passFds().size(); i++) all[targets.length + i] = io.sourceOf(spec.passFds().get(i));
        return all;
    }

    /** A hand-over ({@link Report.Fds}): the resource that asked for the fds takes them; then the jail may go on. */
    private static void handOver(int kind, int[] arr, List<JailResource> resources) throws JailException {
        for (JailResource r : resources) {
            if (r.takeFds(kind, arr)) return;
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
            Plan plan = JailPlans.inPlace(spec, Caller.self(), execFd);
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.inPlace(spec, plan);
            // nsjail sets up the cgroups for itself, then execs: the program keeps them, and with no
            // supervisor left nobody removes them (the next supervisor's stale sweep does).
            org.jnsjail.cgroup.Cgroups.enterSelf(spec.cgroups());
            ExecStub.execInPlace(plan);
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
