package org.jnsjail.net.nstun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import org.jnsjail.log.Log;

/**
 * One TCP connection with the guest, relayed over one host SocketChannel. The stack is the guest's
 * TCP peer (RFC 9293): guest bytes are acknowledged only once they were written to the host socket
 * or fit in {@link #rcvBuf}, so the guest's own flow control and retransmission absorb a slow host;
 * host bytes wait in {@link #sndBuf} until the guest acknowledges them, and the host socket is not
 * read while that buffer is full. Window scaling (RFC 7323 §2) is used when the guest's SYN offers it (or,
 * for a connection the stack opens, when the guest's SYN-ACK answers the offer), so windows reach the
 * buffer sizes and several MSS-sized segments are in flight; without it neither side scales (§1.3).
 * Out-of-order segments are dropped (a TUN link does not reorder; the guest retransmits).
 * Engine thread only.
 */
final class TcpFlow implements Engine.Handler {

    /** RFC 9293 §3.3.2 states; CONNECTING is SYN-RECEIVED before the SYN-ACK: the host connect is pending. */
    enum State { CONNECTING, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, CLOSED }

    static final int WINDOW_MAX = 0xffff;
    /** RFC 9293 §3.7.1: the MSS assumed when a SYN carries none. */
    static final int DEFAULT_MSS = 536;
    /** Linux's TCP_MIN_SND_MSS and the default of net.ipv4.tcp_min_snd_mss: the smallest MSS a peer may make us use. */
    static final int MIN_MSS = 48;
    static final int BUFFER = 256 * 1024;
    /** Our window-scale shift (RFC 7323 §2.3): the smallest that lets the window field cover {@link #BUFFER}. */
    static final int RCV_SCALE = Math.max(0, 32 - Integer.numberOfLeadingZeros((BUFFER - 1) >> 16));
    static final long RTO_MIN = TimeUnit.MILLISECONDS.toNanos(200), RTO_MAX = TimeUnit.SECONDS.toNanos(4);
    /** Consecutive timeouts with an open window after which the guest is deemed gone. */
    static final int MAX_RETRIES = 30, MAX_SYN_RETRIES = 6;
    /** nsjail's timeouts: connecting 10 s, established idle 1 h, closing 60 s. */
    static final long CONNECT_TIMEOUT = TimeUnit.SECONDS.toNanos(10), IDLE_TIMEOUT = TimeUnit.HOURS.toNanos(1),
            FIN_TIMEOUT = TimeUnit.SECONDS.toNanos(60);

    private final Engine eng;
    final FlowKey key;
    private final boolean v6;
    private final byte[] guestIp, peerIp;
    private final int guestPort, peerPort;

    private SocketChannel ch;
    private SelectionKey sk;
    private ProxyHandshake hs;
    private boolean hostConnected;
    State state;

    // Send sequence space (towards the guest), RFC 9293 §3.3.1: sndBuf holds [snd_una, snd_una + size).
    private int iss, sndUna, sndNxt, sndMax, sndWnd, mss = DEFAULT_MSS;
    private final ByteRing sndBuf;
    private boolean hostEof, finSent, finAcked, finFirst;

    // Receive sequence space (from the guest); rcvBuf holds guest bytes acknowledged but not yet written to the host.
    private int rcvNxt, irs, advWnd;
    /** RFC 7323 §2.2: shift counts for windows the guest sends (snd) and we send (rcv); both 0 unless negotiated. */
    private int sndScale, rcvScale;
    private boolean scaling;
    private final ByteRing rcvBuf;
    private boolean guestFin, hostShut, ackNow;
    /**
     * The host socket is not watched for reading because sndBuf was full; when the guest's ACK frees room,
     * pump reads it at once instead of re-arming the Selector (an epoll_ctl and a loop turn per window).
     */
    private boolean readStalled;

    private long rto = RTO_MIN, rtoAt;
    private int retries, dupAcks;
    private final long born;
    private long lastActive;
    boolean queued;

    private TcpFlow(Engine eng, FlowKey key, boolean v6, byte[] guestIp, int guestPort, byte[] peerIp, int peerPort, State state) {
        this.eng = eng;
        this.key = key;
        this.v6 = v6;
        this.guestIp = guestIp;
        this.guestPort = guestPort;
        this.peerIp = peerIp;
        this.peerPort = peerPort;
        this.state = state;
        this.sndBuf = eng.ring(BUFFER);
        this.rcvBuf = eng.ring(BUFFER);
        this.iss = eng.random();
        this.born = this.lastActive = eng.now();
    }

