package org.jnsjail.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailIo;
import org.jnsjail.log.Log;
import org.jnsjail.supervisor.FatalSignals;
import org.jnsjail.supervisor.Standalone;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Pidfd;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.UnixSocket;

/**
 * One client, on its own thread: read the request, check that the server can give the jail what
 * a cold run would ({@link Takeover}), parse it with the client's environment, working directory
 * (this thread's own, unshare(CLONE_FS)), umask and limits, fetch the fds the command line names,
 * run the jail with the client's stdio and report its status. Anything the server cannot serve is
 * answered "cold" before anything happened, and the client runs it itself.
 */
final class Session implements Runnable {
    /** A request must arrive (and an fd reply follow) within this long. */
    static final long READ_TIMEOUT_NANOS = 10_000_000_000L;

    private final Server server;
    private final Channel ch;
    private final UnixSocket.Cred cred;
    /** Every fd this request holds, closed when it ends. */
    private final List<Integer> owned = new ArrayList<>();

    Session(Server server, Channel ch, UnixSocket.Cred cred) {
        this.server = server;
        this.ch = ch;
        this.cred = cred;
    }

    /** The request cannot be served here: the client runs it cold (and logs why at -v). */
    private static final class Cold extends Exception {
        private static final long serialVersionUID = 1L;

        Cold(String why) {
            super(why, null, false, false);
        }
    }

    @Override
    public void run() {
        try {
            if (cred.uid() != server.euid) {
                // Only a process with CAP_DAC_OVERRIDE gets this far (the directory is 0700).
                server.refused.incrementAndGet();
                ch.send(Wire.text(Wire.ERROR, "jnsjail server: refused: the client's uid " + Integer.toUnsignedString(
                        cred.uid()) + " is not the server's (" + Integer.toUnsignedString(server.euid) + ")"));
                ch.drainBeforeClose();
                return;
            }
            Channel.Frame f = ch.read(System.nanoTime() + READ_TIMEOUT_NANOS, Wire.MAX_REQUEST, 3, server.budget);
            owned.addAll(fdList(f.fds()));
            switch (f.type()) {
                case Wire.REQUEST -> request(f);
                case Wire.STATUS -> control(f, false);
                case Wire.STOP -> control(f, true);
                default -> throw new Wire.Malformed("unknown frame type 0x" + Integer.toHexString(f.type()));
            }
        } catch (Wire.Malformed e) {
            server.malformed.incrementAndGet();
            ch.send(Wire.text(Wire.ERROR, "jnsjail server: malformed request: " + e.getMessage()));
            ch.drainBeforeClose();
        } catch (Cold e) {
            server.cold.incrementAndGet();
            ch.send(Wire.text(Wire.COLD, e.getMessage()));
            ch.drainBeforeClose();
        } catch (Channel.Gone e) {
            // the client went away: nothing to answer
        } catch (Throwable t) {
            // Never the client's business how the server failed; the server's log has it.
            Log.error("request from pid " + cred.pid() + " failed: " + org.jnsjail.log.Quote.describe(t));
            ch.send(Wire.text(Wire.ERROR, "jnsjail server: internal error (see " + server.dir.log() + ")"));
        } finally {
            for (int fd : owned) Libc.close(fd);
            ch.close();
            leaveClientsDirectory();
            server.finished();
        }
    }

    /**
     * Between requests a pooled thread holds no client's directory (one it held would keep that file
     * system busy, umount(2) EBUSY) and has the server's umask again.
     */
    private void leaveClientsDirectory() {
        if (!ownFs) return;
        try {
            FsState.chdir("/");
        } catch (ErrnoException e) {
            // '/' is always there
        }
        FsState.umask(server.self.umask());
    }

    /** Whether this request made this thread's working directory its own (unshare(CLONE_FS)). */
    private boolean ownFs;

    private static List<Integer> fdList(int[] fds) {
        List<Integer> l = new ArrayList<>(fds.length);
        for (int f : fds) l.add(f);
        return l;
    }

    private void control(Channel.Frame f, boolean stop) throws Wire.Malformed {
        if (f.payload().length != 0 || f.fds().length != 0) throw new Wire.Malformed("control frame with a payload");
        ch.send(Wire.text(Wire.INFO, stop ? "jnsjail server: stopping (pid " + ProcessHandle.current().pid() + ")"
                : server.status()));
        if (stop) {
            Log.info("Stop requested by pid " + cred.pid());
            server.stop();
        }
    }

