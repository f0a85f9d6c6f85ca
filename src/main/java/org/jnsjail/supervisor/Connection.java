package org.jnsjail.supervisor;

import java.lang.foreign.MemorySegment;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailStatus;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.PollSet;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Sockets;
import org.jnsjail.sys.Sockets.Endpoint;
import org.jnsjail.sys.Sockets.Shut;
import org.jnsjail.sys.Sockets.SpliceFlag;

/**
 * One LISTEN connection and its jail: the client's socket is relayed to the jail's stdin pipe and
 * the jail's stdout+stderr pipe back to the socket, as nsjail does (the jail never sees the socket).
 * Bytes move with splice(2), so the pipes themselves are the per-connection buffers: when one side
 * cannot take more, the loop stops polling the other side for it and waits for room instead.
 *
 * <p>Unlike nsjail, a client that half-closes (EOF on the socket) gets the jail's whole reply: the
 * jail's stdin is closed and its output relayed until it ends. A client that goes away (POLLHUP,
 * POLLERR, ECONNRESET or EPIPE) gets its jail killed. All methods run on the event-loop thread.
 */
final class Connection {
    /** Bytes per splice(2); a pipe holds 64 KiB by default (pipe(7)). */
    static final int CHUNK = 64 * 1024;
    /** Splices per event: keeps one busy connection from starving the others (poll is level-triggered). */
    static final int ROUNDS = 16;
    static final int SPLICE_FLAGS = SpliceFlag.SPLICE_F_MOVE.bit | SpliceFlag.SPLICE_F_NONBLOCK.bit;
    private static final int IN = PollEvent.POLLIN.bit, OUT = PollEvent.POLLOUT.bit,
            GONE = PollEvent.POLLERR.bit | PollEvent.POLLHUP.bit | PollEvent.POLLNVAL.bit;

    final JailHandle jail;
    final Endpoint peer;
    final String remote;
    private int sock, inW, outR;
    /** The jail's stdin pipe is full: wait for POLLOUT on it rather than reading the socket. */
    private boolean inBlocked;
    /** The socket's send buffer is full: wait for POLLOUT on it rather than reading the output pipe. */
    private boolean outBlocked;
    private JailStatus status;
    private long endedNanos, ioEndedNanos;
    private int iSock = -1, iIn = -1, iOut = -1, iPid = -1;
    /** The loop's scratch buffer, for discarding unread client input. */
    private final MemorySegment scratch;

    Connection(JailHandle jail, int sock, int inW, int outR, Endpoint peer, MemorySegment scratch) {
        this.jail = jail;
        this.scratch = scratch;
        this.sock = sock;
        this.inW = inW;
        this.outR = outR;
        this.peer = peer;
        this.remote = peer.text();
        jail.remote(remote); // nsjail's lines about the jail (its time limit) name the client
    }

    boolean running() {
        return status == null;
    }

    JailStatus status() {
        return status;
    }

    long endedNanos() {
        return endedNanos;
    }

    /** Neither the relay nor the jail is left: the connection can be forgotten. */
    boolean finished() {
        return sock < 0 && status != null;
    }

    boolean relaying() {
        return sock >= 0;
    }

    /** Adds this connection's fds to the poll set, each with the events the relay now waits for. */
    void register(PollSet ps) {
        iSock = iIn = iOut = iPid = -1;
        if (sock >= 0) {
            int ev = 0;
            if (inW >= 0 && !inBlocked) ev |= IN;
            if (outR >= 0 && outBlocked) ev |= OUT;
            iSock = ps.add(sock, ev); // polled even for no event: POLLHUP/POLLERR say the client is gone
            if (inW >= 0 && inBlocked) iIn = ps.add(inW, OUT);
            if (outR >= 0 && !outBlocked) iOut = ps.add(outR, IN);
        }
        if (status == null) iPid = ps.add(jail.pidfd(), IN);
    }

    /** Whether the poll found the jail's pidfd readable: it has ended and can be reaped. */
    boolean jailReady(PollSet ps) {
        return (ps.revents(iPid) & (IN | GONE)) != 0;
    }