    /** A guest SYN (GUEST_TO_HOST): the host connection is opened first; the SYN-ACK waits for it. */
    static TcpFlow fromGuest(Engine eng, FlowKey key, IpPacket ip, TcpSegment syn) {
        TcpFlow f = new TcpFlow(eng, key, ip.v6(), ip.src(), syn.sport(), ip.dst(), syn.dport(), State.CONNECTING);
        f.irs = syn.seq();
        f.rcvNxt = syn.seq() + 1;
        f.sndWnd = syn.window(); // never scaled in a SYN (RFC 7323 §2.2)
        f.mss = f.peerMss(syn.mss());
        if (syn.wscale() >= 0) {
            f.scaling = true;
            f.sndScale = syn.wscale();
            f.rcvScale = RCV_SCALE;
        }
        return f;
    }

    /** Connects to target, through hs when a proxy is in the way (hs's target is in hs itself). */
    void connect(InetSocketAddress target, ProxyHandshake handshake) throws IOException {
        this.hs = handshake;
        // An IPv4 target gets an IPv4 socket: no dual-stack set-up for each connection.
        ch = target.getAddress() instanceof java.net.Inet4Address ? SocketChannel.open(java.net.StandardProtocolFamily.INET)
                : SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            hostConnected = ch.connect(target);
            // A local peer has usually answered before connect(2) returns EINPROGRESS: finish now, saving a loop turn.
            if (!hostConnected) hostConnected = ch.finishConnect();
            sk = ch.register(eng.selector(), 0, this);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (hostConnected && hs == null) hostOpen(); // through a proxy, the SYN-ACK waits for the handshake (see ready)
        interest();
    }

    /** An accepted host connection (HOST_TO_GUEST): the stack sends the guest a SYN from peerIp:peerPort. */
    static TcpFlow fromHost(Engine eng, FlowKey key, boolean v6, byte[] guestIp, int guestPort, byte[] peerIp, int peerPort,
            SocketChannel accepted) throws IOException {
        TcpFlow f = new TcpFlow(eng, key, v6, guestIp, guestPort, peerIp, peerPort, State.SYN_SENT);
        f.ch = accepted;
        accepted.configureBlocking(false);
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        f.hostConnected = true;
        f.sk = accepted.register(eng.selector(), 0, f);
        f.sndUna = f.iss;
        f.sndNxt = f.sndMax = f.iss + 1;
        f.scaling = true; // offered in our SYN; in force only if the SYN-ACK answers it
        f.sendSyn();
        f.armRto();
        return f;
    }

    /** Whether this flow is the guest's guestIp:guestPort talking to peerIp:peerPort (what its key says). */
    boolean is(byte[] guest, int gPort, byte[] peer, int pPort) {
        return gPort == guestPort && pPort == peerPort && java.util.Arrays.equals(guest, guestIp) && java.util.Arrays.equals(peer, peerIp);
    }

    /**
     * The MSS to send with: the guest's, within ours and never below MIN_MSS, as Linux clamps it
     * (tcp_min_snd_mss, ip-sysctl.rst): a guest offering an MSS of 1 would otherwise have the stack
     * cut every byte from the host into a packet of its own.
     */
    private int peerMss(int offered) {
        int ours = eng.mss(v6);
        return offered <= 0 ? DEFAULT_MSS : Math.max(MIN_MSS, Math.min(offered, ours));
    }

    /** When the guest's segments last moved this flow (System.nanoTime()): the idle longest go first when sockets are reclaimed. */
    long lastActive() {
        return lastActive;
    }

    // ---- host socket ----------------------------------------------------------------------------

    @Override
    public void ready(SelectionKey k) {
        try {
            if (k.isConnectable()) {
                if (!ch.finishConnect()) return;
                hostConnected = true;
                if (hs == null) hostOpen();
            }
            if (k.isWritable()) hostWritable();
            if (k.isReadable()) hostReadable();
        } catch (IOException e) {
            hostFailed(e);
            return;
        }
        eng.dirty(this);
    }

    @Override
    public void fail() {
        abort(true);
    }

    private void hostFailed(IOException e) {
        if (Log.enabled(Log.Level.DEBUG)) {
            eng.debug("TCP " + key.text() + ": host side " + (state == State.CONNECTING ? "connect failed" : "failed") + ": " + org.jnsjail.log.Quote.describe(e));
        }
        abort(true);
    }

