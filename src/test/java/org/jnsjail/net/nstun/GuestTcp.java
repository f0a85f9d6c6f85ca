package org.jnsjail.net.nstun;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A tiny guest-side TCP for the tests: in-order only, acknowledges everything it receives with a
 * chosen window, and checks that the stack never sends beyond the window it was offered. With
 * {@link #wscale} set it offers window scaling (RFC 7323) and, when the stack answers, scales both ways.
 */
final class GuestTcp {
    final FakeGuest g;
    final boolean v6;
    final byte[] me, peer;
    final int myPort, peerPort;
    int iss = 1_000_000, sndNxt, sndUna, rcvNxt;
    int peerWnd, peerMss = -1;
    int window = 65535;
    /** The shift offered in our SYN / SYN-ACK (-1: no option); the MSS offered. */
    int wscale = -1, mssOffer = 1460;
    /** Shifts in force after the handshake: ours (applied to window) and the stack's (applied to its window fields). */
    int myScale, peerScale;
    /** The window-scale option of the stack's SYN or SYN-ACK (-1: none). */
    int peerOffer = -1;
    /** rcv_nxt as of our last ACK, and how far beyond it the stack ever sent (bytes in flight). */
    int lastAcked, maxAhead;
    /** Right edge of the window last advertised: the stack must not send past it (except 1-byte probes). */
    int rightEdge;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean finReceived, reset, sawZeroWindow;
    int probes;

    GuestTcp(FakeGuest g, boolean v6, int myPort, byte[] peer, int peerPort) {
        this.g = g;
        this.v6 = v6;
        this.me = v6 ? FakeGuest.IP6 : FakeGuest.IP4;
        this.peer = peer;
        this.myPort = myPort;
        this.peerPort = peerPort;
    }

    boolean mine(IpPacket p) {
        if (p.proto() != IpPacket.TCP || p.v6() != v6 || !Arrays.equals(p.src(), peer) || !Arrays.equals(p.dst(), me)) return false;
        byte[] b = p.data();
        return IpPacket.u16(b, p.l4Off()) == peerPort && IpPacket.u16(b, p.l4Off() + 2) == myPort;
    }

    byte[] segment(int flags, int seq, byte[] data, int off, int len, int mss) {
        boolean syn = (flags & TcpSegment.SYN) != 0;
        // RFC 7323 §2.2: a SYN's window is never scaled and carries the option; later ones are shifted.
        int ws = !syn ? -1 : (flags & TcpSegment.ACK) == 0 || peerOffer >= 0 ? wscale : -1;
        int field = syn ? Math.min(window, 65535) : Math.min(window >> myScale, 65535);
        return TcpSegment.build(v6, me, peer, myPort, peerPort, seq, rcvNxt, flags, field, mss, ws, data, off, len, g.ipId());
    }

    /** The window the stack learns from our non-SYN segments, in bytes. */
    int advertised() {
        return Math.min(window >> myScale, 65535) << myScale;
    }

    void sendRaw(int flags, int seq, byte[] data, int off, int len) throws Exception {
        g.send(segment(flags, seq, data, off, len, -1));
    }

    /** SYN, then SYN-ACK (true, ACK sent) or RST (false); null segment on timeout throws. */
    boolean connect(long timeoutMs) throws Exception {
        sndNxt = iss + 1;
        sndUna = iss;
        g.send(segment(TcpSegment.SYN, iss, null, 0, 0, mssOffer));
        TcpSegment s = next(timeoutMs);
        if (s == null) throw new AssertionError("no answer to the SYN");
        if (s.has(TcpSegment.RST)) {
            reset = true;
            return false;
        }
        if (!s.has(TcpSegment.SYN) || !s.has(TcpSegment.ACK) || s.ack() != iss + 1) throw new AssertionError("bad SYN-ACK " + s);
        rcvNxt = s.seq() + 1;
        sndUna = s.ack();
        peerWnd = s.window();
        peerMss = s.mss();
        peerOffer = s.wscale();
        if (wscale >= 0 && peerOffer >= 0) {
            myScale = wscale;
            peerScale = peerOffer;
        }
        ack();
        return true;
    }

    /** Answers the stack's SYN (HOST_TO_GUEST) with a SYN-ACK. */
    void accept(TcpSegment syn) throws Exception {
        rcvNxt = syn.seq() + 1;
        peerWnd = syn.window();
        peerMss = syn.mss();
        peerOffer = syn.wscale();
        sndNxt = iss + 1;
        sndUna = iss;
        g.send(segment(TcpSegment.SYN | TcpSegment.ACK, iss, null, 0, 0, mssOffer));
        if (wscale >= 0 && peerOffer >= 0) {
            myScale = wscale;
            peerScale = peerOffer;
        }
        rightEdge = rcvNxt + Math.min(window, 65535);
        lastAcked = rcvNxt;
    }

    void ack() throws Exception {
        sendRaw(TcpSegment.ACK, sndNxt, null, 0, 0);
        lastAcked = rcvNxt;
        // A shrinking window (RFC 9293 §3.8.6.2.2) does not recall what may already be in flight.
        if (rightEdge == 0 || TcpSegment.lt(rightEdge, rcvNxt + advertised())) rightEdge = rcvNxt + advertised();
    }

    /** The next segment of this connection, or null. */
    TcpSegment next(long timeoutMs) throws Exception {
        IpPacket p = g.await(this::mine, timeoutMs);
        return p == null ? null : TcpSegment.parse(p);
    }

    /** Takes in one segment: in-order data, FIN, ACK, RST. Returns whether it should be acknowledged. */
    boolean absorb(TcpSegment s) {
        if (s.has(TcpSegment.RST)) {
            reset = true;
            return false;
        }
        if (s.has(TcpSegment.ACK) && TcpSegment.lt(sndUna, s.ack())) sndUna = s.ack();
        if (s.has(TcpSegment.ACK)) peerWnd = s.window() << peerScale;
        if (s.dataLen() > 0) maxAhead = Math.max(maxAhead, s.seq() + s.dataLen() - lastAcked);
        if (s.has(TcpSegment.ACK) && s.window() == 0) sawZeroWindow = true;
        boolean probe = window == 0 && s.dataLen() == 1;
        if (probe) probes++;
        if (!probe && s.dataLen() > 0 && rightEdge != 0 && TcpSegment.lt(rightEdge, s.seq() + s.dataLen())) {
            throw new AssertionError("the stack sent beyond the advertised window: seq " + s.seq() + "+" + s.dataLen()
                    + " > " + rightEdge);
        }
        boolean needAck = false;
        if (s.dataLen() > 0) {
            needAck = true;
            if (s.seq() == rcvNxt && window > 0) {
                received.write(s.buf(), s.dataOff(), s.dataLen());
                rcvNxt += s.dataLen();
            }
        }
        if (s.has(TcpSegment.FIN) && s.seq() + s.dataLen() == rcvNxt) {
            rcvNxt++;
            finReceived = true;
            needAck = true;
        }
        return needAck;
    }

    /** Receives until n bytes arrived (acknowledging each segment). */
    byte[] read(int n, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (received.size() < n && !reset && !finReceived) {
            TcpSegment s = next(Math.max(1, end - System.currentTimeMillis()));
            if (s == null) throw new AssertionError("timeout after " + received.size() + " of " + n + " bytes");
            if (absorb(s)) ack();
        }
        return received.toByteArray();
    }

    /** Receives until FIN (or RST); returns everything received. */
    byte[] readToEnd(long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!finReceived && !reset) {
            TcpSegment s = next(Math.max(1, end - System.currentTimeMillis()));
            if (s == null) throw new AssertionError("timeout waiting for FIN after " + received.size() + " bytes");
            if (absorb(s)) ack();
        }
        return received.toByteArray();
    }

    /** Sends all of data within the stack's window and MSS, waiting for ACKs; retransmits from snd_una on a stall. */
    void write(byte[] data, long timeoutMs) throws Exception {
        int base = sndNxt;
        long end = System.currentTimeMillis() + timeoutMs;
        int mss = Math.min(peerMss > 0 ? peerMss : 536, 16384);
        while (TcpSegment.lt(sndUna, base + data.length)) {
            if (System.currentTimeMillis() > end) throw new AssertionError("write timed out at " + (sndUna - base) + " bytes");
            int wndEnd = sndUna + peerWnd;
            while (TcpSegment.lt(sndNxt, base + data.length) && TcpSegment.lt(sndNxt, wndEnd)) {
                int off = sndNxt - base;
                int n = Math.min(Math.min(mss, data.length - off), wndEnd - sndNxt);
                sendRaw(TcpSegment.ACK | TcpSegment.PSH, sndNxt, data, off, n);
                sndNxt += n;
            }
            TcpSegment s = next(peerWnd == 0 ? 300 : 1000);
            if (s == null) {
                // Stalled: a zero window or a lost segment; probe / go back to snd_una.
                sndNxt = sndUna;
                if (peerWnd == 0 && TcpSegment.lt(sndNxt, base + data.length)) {
                    sendRaw(TcpSegment.ACK, sndNxt, data, sndNxt - base, 1);
                }
                continue;
            }
            if (absorb(s)) ack();
            if (reset) throw new AssertionError("reset while writing");
        }
    }

    void fin() throws Exception {
        sendRaw(TcpSegment.FIN | TcpSegment.ACK, sndNxt, null, 0, 0);
        sndNxt++;
    }

    void rst() throws Exception {
        sendRaw(TcpSegment.RST | TcpSegment.ACK, sndNxt, null, 0, 0);
    }

    /** Waits until the stack acknowledged everything sent (our FIN included). */
    void awaitAcked(long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (sndUna != sndNxt) {
            TcpSegment s = next(Math.max(1, end - System.currentTimeMillis()));
            if (s == null) throw new AssertionError("not acknowledged: snd_una " + sndUna + " snd_nxt " + sndNxt);
            if (absorb(s)) ack();
        }
    }
}
