package org.jnsjail.api;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Objects;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;

/** The write end of the pipe that is a jail's stdin; closed when the jail ends, as {@link Process} does. */
final class FdOutputStream extends OutputStream {
    private final OwnedFd fd;
    private final Cleaner.Cleanable cleanable;

    FdOutputStream(int fd) {
        this.fd = new OwnedFd(fd);
        this.cleanable = this.fd.cleanWith(this);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return;
        int f = fd.acquire();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(len);
            MemorySegment.copy(b, off, m, ValueLayout.JAVA_BYTE, 0, len);
            Libc.writeFully(f, m);
        } catch (ErrnoException e) {
            throw new IOException(Errno.describe(e.errno()));
        } finally {
            fd.release();
        }
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