    /** The host connection (and the proxy tunnel, if any) is open: answer the guest's SYN (RFC 9293 §3.5). */
    private void hostOpen() {
        if (state != State.CONNECTING) return;
        state = State.SYN_RCVD;
        sndUna = iss;
        sndNxt = sndMax = iss + 1;
        sendSyn();
        armRto();
    }

    private void hostWritable() throws IOException {
        if (hs != null) {
            ch.write(hs.out);
            return;
        }
        while (!rcvBuf.isEmpty() && rcvBuf.writeTo(ch) > 0) {
            lastActive = eng.now();
        }
        shutHostIfDone();
        // Window update once the window opened by an MSS (receiver SWS avoidance, RFC 9293 §3.8.6.2.2).
        if (window() - advWnd >= Math.min(mss, (WINDOW_MAX << rcvScale) / 2)) ackNow = true;
    }

    private void hostReadable() throws IOException {
        if (hs != null) {
            if (ch.read(hs.in) < 0) throw new IOException("proxy closed the connection during the handshake");
            if (!hs.step()) return;
            byte[] rest = hs.leftover();
            sndBuf.put(rest, 0, rest.length);
            hs = null;
            hostOpen();
            return;
        }
        for (int i = 0; i < 8 && sndBuf.free() > 0; i++) {
            int room = sndBuf.readRoom();
            int r = sndBuf.readFrom(ch);
            if (r < 0) {
                hostEof = true;
                break;
            }
            if (r == 0) break;
            lastActive = eng.now();
            if (r < room) break; // the socket had no more just now (a read that would fail with EAGAIN is saved)
        }
    }

    private void shutHostIfDone() throws IOException {
        if (guestFin && rcvBuf.isEmpty() && !hostShut && hostConnected) {
            hostShut = true;
            ch.shutdownOutput();
        }
    }

    private void interest() {
        if (sk == null || !sk.isValid()) return;
        int ops = 0;
        if (!hostConnected) ops = SelectionKey.OP_CONNECT;
        else if (hs != null) ops = hs.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        else {
            boolean open = synchronizedState() && !hostEof;
            if (open && sndBuf.free() > 0) ops |= SelectionKey.OP_READ;
            readStalled = open && (ops & SelectionKey.OP_READ) == 0;
            if (!rcvBuf.isEmpty()) ops |= SelectionKey.OP_WRITE;
        }
        if (sk.interestOps() != ops) sk.interestOps(ops);
    }

    private boolean synchronizedState() {
        return state.compareTo(State.ESTABLISHED) >= 0 && state != State.CLOSED;
    }

    // ---- guest segments (RFC 9293 §3.10.7) ------------------------------------------------------

    void onSegment(TcpSegment s) {
        lastActive = eng.now();
        if (s.has(TcpSegment.RST)) {
            onRst(s);
            return;
        }
        switch (state) {
            case CONNECTING -> { return; } // a retransmitted SYN while the host connect is pending
            case SYN_SENT -> {
                onSynAck(s);
                return;
            }
            case CLOSED -> { return; }
            default -> {}
        }
        if (s.has(TcpSegment.SYN)) {
            // A retransmitted SYN (our SYN-ACK was lost) gets the SYN-ACK again; any other SYN a challenge ACK (RFC 5961 §4).
            if (state == State.SYN_RCVD && s.seq() == irs) sendSyn();
            else ackNow = true;
            eng.dirty(this);
            return;
        }
        if (!s.has(TcpSegment.ACK)) return;
        if (state == State.SYN_RCVD) {
            if (s.ack() != iss + 1) {
                eng.sendRstFor(v6, peerIp, guestIp, s);
                return;
            }
            state = State.ESTABLISHED;
            sndUna = iss + 1;
            retries = 0;
            rtoAt = 0;
            rto = RTO_MIN;
        }
        if (!onAck(s)) return;
        onData(s);
        updateState();
        eng.dirty(this);
    }

    private void onRst(TcpSegment s) {
        boolean valid = state == State.SYN_SENT ? s.has(TcpSegment.ACK) && s.ack() == iss + 1
                : state == State.CONNECTING ? s.seq() == rcvNxt
                : TcpSegment.le(rcvNxt, s.seq()) && TcpSegment.lt(s.seq(), rcvNxt + Math.max(advWnd, 1));
        if (!valid) return;
        eng.debug("TCP " + key.text() + ": reset by the guest");
        abort(false);
    }