    private void request(Channel.Frame f) throws Exception {
        Wire.Request req = Wire.decodeRequest(f.payload());
        if (req.version() != Wire.VERSION) throw new Cold("the client speaks protocol " + req.version() + ", the server "
                + Wire.VERSION);
        int[] std = {-1, -1, -1};
        int k = 0;
        for (int i = 0; i < 3; i++) if ((req.stdio() & (1 << i)) != 0) std[i] = k < f.fds().length ? f.fds()[k++] : -1;
        if (k != f.fds().length || (req.stdio() & ~7) != 0) throw new Wire.Malformed("the stdio mask does not match the fds sent");
        String why = server.identity.mismatch(req.identity());
        if (why != null) throw new Cold(why);
        for (int i = 0; i < 3; i++) if (std[i] < 0) throw new Cold("the client's fd " + i + " is closed");
        if (cred.pid() <= 0) throw new Cold("the client is in another PID namespace");

        int pidfd = UnixSocket.peerPidfd(ch.fd);
        if (pidfd < 0) pidfd = Pidfd.open(cred.pid()); // before Linux 6.5: by pid, checked alive below
        owned.add(pidfd);
        Facts client;
        try {
            client = Facts.ofClient(pidfd, cred.pid());
        } catch (java.io.IOException | ErrnoException e) {
            throw new Cold("the client's process cannot be read: " + org.jnsjail.log.Quote.message(e));
        }
        why = Takeover.beforeParsing(client, server.self, new Takeover.Reported(req.securebits(), req.personality()),
                server.selfReported, req.env(), server.env);
        if (why != null) throw new Cold(why);
        int cwd;
        try {
            cwd = Libc.open("/proc/" + cred.pid() + "/cwd", Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            throw new Cold("the client's working directory cannot be opened: " + e.getMessage());
        }
        owned.add(cwd);
        int cgroupFd = -1;
        String cg = client.cgroup2(), mine = server.self.cgroup2();
        if (cg != null && !cg.equals(mine)) {
            Cgroup2.Join j = Cgroup2.open(cg, mine == null ? "/" : mine);
            if (j.whyNot() != null) throw new Cold(j.whyNot());
            cgroupFd = j.fd();
            owned.add(cgroupFd);
        }
        // Everything read by pid above belongs to the process the pidfd holds only if it still runs.
        if (!Pidfd.alive(pidfd)) throw new Channel.Gone("the client exited");

        // This thread's working directory and umask become the client's, for every relative path
        // the command line names and every file it creates, as in a cold run.
        FsState.unshareFs(); // once per pooled thread in effect: its fs_struct is then its own
        ownFs = true;
        FsState.fchdir(cwd);
        FsState.umask(client.umask());
        Caller caller = new Caller(req.env(), client.cwd(), client.rlimits(),
                client.umask() == server.self.umask() ? -1 : client.umask(), cgroupFd);
        Log.Sink sink = Log.Sink.forRequest(std[2], cred.pid());
        sink.hold();
        try {
            // To the user the client is the supervisor: the request's cgroup work is its own, as a cold run's.
            Log.callWith(sink, () -> org.jnsjail.cgroup.Cgroups.callAsSupervisor(cred.pid(), () -> {
                serve(req, client, caller, sink, std);
                return null;
            }));
        } finally {
            sink.close();
        }
    }

    private void serve(Wire.Request req, Facts client, Caller caller, Log.Sink sink, int[] std) throws Exception {
        Handler.Parsed p = server.handler.parse(req.argv(), caller);
        if (p instanceof Handler.Parsed.Once once) {
            String why = Takeover.forSpec(once.spec(), client, server.self);
            if (why == null) why = Cgroup2.clientInMount(once.spec().cgroups(), client.cgroup2());
            if (why != null) p = new Handler.Parsed.Cold(why);
        }
        if (p instanceof Handler.Parsed.Cold c) {
            sink.discard(); // the cold run logs all of it again
            throw new Cold(c.why());
        }
        TreeSet<Integer> want = new TreeSet<>();
        if (p instanceof Handler.Parsed.Once once) {
            want.addAll(once.spec().passFds());
            if (once.statusFd() >= 0) want.add(once.statusFd());
        }
        if (sink.requestedFd() >= 0) want.add(sink.requestedFd());
        Map<Integer, Integer> local = fetchFds(want, std);
        if (p instanceof Handler.Parsed.Once once) {
            // What a cold run does with an fd its caller does not have is the cold run's to say (issue 18 item 1).
            for (int n : once.spec().passFds()) {
                if (local.getOrDefault(n, -1) < 0) throw new Cold("--pass_fd " + n + " is not open in the client");
            }
            if (once.statusFd() >= 0 && local.getOrDefault(once.statusFd(), -1) < 0) {
                throw new Cold("--status_fd " + once.statusFd() + " is not open in the client");
            }
        }
        org.jnsjail.supervisor.StatusOutput out = null;
        if (p instanceof Handler.Parsed.Once once && (once.statusFile() != null || once.statusFd() >= 0)) {
            // The file opens from this thread's working directory, the client's, with its umask.
            try {
                out = org.jnsjail.supervisor.StatusOutput.open(once.statusFile(),
                        once.statusFd() >= 0 ? local.get(once.statusFd()) : -1);
            } catch (ErrnoException e) {
                sink.discard();
                throw new Cold(e.getMessage()); // the cold run says it, and exits 255
            }
        }
        sink.mapFds(n -> local.getOrDefault(n, -1));
        if (!ch.send(Wire.frame(Wire.GO, new byte[0]))) throw new Channel.Gone("the client went away");
        server.served.incrementAndGet();
        sink.release();
        int status;
        if (p instanceof Handler.Parsed.Done d) {
            writeAll(std[1], d.stdout());
            status = d.status();
        } else {
            Handler.Parsed.Once once = (Handler.Parsed.Once) p;
            Map<Integer, Integer> passFrom = new HashMap<>();
            for (int n : once.spec().passFds()) passFrom.put(n, local.get(n)); // every one is open (checked above)
            JailIo io = new JailIo(std[0], std[1], std[2], passFrom);
            try {
                status = runJail(once, io, caller, sink, out);
            } finally {
                if (out != null) out.close();
            }
            // As a cold run's exit (issue 18 item 4): cgroup parents this request created go, where
            // empty, logged before the client exits.
            org.jnsjail.cgroup.Cgroups.removeCreatedParents();
            if (status < 0) return; // the client is gone
        }
        ch.send(Wire.frame(Wire.EXIT, Wire.ints(status)));
    }

    /** Asks the client for the fds it numbers {@code want} (0-2 are its stdio, already here); -1: closed there. */
    private Map<Integer, Integer> fetchFds(TreeSet<Integer> want, int[] std) throws Exception {
        Map<Integer, Integer> local = new HashMap<>();
        for (int i = 0; i < 3; i++) local.put(i, std[i]);
        List<Integer> ask = new ArrayList<>();
        for (int n : want) if (n > 2) ask.add(n);
        if (ask.isEmpty()) return local;
        if (ask.size() > Wire.MAX_FDS) throw new Cold("the command line names more than " + Wire.MAX_FDS + " fds");
        if (!ch.send(Wire.need(ask))) throw new Channel.Gone("the client went away");
        Channel.Frame r = ch.read(System.nanoTime() + READ_TIMEOUT_NANOS, Wire.MAX_SMALL, ask.size(), null);
        owned.addAll(fdList(r.fds()));
        if (r.type() != Wire.FDS) throw new Wire.Malformed("expected the fds asked for");
        int[] numbers = Wire.decodeFds(r.payload(), ask.size());
        int k = 0;
        for (int i = 0; i < numbers.length; i++) {
            if (numbers[i] == -1) {
                local.put(ask.get(i), -1);
            } else if (numbers[i] == ask.get(i) && k < r.fds().length) {
                local.put(ask.get(i), r.fds()[k++]);
            } else {
                throw new Wire.Malformed("the fd reply does not match the fds asked for");
            }
        }
        if (k != r.fds().length) throw new Wire.Malformed("the fd reply carries more fds than it names");
        return local;
    }

    /**
     * Runs the jail as a cold -Mo would, the client's signals delivered from a second thread; -1
     * when the client went away (its jail is killed, as a killed cold supervisor's would be).
     * SIGHUP ends a cold jnsjail (the JVM's default: exit 129, no more log lines, the jail killed
     * by its parent-death signal), so it ends this request the same way.
     */
    private int runJail(Handler.Parsed.Once once, JailIo io, Caller caller, Log.Sink sink,
            org.jnsjail.supervisor.StatusOutput out) throws InterruptedException {
        FatalSignals sig = FatalSignals.forClient(once.forwardSignals());
        java.util.concurrent.atomic.AtomicInteger outcome = new java.util.concurrent.atomic.AtomicInteger(RUNNING);
        java.util.concurrent.Future<?> monitor = server.threads.submit(() -> {
            for (;;) {
                int sigNo;
                try {
                    Channel.Frame f = ch.read(Long.MAX_VALUE, 4, 0, null);
                    if (f.type() != Wire.SIGNAL) throw new Wire.Malformed("unexpected frame while the jail runs");
                    sigNo = Wire.decodeSignal(f.payload());
                } catch (Wire.Malformed | Channel.Gone e) {
                    sigNo = -1;
                }
                if (sigNo == -1 || sigNo == Signals.SIGHUP) {
                    // The end of this request unless the jail already ended: no more lines, the jail killed.
                    if (outcome.compareAndSet(RUNNING, sigNo == -1 ? CLIENT_GONE : HANGUP)) {
                        sink.close();
                        sig.abandon();
                    }
                    return;
                }
                int delivered = sigNo;
                Log.callWith(sink, () -> {
                    sig.deliver(delivered);
                    return null;
                });
            }
        });
        int rc = Standalone.runOnce(once.spec(), io, caller, sig, out);
        outcome.compareAndSet(RUNNING, FINISHED);
        UnixSocket.shutdown(ch.fd, UnixSocket.SHUT_RD); // wakes the monitor, which finds the request finished
        try {
            monitor.get();
        } catch (java.util.concurrent.ExecutionException e) {
            // the monitor's own failure ends nothing but itself
        }
        return switch (outcome.get()) {
            case CLIENT_GONE -> -1;
            case HANGUP -> 128 + Signals.SIGHUP;
            default -> rc;
        };
    }

    private static final int RUNNING = 0, FINISHED = 1, CLIENT_GONE = 2, HANGUP = 3;

    private static void writeAll(int fd, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            Libc.writeFully(fd, m.asSlice(0, b.length));
        } catch (ErrnoException e) {
            // the client's stdout is closed: as for a cold run's print
        }
    }
}