    /**
     * Reaps the jail (its pidfd was readable); null if it is not a zombie after all. Its stdin is
     * closed and whatever it wrote is flushed to the client now, without waiting for the next poll.
     */
    JailStatus reap() throws JailFailure {
        JailStatus st = jail.waitFor(0);
        if (st == null) return null;
        status = st;
        endedNanos = System.nanoTime();
        closeIn();
        if (sock >= 0 && outR >= 0 && !outBlocked) pumpOut(true);
        else if (sock >= 0 && outR < 0) finish();
        return st;
    }

    /** Moves the bytes the poll found ready, in both directions. */
    void relay(PollSet ps) {
        if (sock < 0) return;
        int sr = ps.revents(iSock);
        if ((sr & GONE) != 0) {
            abort(); // the client reset the connection or is unreachable
            return;
        }
        int ir = ps.revents(iIn);
        if ((ir & GONE) != 0) closeIn(); // the jail closed its stdin (EPIPE on the next write)
        else if ((ir & OUT) != 0) inBlocked = false; // room again; read the socket from the next poll on
        if (inW >= 0 && !inBlocked && (sr & IN) != 0) pumpIn();
        if (sock < 0 || outR < 0) return;
        if ((ps.revents(iOut) & (IN | GONE)) != 0) {
            pumpOut(true);
        } else if (outBlocked && (sr & OUT) != 0) {
            outBlocked = false;
            pumpOut(false);
        }
    }

    /** Client → jail's stdin. */
    private void pumpIn() {
        for (int i = 0; i < ROUNDS; i++) {
            long r = Sockets.splice(sock, inW, CHUNK, SPLICE_FLAGS);
            if (r > 0) continue;
            if (r == 0) {
                closeIn(); // the client half-closed: the jail sees EOF, its reply still goes out
            } else if (r == -Errno.EAGAIN) {
                // The socket was readable, so a first EAGAIN means the pipe is full; later ones, that the socket is drained.
                if (i == 0) inBlocked = true;
            } else if (r == -Errno.EPIPE) {
                closeIn(); // the jail closed its stdin
            } else {
                abort(); // ECONNRESET and friends: the client is gone
            }
            return;
        }
    }

    /** Jail's stdout+stderr → client. {@code pipeReady}: the poll found the pipe readable. */
    private void pumpOut(boolean pipeReady) {
        for (int i = 0; i < ROUNDS; i++) {
            long r = Sockets.splice(outR, sock, CHUNK, SPLICE_FLAGS);
            if (r > 0) continue;
            if (r == 0) {
                finish(); // every writer is gone and the pipe is empty: the reply is complete
            } else if (r == -Errno.EAGAIN) {
                if (i == 0 && pipeReady) {
                    outBlocked = true; // the pipe had data, so the socket is full
                } else if (i == 0 && status != null) {
                    finish(); // the jail has ended and the pipe is empty (only outside processes could still write)
                }
            } else {
                abort(); // EPIPE, ECONNRESET: the client is gone
            }
            return;
        }
    }

    /**
     * The reply is complete: FIN after the queued bytes. Unread client input is discarded first, since
     * closing a socket with unread data sends a RST that can destroy the reply in flight (tcp(7)).
     * A jail still running has closed its output, which usually means it is exiting right now (its
     * pidfd becomes readable a moment after its last fd closed); it gets {@link Listener} grace before
     * it is killed, as nsjail kills it when a connection ends, so a normal exit is not reported as SIGKILL.
     */
    void finish() {
        if (sock < 0) return;
        Sockets.shutdown(sock, Shut.SHUT_WR);
        for (int i = 0; i < 16 && Sockets.readNow(sock, scratch) > 0; i++) {
            // discard
        }
        closeFds();
        ioEndedNanos = System.nanoTime();
    }

    /** The client is gone (or the supervisor stops): close everything and kill the jail. */
    void abort() {
        closeFds();
        ioEndedNanos = System.nanoTime();
        if (status == null) jail.signal(Signals.SIGKILL, org.jnsjail.model.JailOutcome.Cause.KILLED_BY_SUPERVISOR);
    }

    /** When the relay ended (0 while it runs). */
    long ioEndedNanos() {
        return ioEndedNanos;
    }

    private void closeFds() {
        closeIn();
        if (outR >= 0) Libc.close(outR);
        outR = -1;
        if (sock >= 0) Libc.close(sock);
        sock = -1;
    }

    private void closeIn() {
        if (inW >= 0) Libc.close(inW);
        inW = -1;
        inBlocked = false;
    }

}
