package org.jnsjail.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.ScmRights;
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.sys.Structs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One client connection: frames read within a deadline and a size limit, fds that came with them
 * (every received fd is close-on-exec; more than were allowed is a protocol error, and any fd that
 * came with a frame that takes none is closed at once), frames written without blocking.
 */
final class Channel implements AutoCloseable {
    /** A frame read: its type, payload and the fds that came with it (owned by the caller). */
    record Frame(int type, byte[] payload, int[] fds) {}

    /**
     * The peer closed the connection (or broke it) before a whole frame arrived. Every client's
     * connection ends so, once: no stack trace is taken for it.
     */
    static final class Gone extends Exception {
        private static final long serialVersionUID = 1L;

        Gone(String why) {
            super(why, null, false, false);
        }
    }

    final int fd;

    Channel(int fd) {
        this.fd = fd;
    }

    /**
     * Reads one frame. @param deadlineNanos System.nanoTime() by which it must have arrived (Long.MAX_VALUE: none)
     * @param maxLen the largest payload accepted @param maxFds fds it may carry
     * @param budget reserves the payload's bytes before they are allocated (null: none needed)
     */
    Frame read(long deadlineNanos, int maxLen, int maxFds, Budget budget) throws Wire.Malformed, Gone {
        List<Integer> fds = new ArrayList<>();
        boolean ok = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment head = a.allocate(Wire.HEADER);
            fill(head, deadlineNanos, fds, maxFds, true);
            ByteBuffer hb = head.asByteBuffer().order(ByteOrder.nativeOrder());
            int type = hb.getInt(0);
            long len = Integer.toUnsignedLong(hb.getInt(4));
            if (len > maxLen) {
                throw new Wire.Malformed("frame '" + printable(type) + "' of " + len + " bytes is too large (at most "
                        + maxLen + ")");
            }
            byte[] payload;
            if (budget != null && !budget.reserve(len)) throw new Wire.Malformed("the server is short of memory for "
                    + len + " bytes now");
            try {
                MemorySegment body = a.allocate(Math.max(1, len));
                fill(body.asSlice(0, len), deadlineNanos, fds, 0, false);
                payload = body.asSlice(0, len).toArray(JAVA_BYTE);
            } finally {
                if (budget != null) budget.release(len);
            }
            ok = true;
            return new Frame(type, payload, fds.stream().mapToInt(Integer::intValue).toArray());
        } finally {
            if (!ok) for (int f : fds) Libc.close(f);
        }
    }

    private void fill(MemorySegment buf, long deadlineNanos, List<Integer> fds, int maxFds, boolean first)
            throws Wire.Malformed, Gone {
        long got = 0;
        while (got < buf.byteSize()) {
            awaitReadable(deadlineNanos);
            ScmRights.Received r;
            try {
                r = ScmRights.recv(fd, buf.asSlice(got), Math.max(1, maxFds), UnixSocket.MSG_DONTWAIT);
            } catch (ErrnoException e) {
                if (e.errno() == 11 /* EAGAIN */) continue;
                throw new Gone(e.getMessage());
            }
            for (int f : r.fds()) fds.add(f);
            boolean atStart = first && got == 0;
            if (r.truncated() || r.fds().length > (atStart ? maxFds : 0)) {
                throw new Wire.Malformed("a frame came with fds it may not carry");
            }
            if (r.bytes() == 0) throw new Gone(got == 0 && first ? "closed" : "closed in the middle of a frame");
            got += r.bytes();
        }
    }

    private void awaitReadable(long deadlineNanos) throws Gone {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(Structs.Pollfd.SIZE);
            for (;;) {
                long left = deadlineNanos == Long.MAX_VALUE ? -1 : (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (deadlineNanos != Long.MAX_VALUE && left <= 0) throw new Gone("timed out");
                p.set(JAVA_INT, Structs.Pollfd.FD, fd);
                p.set(JAVA_SHORT, Structs.Pollfd.EVENTS, (short) 1 /* POLLIN */);
                p.set(JAVA_SHORT, Structs.Pollfd.REVENTS, (short) 0);
                int r = Libc.poll(p, 1, (int) Math.min(Integer.MAX_VALUE, left));
                if (r > 0) return;
                if (r < 0 && Libc.errno() != 4 /* EINTR */) throw new Gone("poll failed");
            }
        }
    }

    /** Writes a whole frame without blocking (frames to clients are small); false if the client is gone. */
    boolean send(byte[] frame, int... fdsToSend) {
        try {
            UnixSocket.send(fd, frame, fdsToSend, UnixSocket.MSG_DONTWAIT);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * Before closing on an error: a close with unread input resets the connection (unix(7): the
     * peer's next read fails with ECONNRESET) and the error line would be lost, so what the client
     * still sends is read and dropped first, for at most 200 ms and 1 MiB.
     */
    void drainBeforeClose() {
        UnixSocket.shutdown(fd, 1 /* SHUT_WR */);
        long deadline = System.nanoTime() + 200_000_000L;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            for (int total = 0; total < (1 << 20); ) {
                awaitReadable(deadline);
                ScmRights.Received r = ScmRights.recv(fd, buf, 1, UnixSocket.MSG_DONTWAIT);
                for (int f : r.fds()) Libc.close(f);
                if (r.bytes() == 0) return;
                total += (int) r.bytes();
            }
        } catch (Gone | ErrnoException e) {
            // timed out, or the client is gone: close anyway
        }
    }

    private static String printable(int type) {
        return type >= 0x20 && type < 0x7f ? Character.toString((char) type) : "0x" + Integer.toHexString(type);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    /** Bytes of requests being read at once, across all clients: a flood of huge requests cannot exhaust the heap. */
    static final class Budget {
        private final long limit;
        private long used;

        Budget(long limit) {
            this.limit = limit;
        }

        synchronized boolean reserve(long n) {
            if (used + n > limit) return false;
            used += n;
            return true;
        }

        synchronized void release(long n) {
            used -= n;
        }
    }
}