    private void onSynAck(TcpSegment s) {
        if (!s.has(TcpSegment.SYN) || !s.has(TcpSegment.ACK)) {
            if (s.has(TcpSegment.ACK)) eng.sendRstFor(v6, peerIp, guestIp, s);
            return;
        }
        if (s.ack() != iss + 1) {
            eng.sendRstFor(v6, peerIp, guestIp, s);
            return;
        }
        irs = s.seq();
        rcvNxt = s.seq() + 1;
        sndUna = iss + 1;
        sndWnd = s.window();
        mss = peerMss(s.mss());
        if (s.wscale() >= 0) {
            sndScale = s.wscale();
            rcvScale = RCV_SCALE;
        } else {
            scaling = false; // RFC 7323 §1.3: both sides must send the option for either to scale
        }
        state = State.ESTABLISHED;
        rtoAt = 0;
        retries = 0;
        rto = RTO_MIN;
        ackNow = true;
        eng.dirty(this);
    }

    /** The ACK field (RFC 9293 §3.10.7.4, fifth check); false when the segment is to be dropped. */
    private boolean onAck(TcpSegment s) {
        int ack = s.ack();
        if (TcpSegment.lt(sndMax, ack)) {
            ackNow = true; // acknowledges something never sent
            return false;
        }
        if (TcpSegment.lt(sndUna, ack)) {
            int acked = ack - sndUna;
            int data = Math.min(acked, sndBuf.size());
            sndBuf.discard(data);
            if (acked > data) finSent = finAcked = true; // the FIN's sequence number was acknowledged
            sndUna = ack;
            if (TcpSegment.lt(sndNxt, sndUna)) sndNxt = sndUna;
            retries = 0;
            dupAcks = 0;
            rto = RTO_MIN;
            rtoAt = sndNxt != sndUna ? eng.now() + rto : 0;
        } else if (ack == sndUna && s.dataLen() == 0 && !s.has(TcpSegment.FIN) && s.window() << sndScale == sndWnd
                && sndNxt != sndUna) {
            // RFC 5681 §3.2: the third duplicate ACK triggers a fast retransmit.
            if (++dupAcks == 3) retransmitOne();
        }
        sndWnd = s.window() << sndScale;
        return true;
    }

    private void onData(TcpSegment s) {
        if (s.dataLen() == 0 && !s.has(TcpSegment.FIN)) return;
        int off = rcvNxt - s.seq();
        if (off < 0 || off > s.dataLen() || guestFin) {
            // Out of order, or an old duplicate: a (duplicate) ACK tells the guest what is expected.
            ackNow = true;
            return;
        }
        int n = s.dataLen() - off;
        int taken = 0;
        if (n > 0) {
            try {
                taken = deliver(s.buf(), s.dataOff() + off, n);
            } catch (IOException e) {
                hostFailed(e);
                return;
            }
            rcvNxt += taken;
        }
        if (s.has(TcpSegment.FIN) && taken == n) {
            guestFin = true;
            rcvNxt++;
            try {
                shutHostIfDone();
            } catch (IOException e) {
                hostFailed(e);
                return;
            }
        }
        ackNow = true;
    }

    /** Writes guest bytes to the host socket, buffering what it does not take; how many were accepted. */
    private int deliver(byte[] b, int off, int n) throws IOException {
        int done = 0;
        if (rcvBuf.isEmpty() && hostConnected && !hostShut) done = ch.write(eng.guestBytes(b, off, n));
        return done + rcvBuf.put(b, off + done, n - done);
    }

    private void updateState() {
        if (!synchronizedState()) return;
        if (!guestFin) state = !finSent ? State.ESTABLISHED : finAcked ? State.FIN_WAIT_2 : State.FIN_WAIT_1;
        else if (!finSent) state = State.CLOSE_WAIT;
        else state = finFirst ? State.CLOSING : State.LAST_ACK;
    }

    // ---- towards the guest ----------------------------------------------------------------------

    /** Sends what window and buffer allow, then any pending ACK; closes the flow when both FINs are acknowledged. */
    void pump() {
        if (state == State.CLOSED) return;
        if (readStalled && sndBuf.free() > 0) {
            readStalled = false;
            try {
                hostReadable();
            } catch (IOException e) {
                hostFailed(e);
                return;
            }
        }
        if (synchronizedState()) sendData();
        if (ackNow && state != State.CONNECTING && state != State.SYN_SENT) {
            send(TcpSegment.ACK, sndNxt, null, 0, 0);
        }
        updateState();
        if (guestFin && finAcked && rcvBuf.isEmpty()) {
            eng.debug("TCP " + key.text() + ": closed");
            close(false);
            return;
        }
        interest();
    }

