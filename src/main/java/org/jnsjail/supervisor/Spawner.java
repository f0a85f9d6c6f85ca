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
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.user.IdMapFiles;
import org.jnsjail.model.JailResource;

/**
 * Starts jails through the resident exec stub and speaks the jail's protocol: hand the stub the
 * jail's control socket and plan, learn the jail's pid, write the id maps, send "go", give the
 * jail its stdio when it asks ('R'), then read reports until EOF (EOF = execve succeeded, since
 * the control socket is close-on-exec).
 *
 * <p>Spawns may run on any thread, several at once: everything they share is either immutable,
 * read once behind a volatile or a lock ({@link ExecStub#fd()}, {@link HostInfo#get()}, the
 * cgroup session, {@link ResidentStub}), or per thread (Libc's errno capture); every fd they open
 * is close-on-exec, so a concurrent posix_spawn on another thread never hands one to a child.
 */
public final class Spawner {
    private static final Spawner INSTANCE = new Spawner();

    /** Asynchronous spawns waiting for a pool thread; unbounded, since every entry already holds its fds (LISTEN bounds them with --max_conns). */
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** The pool for {@link #startAsync}, created at its first use; never shrinks. */
    private volatile List<Thread> pool = List.of();
    /** The CLI's main thread, which lives as long as the JVM and may start the resident stub itself. */
    private static final ThreadLocal<Boolean> ADOPTED = new ThreadLocal<>();

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
        ADOPTED.set(Boolean.TRUE);
    }

    /** The resident exec stub's pid, or -1 while none runs (for diagnostics and tests). */
    public static int stubPid() {
        return ResidentStub.pid();
    }

