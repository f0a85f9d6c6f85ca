package org.jnsjail.supervisor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.ListenOptions;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.JailStatus;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.PollSet;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Sockets;
import org.jnsjail.sys.Sockets.Endpoint;

/**
 * LISTEN mode (nsjail -Ml / --port): an inetd-style TCP server with a jail per connection. One
 * thread runs one poll(2) loop over the listening socket, a signal self-pipe, and per connection
 * its socket, the jail's two pipe ends and its pidfd; nothing blocks on a jail's I/O. Nor on a
 * jail's start (a few ms of clone, mounts and exec): it runs on a {@link Spawner} pool thread (or
 * inline when the loop has nothing else to serve) while the connection waits in {@link Starting};
 * its completion writes to the signal self-pipe, and the loop then makes it a {@link Connection}
 * whose pidfd and relay it polls.
 */
public final class Listener {

    /** Accepts per wake-up, so a flood of connections still lets the relays run. */
    static final int ACCEPT_BATCH = 32;
    /** How long a jail's output is still relayed after it ended, to a client that does not read. */
    static final long DRAIN_AFTER_EXIT_NANOS = 5_000_000_000L;
    /** After EMFILE/ENFILE on accept, the listening socket rests this long (it would stay readable). */
    static final long ACCEPT_PAUSE_NANOS = 100_000_000L;
    /** A jail whose output ended (its reply was sent) but which has not exited is killed after this long. */
    static final long EXIT_AFTER_EOF_NANOS = 2_000_000_000L;

    private final JailSpec spec;
    private final ListenOptions opt;
    /** --status_file / --status_fd: a JSON line per jail, with the client's address; or null. */
    private final StatusOutput status;
    private final List<Connection> conns = new ArrayList<>();
    /** Accepted connections whose jail is being started; only the loop thread touches the list. */
    private final List<Starting> starting = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment addrBuf = arena.allocate(Sockets.addrBufferSize(), 8);
    private final MemorySegment scratch = arena.allocate(16384, 8);
    private long acceptPausedUntil;
    private int stopSignal;
    /** Jails readied for the next connections. */
    private final Ahead ahead;
    private long graceDeadline;
    private SignalPipe sigs;

    /**
     * A connection whose jail a spawner thread is starting. Its socket is not polled yet: client
     * bytes wait in the socket buffer, and a client that went away is noticed once the relay runs.
     * The jail's pipe ends stay open here until the start has completed, since the spawn dup2s them.
     */
    private record Starting(int sock, int[] in, int[] out, Endpoint peer, CompletableFuture<JailHandle> jail) {}

    private Listener(JailSpec spec, ListenOptions opt, StatusOutput status) {
        this.spec = spec;
        this.opt = opt;
        this.status = status;
        this.ahead = new Ahead(spec, org.jnsjail.model.Caller.self(), Ahead.MAX_DEPTH);
    }

    /** Runs until SIGINT/SIGTERM (then 0, as nsjail), or 1 if the socket cannot be bound. */
    public static int run(JailSpec spec, ListenOptions opt) {
        return run(spec, opt, null);
    }

    /** The same, each jail's outcome a line of {@code status} (with the client's address) when not null. */
    public static int run(JailSpec spec, ListenOptions opt, StatusOutput status) {
        return new Listener(spec, opt, status).loop();
    }

    private int loop() {
        try {
            sigs = SignalPipe.install();
        } catch (ErrnoException e) {
            Log.error("signal pipe: " + e.getMessage());
            return 1;
        }
        ListenSocket ls;
        try {
            ls = ListenSocket.open(opt.bindhost(), opt.port());
        } catch (IOException e) {
            Log.error(e.getMessage());
            return 1; // nsjail: EXIT_FAILURE
        }
        Spawner.get().startPool();
        Log.info("Listening on " + ls.local().text());
        ahead.refill();
        try (PollSet ps = new PollSet(64)) {
            for (;;) {
                if (stopSignal == 0 && sigs.fatal() != 0) {
                    stopSignal = sigs.fatal();
                    ls.close();
                    ahead.close();
                    stopAll();
                }
                promoteStarted();
                if (sigs.takeShow()) showList();
                long now = System.nanoTime();
                enforceLimits(now);
                // Pending starts are waited for: each becomes a jail that must be killed and reaped.
                if (stopSignal != 0 && conns.isEmpty() && starting.isEmpty()) break;
                ps.clear();
                int iSig = ps.add(sigs.readFd(), PollEvent.POLLIN.bit);
                boolean accepting = stopSignal == 0 && now >= acceptPausedUntil;
                int iListen = accepting ? ps.add(ls.fd(), PollEvent.POLLIN.bit) : -1;
                for (Connection c : conns) c.register(ps);
                int r = ps.poll(timeoutMs(now));
                if (r < 0 && r != -Errno.EINTR) {
                    Log.error("poll: " + Errno.describe(-r));
                    continue;
                }
                if (r <= 0) continue;
                if (ps.revents(iSig) != 0) sigs.drain(scratch);
                for (Connection c : conns) {
                    if (c.running() && c.jailReady(ps)) reap(c);
                    c.relay(ps);
                }
                conns.removeIf(Connection::finished);
                if (stopSignal == 0 && (ps.revents(iListen) & PollEvent.POLLIN.bit) != 0) acceptBatch(ls.fd());
            }
        } finally {
            ahead.close();
            for (Starting st : starting) {
                try {
                    st.jail().join().close();
                } catch (RuntimeException e) {
                    // the start failed: no jail
                }
                closeStarting(st);
            }
            for (Connection c : conns) {
                c.abort();
                c.jail.close();
            }
            if (stopSignal == 0) ls.close();
            sigs.close();
            arena.close();
        }
        Log.info("Server stops due to fatal signal (" + stopSignal + ") caught. Exiting");
        return 0;
    }