    private int dataEnd() {
        return sndUna + sndBuf.size();
    }

    private void sendData() {
        for (;;) {
            int unsent = dataEnd() - sndNxt;
            if (unsent <= 0) break;
            int wnd = sndWnd - (sndNxt - sndUna);
            if (wnd <= 0) {
                if (rtoAt == 0) armRto(); // the persist timer: a zero-window probe follows (RFC 9293 §3.8.6.1)
                break;
            }
            int n = Math.min(unsent, Math.min(wnd, mss));
            // The host's EOF rides on the last data segment (RFC 9293 §3.10.4 queues the FIN after the data).
            boolean fin = n == unsent && hostEof;
            if (fin) finSending();
            sendFromBuffer(sndNxt, n, n == unsent, fin);
            sndNxt += n + (fin ? 1 : 0);
            if (TcpSegment.lt(sndMax, sndNxt)) sndMax = sndNxt;
            if (rtoAt == 0) armRto();
        }
        // Not once the FIN is acknowledged: then sndNxt == dataEnd() again, and a guest in CLOSE_WAIT
        // would get (and ignore) a new FIN beyond the stream's end, retransmitted until the flow aborted.
        if (hostEof && !finAcked && sndNxt == dataEnd()) {
            finSending();
            send(TcpSegment.FIN | TcpSegment.ACK, sndNxt, null, 0, 0);
            sndNxt++;
            if (TcpSegment.lt(sndMax, sndNxt)) sndMax = sndNxt;
            if (rtoAt == 0) armRto();
        }
    }

    private void finSending() {
        if (!finSent && !guestFin) finFirst = true;
        finSent = true;
    }

    private void sendFromBuffer(int seq, int n, boolean push) {
        sendFromBuffer(seq, n, push, false);
    }

    /** Sends n bytes of sndBuf from seq: headers built in the engine's scratch, the payload gathered from the ring. */
    private void sendFromBuffer(int seq, int n, boolean push, boolean fin) {
        byte[] h = eng.txHeader();
        int hl = TcpSegment.writeHeaders(h, v6, peerIp, guestIp, peerPort, guestPort, seq, rcvNxt,
                TcpSegment.ACK | (push ? TcpSegment.PSH : 0) | (fin ? TcpSegment.FIN : 0), windowField(), -1, -1, n, eng.ipId());
        int ipl = IpPacket.headerLen(v6);
        long sum = IpPacket.pseudoSum(h, v6, IpPacket.TCP, hl - ipl + n);
        sum = Checksum.add(sum, h, ipl, hl - ipl); // an even length, so the payload's words line up
        sum = sndBuf.checksum(sum, seq - sndUna, n);
        IpPacket.put16(h, ipl + 16, Checksum.finish(sum));
        eng.toGuest(h, hl, sndBuf, seq - sndUna, n);
        ackNow = false;
    }

    private void send(int flags, int seq, byte[] data, int off, int len) {
        eng.toGuest(TcpSegment.build(v6, peerIp, guestIp, peerPort, guestPort, seq, rcvNxt, flags, windowField(), -1, data, off,
                len, eng.ipId()));
        if ((flags & TcpSegment.ACK) != 0) ackNow = false;
    }

    /** The window field of a non-SYN segment (RFC 7323 §2.3: right-shifted), noting what the guest will take it for. */
    private int windowField() {
        int field = window() >> rcvScale;
        advWnd = field << rcvScale;
        return field;
    }

    private void sendSyn() {
        int flags = state == State.SYN_SENT ? TcpSegment.SYN : TcpSegment.SYN | TcpSegment.ACK;
        advWnd = Math.min(WINDOW_MAX, window()); // a SYN's window is never scaled (RFC 7323 §2.2)
        eng.toGuest(TcpSegment.build(v6, peerIp, guestIp, peerPort, guestPort, iss, rcvNxt, flags, advWnd, eng.mss(v6),
                scaling ? RCV_SCALE : -1, null, 0, 0, eng.ipId()));
    }

    /** The receive window in bytes: what rcvBuf can still take, at most what the window field can say. */
    private int window() {
        return guestFin ? 0 : Math.min(WINDOW_MAX << rcvScale, rcvBuf.free());
    }

    private void armRto() {
        rtoAt = eng.now() + rto;
    }

