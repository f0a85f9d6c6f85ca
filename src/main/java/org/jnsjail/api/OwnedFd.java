package org.jnsjail.api;

import java.io.IOException;
import java.lang.ref.Cleaner;

import org.jnsjail.sys.Libc;

/**
 * A file descriptor of this JVM that one stream owns: closed once, never while a read or write on
 * it is still in the kernel (the number could be reused meanwhile), and closed by a {@link Cleaner}
 * when the stream is dropped unclosed.
 */
final class OwnedFd implements Runnable {
    /** One cleaner thread for every stream (and pool, {@link JailPool}), made at the first use. */
    static final class Holder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private int fd;
    private int users;
    private boolean closeWanted;

    OwnedFd(int fd) {
        this.fd = fd;
    }

    /** Registers {@code owner}: when it becomes unreachable, the fd is closed. */
    Cleaner.Cleanable cleanWith(Object owner) {
        return Holder.CLEANER.register(owner, this);
    }

    /** The fd for one call; {@link #release()} after it. */
    synchronized int acquire() throws IOException {
        if (fd < 0 || closeWanted) throw new IOException("Stream closed");
        users++;
        return fd;
    }

    synchronized void release() {
        if (--users == 0 && closeWanted) closeNow();
    }

    synchronized boolean isClosed() {
        return fd < 0 || closeWanted;
    }

    /** Closes it now, or when the last call in flight returns. */
    synchronized void close() {
        closeWanted = true;
        if (users == 0) closeNow();
    }

    private void closeNow() {
        if (fd >= 0) Libc.close(fd);
        fd = -1;
    }

    @Override
    public void run() {
        close();
    }
}
