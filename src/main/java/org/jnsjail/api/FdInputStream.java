package org.jnsjail.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * The read end of a pipe from a jail (its stdout or stderr). As with {@link Process}, once the
 * jail has ended what is left in the pipe is read into memory and the fd closed
 * ({@link #drainAfterExit()}), so a caller that never reads nor closes the stream leaks nothing.
 */
final class FdInputStream extends InputStream {
    /** At most this much is kept in memory after the jail ended; the rest stays in the pipe. */
    static final int MAX_DRAIN = 4 << 20;
    private static final int CHUNK = 64 * 1024;

    private final OwnedFd fd;
    private final Cleaner.Cleanable cleanable;
    /** One reader at a time in the kernel, and the drain only when nobody reads. */
    private final ReentrantLock reading = new ReentrantLock();
    /** Bytes drained after the jail ended, served before the fd (if it is still open). */
    private byte[] drained;
    private int pos;
    private boolean eof;
    /** The jail ended ({@link #drainAfterExit} ran): a reader that reaches the end closes the fd. */
    private volatile boolean ended;

    FdInputStream(int fd) {
        this.fd = new OwnedFd(fd);
        this.cleanable = this.fd.cleanWith(this);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        reading.lock();
        try {
            if (drained != null && pos < drained.length) {
                int n = Math.min(len, drained.length - pos);
                System.arraycopy(drained, pos, b, off, n);
                pos += n;
                return n;
            }
            if (eof) return -1;
            int f = fd.acquire();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(Math.min(len, CHUNK));
                long n;
                for (;;) {
                    try {
                        n = Libc.read(f, buf, buf.byteSize());
                        break;
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EINTR) throw new IOException(Errno.describe(e.errno()));
                    }
                }
                if (n <= 0) {
                    eof = true;
                    return -1;
                }
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                return (int) n;
            } finally {
                fd.release();
            }
        } finally {
            reading.unlock();
            // The drain found this reader in the way: at the end of the data, the reader closes the fd.
            if (eof && ended) cleanable.clean();
        }
    }

    @Override
    public int available() throws IOException {
        reading.lock();
        try {
            if (drained != null && pos < drained.length) return drained.length - pos;
            if (fd.isClosed() && !eof && drained == null) throw new IOException("Stream closed");
            return 0;
        } finally {
            reading.unlock();
        }
    }

    @Override
    public void close() {
        drained = null;
        cleanable.clean();
    }

    /**
     * The jail has ended: unless someone is reading (who then gets the rest and EOF), what is left
     * in the pipe is read into memory and the fd closed. Writers that outlived the jail (none, with
     * a PID namespace) keep the fd open; what they already wrote is kept.
     */
    void drainAfterExit() {
        ended = true; // before the lock is tried: a reader holding it sees this once it lets go
        if (!reading.tryLock()) return;
        try {
            if (fd.isClosed()) return;
            if (eof) {
                cleanable.clean(); // read to its end before the jail ended: nothing is left to keep
                return;
            }
            int f;
            try {
                f = fd.acquire();
            } catch (IOException e) {
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean end = false;
            try (Arena a = Arena.ofConfined()) {
                int flags = Libc.fcntl(f, Fcntl.F_GETFL, 0);
                Libc.fcntl(f, Fcntl.F_SETFL, flags | Fcntl.O_NONBLOCK);
                MemorySegment buf = a.allocate(CHUNK);
                while (out.size() < MAX_DRAIN) {
                    long n;
                    try {
                        n = Libc.read(f, buf, buf.byteSize());
                    } catch (ErrnoException e) {
                        if (e.errno() == Errno.EINTR) continue;
                        break; // EAGAIN: a writer outlived the jail
                    }
                    if (n <= 0) {
                        end = true;
                        break;
                    }
                    out.writeBytes(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                }
                if (!end) Libc.fcntl(f, Fcntl.F_SETFL, flags);
            } catch (ErrnoException e) {
                // keep the fd as it is; reads go on from it
            } finally {
                fd.release();
            }
            byte[] rest = out.toByteArray();
            if (drained != null && pos < drained.length) {
                byte[] both = new byte[drained.length - pos + rest.length];
                System.arraycopy(drained, pos, both, 0, drained.length - pos);
                System.arraycopy(rest, 0, both, drained.length - pos, rest.length);
                rest = both;
            }
            drained = rest;
            pos = 0;
            if (end) {
                eof = true;
                cleanable.clean();
            }
        } finally {
            reading.unlock();
        }
    }
}