    static boolean isAdoptedThread() {
        return ADOPTED.get() != null;
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

            // Fd numbers in the jail: each --pass_fd keeps its own; the control socket, the exec fd
            // and the cgroup fd lie above them, and the plan's own fds above those.
            int ctlTarget = 3;
            for (int p : spec.passFds()) ctlTarget = Math.max(ctlTarget, p + 1);
            int next = ctlTarget + 1;
            int execTarget = execFd >= 0 ? next++ : -1;
            int cgroupTarget = cgroupFd >= 0 ? next++ : -1;
            Plan plan = PlanBuilder.build(spec, new PlanBuilder.Context(PlanBuilder.Mode.CLONE, host, caller.env(),
                    HostFs.REAL, execTarget, CpuAffinity.choose(spec.maxCpus()), cgroupTarget, next,
                    Inheritance.startLimits(caller), caller.umask()));
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.add(resources, spec, plan, host.euid()); // -v: logged at attach, when the pid is known

            int[] fds = new int[1 + (execFd >= 0 ? 1 : 0) + (cgroupFd >= 0 ? 1 : 0)];
            int[] targets = new int[fds.length];
            int k = 1;
            if (execFd >= 0) {
                fds[k] = execFd;
                targets[k++] = execTarget;
            }
            if (cgroupFd >= 0) {
                fds[k] = cgroupFd;
                targets[k] = cgroupTarget;
            }
            targets[0] = ctlTarget;
            byte[] encoded = plan.encode();
            for (int attempt = 0; ; attempt++) {
                int[] sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
                boolean kept = false;
                try {
                    // The jail's first word carries its pid as we see it, even if the stub dies right after the clone.
                    UnixSocket.passCredentials(sp[0]);
                    fds[0] = sp[1];
                    ResidentStub.request(fds, targets, encoded, sp[0]);
                    Libc.close(sp[1]);
                    sp[1] = -1;
                    handedOver = true; // from here on the jail (or setUp's failure path) releases the resources
                    Prepared p = setUp(spec, plan, sp[0], resources);
                    kept = true;
                    return p;
                } catch (StubGone e) {
                    // The stub died before it cloned (killed?): a new one takes the jail, once.
                    handedOver = false;
                    ResidentStub.stubGone();
                    if (attempt > 0) throw new JailException("The exec stub exited before cloning the jail");
                } finally {
                    if (sp[1] >= 0) Libc.close(sp[1]);
                    if (!kept) Libc.close(sp[0]);
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
    private static Prepared setUp(JailSpec spec, Plan plan, int ctl, List<JailResource> resources)
            throws JailException, ErrnoException, StubGone {
        HostInfo host = HostInfo.get();
        try (Arena a = Arena.ofConfined()) {
            List<Integer> fds = new ArrayList<>();
            Record rec = readRecord(ctl, a, fds);
            if (rec == null) throw new StubGone();
            // The jail runs its first ops (oom_score_adj, /dev/null) while the stub reports its pid, so
            // the jail's warning or error can arrive before the pid. After an error, still wait for
            // the pid ('P' from the stub or 'C' from the jail; EOF when the clone itself failed):
            // the jail must be reaped.
            Record early = null;
            while (rec != null && rec.pid() <= 0) {
                if (rec.kind() == 'W') Log.warn(plan.describe(rec.index()) + ": " + Errno.describe(rec.value()));
                else if (early == null) early = rec;
                rec = readRecord(ctl, a, fds);
            }
            if (rec == null || early != null) {
                for (int f : fds) Libc.close(f);
                if (rec != null) reapQuietly(rec.pid());
                JailResources.releaseAll(resources);
                if (early != null) throw new JailException(failure(plan, early));
                throw new JailException("The exec stub exited before cloning the jail");
            }
            int pid = rec.pid();
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
            Prepared p = new Prepared(spec, plan, jail, ctl, resources);
            boolean ok = false;
            try {
                for (JailResource r : resources) r.attach(pid);
                if (spec.has(Namespace.USER)) IdMapFiles.writeFromParent(pid, spec.uidMaps(), spec.gidMaps(), host.euid());
                p.go();
                rec = p.follow(a, fds);
                p.wanted = rec == null ? -1 : rec.value(); // EOF: the jail died on the way; its status says how
                ok = true;
                return p;
            } finally {
                for (int f : fds) Libc.close(f); // fds that came with any report other than 'F'
                if (!ok) jail.close();
            }
        }
    }

    /**
     * A jail at its last step, waiting for its stdio and --pass_fd fds (RECV_FDS). {@link #start}
     * gives them and lets it exec its program; {@link #close} kills a jail that is never started.
     */
    public static final class Prepared implements AutoCloseable {
        private final JailSpec spec;
        private final Plan plan;
        private final ChildJail jail;
        private final int ctl;
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

        private Prepared(JailSpec spec, Plan plan, ChildJail jail, int ctl, List<JailResource> resources) {
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
            try (Arena a = Arena.ofConfined()) {
                List<Integer> fds = new ArrayList<>();
                try {
                    if (wanted >= 0 && handFds(io)) {
                        Record rec = follow(a, fds);
                        if (rec != null) throw new JailException("The jail asked for its fds twice");
                    }
                } finally {
                    for (int f : fds) Libc.close(f);
                }
                ok = true;
                return jail;
            } catch (ErrnoException e) {
                throw new JailException("Couldn't launch the child process: " + e.getMessage());
            } finally {
                Libc.close(ctl);
                if (!ok) jail.close();
            }
        }

        /** Its stdio and --pass_fd fds to the jail; false when it has gone meanwhile (its status says how). */
        private boolean handFds(JailIo io) throws ErrnoException, JailException {
            try {
                giveFds(ctl, spec, io, wanted);
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
            Libc.close(ctl);
            jail.close();
        }

        private void go() throws ErrnoException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment go = a.allocate(1);
                go.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'G');
                Libc.writeFully(ctl, go);
            }
        }

        /**
         * Reads the jail's reports, taking warnings and fd hand-overs, up to its 'R' (returned) or
         * EOF (null: execve succeeded, or the jail died on the way); an error report is thrown.
         */
        private Record follow(Arena a, List<Integer> fds) throws JailException, ErrnoException {
            for (;;) {
                Record rec = readRecord(ctl, a, fds);
                if (rec == null) return null;
                switch (rec.kind()) {
                    case 'P', 'C' -> {
                        // the other of the two pid reports
                        if (rec.pid() != jail.pid()) throw new JailException("The exec stub reported two pids for one jail");
                    }
                    case 'F' -> {
                        handOver(rec.value(), fds, resources);
                        go();
                    }
                    case 'W' -> Log.warn(plan.describe(rec.index()) + ": " + Errno.describe(rec.value()));
                    case 'R' -> {
                        return rec;
                    }
                    default -> throw new JailException(failure(plan, rec));
                }
            }
        }
    }

    /**
     * The jail's RECV_FDS: its stdio (but what it opened as /dev/null itself) and every --pass_fd,
     * in the plan's order, in 'D' records of at most 250 fds each (SCM_MAX_FD is 253, unix(7)).
     */
    private static void giveFds(int ctl, JailSpec spec, JailIo io, int wanted) throws ErrnoException, JailException {
        int[] stdio = {io.stdin(), io.stdout(), io.stderr()};
        int[] targets = PlanBuilder.stdioTargets(spec);
        int[] all = new int[targets.length + spec.passFds().size()];
        for (int i = 0; i < targets.length; i++) all[i] = stdio[targets[i]];
        for (int i = 0; i < spec.passFds().size(); i++) all[targets.length + i] = io.sourceOf(spec.passFds().get(i));
        giveFds(ctl, all, wanted);
    }

    /** Sends {@code all} in answer to an 'R' report that asked for {@code wanted} fds. */
    static void giveFds(int ctl, int[] all, int wanted) throws ErrnoException, JailException {
        if (all.length != wanted) throw new JailException("The jail asked for " + wanted + " fds, not " + all.length);
        int off = 0;
        do {
            int n = Math.min(250, all.length - off);
            byte[] d = new byte[16];
            ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt('D').putInt(n);
            UnixSocket.send(ctl, d, java.util.Arrays.copyOfRange(all, off, off + n), 0);
            off += n;
        } while (off < all.length);
    }

    /** The steps of one mount that its failure can come from (nsjail's hints are about these). */
    private static final java.util.Set<OpCode> MOUNT_STEPS = java.util.EnumSet.of(OpCode.OPEN_AT, OpCode.OPEN_TREE,
            OpCode.FS_MOUNT, OpCode.MOVE_MOUNT);
    /** The file system set-up's system calls, absent before Linux 5.12: there is no path-based fallback. */
    private static final java.util.Set<OpCode> FD_MOUNT_API = java.util.EnumSet.of(OpCode.OPEN_AT, OpCode.OPEN_TREE,
            OpCode.FS_MOUNT, OpCode.MOVE_MOUNT, OpCode.SETATTR_AT);

    /** One line naming the failed operation, its errno and nsjail's hints. */
    static String failure(Plan plan, Record rec) {
        int idx = rec.index(), err = rec.value();
        Op op = idx >= 0 && idx < plan.ops().size() ? plan.ops().get(idx) : null;
        StringBuilder b = new StringBuilder();
        b.append(plan.describe(idx)).append(" failed: ").append(Errno.describe(err));
        if (op != null && op.what().startsWith("Mount: ") && MOUNT_STEPS.contains(op.code())) {
            if (err == Errno.EACCES) b.append(" (try 'chmod o+x' on the source path and its parents)");
            if (op.what().contains("type:'proc'")) b.append(" (procfs mount may fail if /proc has overmounts)");
        }
        if (op != null && err == Errno.ENOSYS && FD_MOUNT_API.contains(op.code())) {
            b.append(" (jnsjail needs Linux 5.12 or later: openat2(2), the mount API of fsopen(2), open_tree(2) and"
                    + " move_mount(2), and mount_setattr(2))");
        }
        if (op != null && op.code() == OpCode.EXECVE && err == Errno.ENOENT) {
            b.append(" (no PATH search is done; the path must exist inside the jail)");
        }
        return b.toString();
    }

    /**
     * One report of the stub or the jail: its kind, the op index, its value, and the sender's pid
     * where the socket passes credentials.
     */
    record Record(int kind, int index, int value, int sender) {
        /** The jail's pid, where this report says it: 'P' from the stub, 'C' from the jail itself. */
        int pid() {
            return kind == 'P' ? value : kind == 'C' ? sender : 0;
        }
    }

    /**
     * One 16-byte report; fds that came with it (an 'F' report) are added to {@code fds}. Null at
     * EOF, and when the other end went away with something of ours unread (ECONNRESET, unix(7)): a
     * stub or jail killed before it read its plan, "go" or fds ended just the same.
     */
    static Record readRecord(int fd, Arena a, List<Integer> fds) throws ErrnoException {
        MemorySegment buf = a.allocate(16);
        long got = 0;
        int sender = 0;
        while (got < 16) {
            ScmRights.Received r;
            try {
                r = ScmRights.recv(fd, buf.asSlice(got));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ECONNRESET || got != 0) throw e;
                return null;
            }
            for (int f : r.fds()) fds.add(f);
            if (r.bytes() == 0) {
                if (got == 0) return null;
                throw new ErrnoException("short report from the exec stub", Errno.EIO);
            }
            if (got == 0) sender = r.senderPid();
            got += r.bytes();
        }
        ByteBuffer b = buf.asByteBuffer().order(ByteOrder.nativeOrder());
        return new Record(b.getInt(0), b.getInt(4), b.getInt(8), sender);
    }

    /** An 'F' report: the resource that asked for the fds takes them; then the jail may go on. */
    private static void handOver(int kind, List<Integer> fds, List<JailResource> resources) throws JailException {
        int[] arr = fds.stream().mapToInt(Integer::intValue).toArray();
        fds.clear();
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