    // ---- connections ----------------------------------------------------------------------------

    private void acceptBatch(int lfd) {
        for (int n = 0; n < ACCEPT_BATCH; n++) {
            int fd = Sockets.accept4(lfd, addrBuf, ListenSocket.acceptFlags());
            if (fd < 0) {
                int e = -fd;
                if (e == Errno.EMFILE || e == Errno.ENFILE || e == Errno.ENOMEM) {
                    Log.warn("accept4: " + Errno.describe(e) + "; not accepting for a moment");
                    acceptPausedUntil = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                } else if (e != Errno.EAGAIN && e != Errno.ECONNABORTED && e != Errno.EINTR) {
                    Log.warn("accept4: " + Errno.describe(e));
                }
                return;
            }
            handleNew(fd, Sockets.endpoint(addrBuf));
        }
    }

    private void handleNew(int sock, Endpoint peer) {
        String local;
        try {
            local = Sockets.localEndpoint(sock, addrBuf).text();
        } catch (ErrnoException e) {
            local = "[unknown]";
        }
        Log.info("New connection from: " + peer.text() + " on: " + local);
        if (!admit(peer)) {
            Libc.close(sock);
            return;
        }
        int[] in = null, out = null;
        try {
            // The jail's ends stay blocking; only the supervisor's ends are O_NONBLOCK (the flag is per open file).
            in = Libc.pipe2(Fcntl.O_CLOEXEC);
            out = Libc.pipe2(Fcntl.O_CLOEXEC);
            Libc.fcntl(in[1], Fcntl.F_SETFL, Fcntl.O_NONBLOCK);
            Libc.fcntl(out[0], Fcntl.F_SETFL, Fcntl.O_NONBLOCK);
        } catch (ErrnoException e) {
            Log.error("Couldn't launch the child process: " + e.getMessage());
            for (int[] p : new int[][] {in, out}) {
                if (p == null) continue;
                Libc.close(p[0]);
                Libc.close(p[1]);
            }
            Libc.close(sock);
            return;
        }
        Log.info("Executing '" + spec.program() + "' for '" + peer.text() + "'");
        JailIo io = new JailIo(in[0], out[1], out[1]);
        if (ahead.ready() || idle()) {
            // A readied jail only needs its stdio: start it inline. So does any jail when nothing else
            // needs the loop, sparing a lone client two thread hand-offs; clients arriving meanwhile
            // wait at most this one start.
            CompletableFuture<JailHandle> jail;
            try {
                jail = CompletableFuture.completedFuture(ahead.start(io));
            } catch (JailFailure e) {
                jail = CompletableFuture.failedFuture(e);
            }
            starting.add(new Starting(sock, in, out, peer, jail)); // promoted at the top of the loop
            return;
        }
        CompletableFuture<JailHandle> jail = Spawner.get().startAsync(spec, io);
        ahead.missed();
        starting.add(new Starting(sock, in, out, peer, jail));
        jail.whenComplete((h, t) -> sigs.wake()); // on the spawner thread (or here, if already done)
    }

    /** No start in flight and no relay to serve (a jail whose reply was sent can wait to be reaped). */
    private boolean idle() {
        if (!starting.isEmpty()) return false;
        for (Connection c : conns) if (c.relaying()) return false;
        return true;
    }

