package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A reusable array of struct pollfd {int fd; short events; short revents;} for poll(2), refilled
 * before every call by one thread. It grows by doubling and never shrinks, so a long-running event
 * loop allocates native memory only while its peak number of fds rises.
 */
public final class PollSet implements AutoCloseable {
    private static final int POLLFD_SIZE = 8;
    private final Arena arena = Arena.ofConfined();
    private MemorySegment fds;
    private int capacity;
    private int count;

    public PollSet(int initialCapacity) {
        capacity = Math.max(4, initialCapacity);
        fds = arena.allocate((long) capacity * POLLFD_SIZE, 8);
    }

    public void clear() {
        count = 0;
    }

    /** Adds an fd with the events wanted; POLLERR, POLLHUP and POLLNVAL are always reported. Returns its index. */
    public int add(int fd, int events) {
        if (count == capacity) {
            // The old array stays in the arena until close: the total is at most twice the peak.
            MemorySegment bigger = arena.allocate((long) capacity * 2 * POLLFD_SIZE, 8);
            MemorySegment.copy(fds, 0, bigger, 0, (long) capacity * POLLFD_SIZE);
            fds = bigger;
            capacity *= 2;
        }
        long off = (long) count * POLLFD_SIZE;
        fds.set(JAVA_INT, off, fd);
        fds.set(JAVA_SHORT, off + 4, (short) events);
        fds.set(JAVA_SHORT, off + 6, (short) 0);
        return count++;
    }

    /** poll(2): the number of fds with events, 0 on timeout, or -errno (EINTR when a signal arrived). */
    public int poll(int timeoutMs) {
        int r = Libc.poll(fds, count, timeoutMs);
        return r >= 0 ? r : -Libc.errno();
    }

    /** The events the last poll reported for the fd at {@code index}; 0 for index -1. */
    public int revents(int index) {
        return index < 0 ? 0 : Short.toUnsignedInt(fds.get(JAVA_SHORT, (long) index * POLLFD_SIZE + 6));
    }

    @Override
    public void close() {
        arena.close();
    }
}