    /** One segment from snd_una (fast retransmit, RFC 5681 §3.2). */
    private void retransmitOne() {
        int n = Math.min(dataEnd() - sndUna, Math.min(mss, Math.max(sndWnd, 1)));
        if (n > 0) sendFromBuffer(sndUna, n, false);
        else if (finSent && !finAcked) send(TcpSegment.FIN | TcpSegment.ACK, dataEnd(), null, 0, 0);
    }

    // ---- timers ---------------------------------------------------------------------------------

    /** Whether a retransmission or persist timer is running (the engine then ticks often). */
    boolean timerArmed() {
        return rtoAt != 0;
    }

    void tick(long now) {
        if (state == State.CLOSED) return;
        long limit = switch (state) {
            case CONNECTING, SYN_SENT, SYN_RCVD -> CONNECT_TIMEOUT;
            case ESTABLISHED -> IDLE_TIMEOUT;
            default -> FIN_TIMEOUT;
        };
        long since = state.compareTo(State.SYN_RCVD) <= 0 ? born : lastActive;
        if (now - since > limit) {
            eng.debug("TCP " + key.text() + ": timed out in " + state);
            abort(true);
            return;
        }
        if (rtoAt != 0 && now - rtoAt >= 0) onRto(now);
    }

    /** Retransmission timeout (RFC 6298 §5): go back to snd_una, double the RTO; or probe a zero window. */
    private void onRto(long now) {
        boolean zeroWindowWait = sndWnd == 0 && dataEnd() != sndUna;
        if (state == State.SYN_RCVD || state == State.SYN_SENT) {
            if (++retries > MAX_SYN_RETRIES) {
                eng.debug("TCP " + key.text() + ": no answer to the SYN" + (state == State.SYN_RCVD ? "-ACK" : ""));
                abort(state == State.SYN_SENT);
                return;
            }
            sendSyn();
        } else if (sndNxt == sndUna && !zeroWindowWait) {
            rtoAt = 0;
            return;
        } else if (sndWnd == 0) {
            // Zero-window probe: one byte beyond the window; the guest's ACK tells its window again.
            sndNxt = sndUna;
            if (dataEnd() != sndUna) {
                sendFromBuffer(sndUna, 1, true);
                sndNxt = sndUna + 1;
                if (TcpSegment.lt(sndMax, sndNxt)) sndMax = sndNxt;
            } else if (finSent && !finAcked) {
                send(TcpSegment.FIN | TcpSegment.ACK, sndUna, null, 0, 0);
                sndNxt = sndUna + 1;
            }
        } else {
            if (++retries > MAX_RETRIES) {
                eng.debug("TCP " + key.text() + ": the guest stopped acknowledging");
                abort(true);
                return;
            }
            sndNxt = sndUna;
            dupAcks = 0;
            sendData();
        }
        rto = Math.min(rto * 2, RTO_MAX);
        rtoAt = now + rto;
        eng.dirty(this);
    }

    // ---- teardown -------------------------------------------------------------------------------

    /** Ends the flow abruptly: RST to the guest if asked, the host socket closed with SO_LINGER 0 (a host RST). */
    void abort(boolean rstGuest) {
        if (state == State.CLOSED) return;
        if (rstGuest) {
            if (state == State.CONNECTING) {
                // The guest's SYN is refused: RST|ACK acknowledging it (RFC 9293 §3.5.2), i.e. ECONNREFUSED.
                eng.toGuest(TcpSegment.build(v6, peerIp, guestIp, peerPort, guestPort, 0, rcvNxt,
                        TcpSegment.RST | TcpSegment.ACK, 0, -1, null, 0, 0, eng.ipId()));
            } else if (state != State.SYN_SENT) {
                eng.toGuest(TcpSegment.build(v6, peerIp, guestIp, peerPort, guestPort, sndNxt, rcvNxt,
                        TcpSegment.RST | TcpSegment.ACK, 0, -1, null, 0, 0, eng.ipId()));
            }
        }
        close(true);
    }

    private void close(boolean abortive) {
        state = State.CLOSED;
        rtoAt = 0;
        if (ch != null) {
            try {
                if (abortive && ch.isOpen() && hostConnected) ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // the socket is already dead; close it anyway
            }
            try {
                ch.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
        sndBuf.release();
        rcvBuf.release();
        eng.removeTcp(this);
    }

    /** Closes the host socket for the stack's shutdown, without a word to the guest. */
    void shutdown() {
        close(true);
    }
}