    /** Moves every connection whose start has completed to the relay; a failed start closes it. */
    private void promoteStarted() {
        for (var it = starting.iterator(); it.hasNext();) {
            Starting st = it.next();
            if (!st.jail().isDone()) continue;
            it.remove();
            JailHandle jail;
            try {
                jail = st.jail().resultNow();
            } catch (IllegalStateException e) {
                String why = st.jail().exceptionNow() instanceof JailFailure je ? je.getMessage()
                        : "Couldn't launch the child process: " + st.jail().exceptionNow();
                Log.error(why);
                if (status != null) status.write(org.jnsjail.model.JailOutcome.setupFailed(why, st.peer().text()));
                closeStarting(st);
                continue;
            }
            Connection c = new Connection(jail, st.sock(), st.in()[1], st.out()[0], st.peer(), scratch);
            conns.add(c);
            Libc.close(st.in()[0]);
            Libc.close(st.out()[1]);
            if (stopSignal != 0) {
                // Started after SIGINT/SIGTERM: treated as the jails stopAll saw, or killed if their grace is over.
                c.jail.signal(opt.forwardSignals() && graceDeadline != 0 ? stopSignal : Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
            }
        }
    }

    private static void closeStarting(Starting st) {
        for (int[] p : new int[][] {st.in(), st.out()}) {
            Libc.close(p[0]);
            Libc.close(p[1]);
        }
        Libc.close(st.sock());
    }

    /** --max_conns and --max_conns_per_ip, counted over the connections whose jail is starting, or whose jail or relay is alive. */
    private boolean admit(Endpoint peer) {
        if (opt.maxConns() > 0 && conns.size() + starting.size() >= opt.maxConns()) {
            Log.warn("Rejecting connection, max_conns limit reached: " + opt.maxConns());
            return false;
        }
        if (opt.maxConnsPerIp() > 0) {
            int same = 0;
            for (Connection c : conns) if (c.peer.sameAddress(peer.addr())) same++;
            for (Starting st : starting) if (st.peer().sameAddress(peer.addr())) same++;
            if (same >= opt.maxConnsPerIp()) {
                Log.warn("Rejecting connection from '" + peer.text() + "', max_conns_per_ip limit reached: "
                        + opt.maxConnsPerIp());
                return false;
            }
        }
        return true;
    }

    private void reap(Connection c) {
        JailStatus st;
        try {
            st = c.reap();
        } catch (JailFailure e) {
            Log.error(e.getMessage());
            return;
        }
        if (st == null) return;
        Standalone.logSeccomp(c.jail, st);
        int left = 0;
        for (Connection o : conns) if (o.running()) left++;
        Log.info("pid=" + c.jail.pid() + " (" + c.remote + ") " + st.describe() + ", (PIDs left: " + left + ")");
        if (status != null && c.jail.outcome() != null) status.write(c.jail.outcome().withRemote(c.remote));
    }

    // ---- time ----------------------------------------------------------------------------------

    /** --time_limit per jail (SIGCONT, SIGKILL as nsjail), the drain bound, and the forward grace. */
    private void enforceLimits(long now) {
        for (Connection c : conns) {
            if (c.running()) c.jail.enforceTimeLimit(); // logs nsjail's line and kills, once
            if (!c.running() && c.relaying() && now - c.endedNanos() >= DRAIN_AFTER_EXIT_NANOS) c.abort();
            if (c.running() && !c.relaying() && now - c.ioEndedNanos() >= EXIT_AFTER_EOF_NANOS) c.abort();
            if (stopSignal != 0 && c.relaying() && !c.running()) c.abort();
        }
        if (graceDeadline != 0 && now >= graceDeadline) {
            graceDeadline = 0;
            for (Connection c : conns) {
                if (!c.running()) continue;
                Log.warn("pid=" + c.jail.pid() + " ignored the forwarded signal for " + Standalone.FORWARD_GRACE_MS
                        + " ms. Killing it");
                c.jail.signal(Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
            }
        }
        conns.removeIf(Connection::finished);
    }

    /** Until the nearest deadline (time limit, drain, grace, accept pause); -1: only events wake us. */
    private int timeoutMs(long now) {
        long next = Long.MAX_VALUE;
        for (Connection c : conns) {
            if (c.running()) next = Math.min(next, c.jail.deadline());
            if (!c.running() && c.relaying()) next = Math.min(next, c.endedNanos() + DRAIN_AFTER_EXIT_NANOS);
            if (c.running() && !c.relaying()) next = Math.min(next, c.ioEndedNanos() + EXIT_AFTER_EOF_NANOS);
        }
        if (graceDeadline != 0) next = Math.min(next, graceDeadline);
        if (acceptPausedUntil > now) next = Math.min(next, acceptPausedUntil);
        if (next == Long.MAX_VALUE) return -1;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, (next - now + 999_999) / 1_000_000));
    }

    // ---- signals -------------------------------------------------------------------------------

    /** SIGINT/SIGTERM: every jail gets SIGKILL, or the signal itself with --forward_signals (bounded grace). */
    private void stopAll() {
        for (Connection c : conns) {
            if (!c.running()) continue;
            c.jail.signal(opt.forwardSignals() ? stopSignal : Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
        }
        if (opt.forwardSignals()) graceDeadline = System.nanoTime() + Standalone.FORWARD_GRACE_MS * 1_000_000L;
    }

    private void showList() {
        List<ProcList.Entry> running = new ArrayList<>();
        for (Connection c : conns) if (c.running()) running.add(ProcList.of(c.jail, c.remote));
        ProcList.log(running);
    }
}
