package org.jnsjail.net.nstun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A FIFO byte buffer of at most {@code limit} bytes whose storage grows by doubling as it fills,
 * drawing on a {@link Budget} shared by the whole stack, so a jail with thousands of idle flows costs
 * little and one with thousands of stuffed flows cannot exceed the budget. Engine thread only.
 */
final class ByteRing {

    /** All the ring storage of one stack; a ring that cannot grow keeps its current size. */
    static final class Budget {
        private long left;

        Budget(long bytes) {
            left = bytes;
        }

        boolean take(int n) {
            if (n > left) return false;
            left -= n;
            return true;
        }

        void give(int n) {
            left += n;
        }

        long left() {
            return left;
        }
    }

    private static final int FIRST = 4096;
    private final Budget budget;
    private final int limit;
    private byte[] buf = new byte[0];
    private int head, size;
    private boolean released;

    ByteRing(Budget budget, int limit) {
        this.budget = budget;
        this.limit = limit;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes that can be added now, growing the storage (within limit and budget) if needed. */
    int free() {
        if (size == buf.length) grow();
        int room = buf.length - size;
        if (room == 0) return 0;
        // Report what a further growth could give too, so windows open as far as the limit allows.
        int more = released || buf.length >= limit ? 0 : (int) Math.min(limit - buf.length, budget.left());
        return room + more;
    }

    private boolean grow() {
        if (released || buf.length >= limit) return false;
        int n = Math.min(limit, Math.max(FIRST, buf.length * 2));
        if (!budget.take(n - buf.length)) return false;
        byte[] b = new byte[n];
        int first = Math.min(size, buf.length - head);
        System.arraycopy(buf, head, b, 0, first);
        System.arraycopy(buf, 0, b, first, size - first);
        buf = b;
        head = 0;
        return true;
    }

    /** Appends up to len bytes; returns how many fit. */
    int put(byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            if (size == buf.length && !grow()) break;
            int tail = (head + size) % buf.length;
            int n = Math.min(len - done, Math.min(buf.length - size, buf.length - tail));
            System.arraycopy(src, off + done, buf, tail, n);
            size += n;
            done += n;
        }
        return done;
    }

    /** Copies len bytes starting at offset from the head into dst, without removing them. */
    void peek(int offset, byte[] dst, int dstOff, int len) {
        if (offset + len > size) throw new IndexOutOfBoundsException();
        int start = (head + offset) % Math.max(1, buf.length);
        int first = Math.min(len, buf.length - start);
        System.arraycopy(buf, start, dst, dstOff, first);
        System.arraycopy(buf, 0, dst, dstOff + first, len - first);
    }

    void discard(int n) {
        n = Math.min(n, size);
        size -= n;
        head = size == 0 ? 0 : (head + n) % buf.length;
    }

    /** Reads from ch into the free space (one contiguous part); the count, 0, or -1 at EOF. */
    int readFrom(ReadableByteChannel ch) throws IOException {
        if (size == buf.length && !grow()) return 0;
        int tail = (head + size) % buf.length;
        int n = Math.min(buf.length - size, buf.length - tail);
        int r = ch.read(ByteBuffer.wrap(buf, tail, n));
        if (r > 0) size += r;
        return r;
    }

    /** Writes the buffered bytes to ch (one contiguous part); how many went. */
    int writeTo(WritableByteChannel ch) throws IOException {
        if (size == 0) return 0;
        int n = Math.min(size, buf.length - head);
        int w = ch.write(ByteBuffer.wrap(buf, head, n));
        discard(w);
        return w;
    }

    /** Returns the storage to the budget; the ring is empty and unusable afterwards. */
    void release() {
        if (released) return;
        released = true;
        budget.give(buf.length);
        buf = new byte[0];
        head = size = 0;
    }
}
