package org.jnsjail.net.nstun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A FIFO byte buffer of at most {@code limit} bytes whose storage grows by doubling as it fills,
 * drawing on a {@link Budget} shared by the whole stack, so a jail with thousands of idle flows costs
 * little and one with thousands of stuffed flows cannot exceed the budget. Engine thread only (the
 * storage is in a confined arena).
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
    /** Native storage (so host sockets read into it and TUN writes gather from it without a copy), in its own arena. */
    private Arena arena;
    private MemorySegment seg = MemorySegment.NULL;
    private ByteBuffer view;
    private int cap, head, size;
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
        if (size == cap) grow();
        int room = cap - size;
        if (room == 0) return 0;
        // Report what a further growth could give too, so windows open as far as the limit allows.
        int more = released || cap >= limit ? 0 : (int) Math.min(limit - cap, budget.left());
        return room + more;
    }

    private boolean grow() {
        if (released || cap >= limit) return false;
        int n = Math.min(limit, Math.max(FIRST, cap * 2));
        if (!budget.take(n - cap)) return false;
        Arena a = Arena.ofConfined();
        MemorySegment b = a.allocate(n, 64);
        int first = Math.min(size, cap - head);
        MemorySegment.copy(seg, head, b, 0, first);
        MemorySegment.copy(seg, 0, b, first, size - first);
        if (arena != null) arena.close();
        arena = a;
        seg = b;
        view = b.asByteBuffer();
        cap = n;
        head = 0;
        return true;
    }

    private int pos(int offset) {
        int p = head + offset;
        return p >= cap ? p - cap : p;
    }

    /** Appends up to len bytes; returns how many fit. */
    int put(byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            if (size == cap && !grow()) break;
            int tail = pos(size);
            int n = Math.min(len - done, Math.min(cap - size, cap - tail));
            MemorySegment.copy(src, off + done, seg, ValueLayout.JAVA_BYTE, tail, n);
            size += n;
            done += n;
        }
        return done;
    }

    /** Copies len bytes starting at offset from the head into dst, without removing them. */
    void peek(int offset, byte[] dst, int dstOff, int len) {
        if (offset < 0 || len < 0 || offset + len > size) throw new IndexOutOfBoundsException();
        if (len == 0) return;
        int start = pos(offset);
        int first = Math.min(len, cap - start);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, start, dst, dstOff, first);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, dst, dstOff + first, len - first);
    }

    /** The storage, for gathering writes; valid until the next put, read or release. */
    MemorySegment storage() {
        return seg;
    }

    /** Where the byte at offset from the head lies in {@link #storage}. */
    int at(int offset) {
        if (offset < 0 || offset > size) throw new IndexOutOfBoundsException();
        return cap == 0 ? 0 : pos(offset);
    }

    /** How many of len bytes from offset lie contiguously in storage (the rest starts at storage offset 0). */
    int run(int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > size) throw new IndexOutOfBoundsException();
        return len == 0 ? 0 : Math.min(len, cap - pos(offset));
    }

    /** Adds the len bytes from offset to a checksum sum, as if they followed an even number of bytes. */
    long checksum(long sum, int offset, int len) {
        int first = run(offset, len);
        long s = Checksum.add(sum, seg, pos(offset), first);
        if (len == first) return s;
        long rest = Checksum.add(0, seg, 0, len - first);
        // RFC 1071 §2(B): a part that starts at an odd position sums byte-swapped.
        return s + ((first & 1) == 0 ? rest : Checksum.swap(rest));
    }

    void discard(int n) {
        n = Math.min(n, size);
        head = size == n ? 0 : pos(n);
        size -= n;
    }
    /** How many bytes the next {@link #readFrom} offers the channel (growing the storage if full). */
    int readRoom() {
        if (size == cap && !grow()) return 0;
        return Math.min(cap - size, cap - pos(size));
    }

    /** Reads from ch into the free space (one contiguous part); the count, 0, or -1 at EOF. */
    int readFrom(ReadableByteChannel ch) throws IOException {
        if (size == cap && !grow()) return 0;
        int tail = pos(size);
        int n = Math.min(cap - size, cap - tail);
        view.limit(tail + n).position(tail);
        int r = ch.read(view);
        if (r > 0) size += r;
        return r;
    }

    /** Writes the buffered bytes to ch (one contiguous part); how many went. */
    int writeTo(WritableByteChannel ch) throws IOException {
        if (size == 0) return 0;
        int n = Math.min(size, cap - head);
        view.limit(head + n).position(head);
        int w = ch.write(view);
        discard(w);
        return w;
    }

    /** Returns the storage to the budget; the ring is empty and unusable afterwards. */
    void release() {
        if (released) return;
        released = true;
        budget.give(cap);
        if (arena != null) arena.close();
        arena = null;
        seg = MemorySegment.NULL;
        view = null;
        cap = head = size = 0;
    }
}
