package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * This process's /proc/self/mountinfo, read again only once the kernel says the mount table
 * changed. A supervisor asks for it at every jail it plans (the host's procfs mounts a recursive
 * bind would bring along), and reading and formatting every mount costs more than the rest of the
 * plan. The file stays open: the kernel marks an open mountinfo fd with POLLPRI|POLLERR after each
 * mount or unmount in its namespace, and each poll(2) that reports it clears it (proc(5),
 * /proc/pid/mounts). Polling before returning the cached text means it is never older than the
 * call: a mount made before it is seen, as with a fresh read.
 */
public final class MountTable {
    private MountTable() {}

    private static final String PATH = "/proc/self/mountinfo";
    private static final short POLLPRI = 0x002, POLLERR = 0x008;

    private static int fd = -1;
    private static String text;
    private static MemorySegment pollfd;

    /** The table's text: the same String instance as long as nothing was mounted or unmounted. */
    public static synchronized String text() throws ErrnoException {
        if (fd < 0) {
            fd = Libc.open(PATH, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            pollfd = Arena.global().allocate(8, 8);
            pollfd.set(JAVA_INT, 0, fd);
        } else if (text != null && !changed()) {
            return text;
        }
        text = readAll();
        return text;
    }

    /** poll(2) with no wait: whether a mount or unmount happened since the last poll (or the open). */
    private static boolean changed() {
        pollfd.set(JAVA_SHORT, 4, POLLPRI);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        // -1 (EINTR, ENOMEM): unknown, so read again.
        if (Libc.poll(pollfd, 1, 0) < 0) return true;
        return (pollfd.get(JAVA_SHORT, 6) & (POLLPRI | POLLERR)) != 0;
    }

    private static String readAll() throws ErrnoException {
        if (Libc.syscall(Syscall.SYS_lseek, fd, 0, 0) < 0) throw new ErrnoException("lseek " + PATH, Libc.errno());
        return new String(Libc.readAll(fd), StandardCharsets.UTF_8);
    }
}
