package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The seccomp user-notification listener (seccomp_unotify(2)): poll, receive, check, answer. Native
 * buffers are allocated once and reused; one thread only.
 */
final class NotifyFd {
    /** linux/seccomp.h: SECCOMP_IOWR(0, struct seccomp_notif), SECCOMP_IOWR(1, struct seccomp_notif_resp), SECCOMP_IOW(2, __u64). */
    enum Ioctl {
        NOTIF_RECV(0xc0502100L), NOTIF_SEND(0xc0182101L), NOTIF_ID_VALID(0x40082102L);

        final long request;

        Ioctl(long request) {
            this.request = request;
        }
    }

    /** The only answer this package ever gives: let the syscall run as if there were no filter. */
    static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;

    /** What {@link #await} found. */
    enum Ready { NOTIFICATION, HANGUP, AGAIN }

    private final int fd;
    private final MemorySegment notif, resp, id, pollfd;

    NotifyFd(int fd, Arena arena) {
        this.fd = fd;
        notif = arena.allocate(Structs.SeccompNotif.SIZE, 8);
        resp = arena.allocate(Structs.SeccompNotifResp.SIZE, 8);
        id = arena.allocate(8, 8);
        pollfd = arena.allocate(Structs.Pollfd.SIZE, 8);
    }

    /**
     * poll(2) without timeout. The kernel reports POLLHUP once no task uses the filter any more
     * (every process of the jail has exited), which ends the tracer.
     */
    Ready await() {
        pollfd.set(JAVA_INT, Structs.Pollfd.FD, fd);
        pollfd.set(JAVA_SHORT, Structs.Pollfd.EVENTS, (short) PollEvent.POLLIN.bit);
        pollfd.set(JAVA_SHORT, Structs.Pollfd.REVENTS, (short) 0);
        long r = Libc.sys(Syscall.SYS_poll, pollfd.address(), 1, -1, 0, 0, 0);
        if (r < 0) {
            int e = Libc.errno();
            if (e == Errno.EINTR || e == Errno.EAGAIN) return Ready.AGAIN;
            throw new IllegalStateException("poll on the seccomp listener: " + Errno.describe(e));
        }
        int rev = Short.toUnsignedInt(pollfd.get(JAVA_SHORT, Structs.Pollfd.REVENTS));
        if ((rev & PollEvent.POLLIN.bit) != 0) return Ready.NOTIFICATION;
        if ((rev & (PollEvent.POLLHUP.bit | PollEvent.POLLERR.bit | PollEvent.POLLNVAL.bit)) != 0) return Ready.HANGUP;
        return Ready.AGAIN;
    }

    /**
     * SECCOMP_IOCTL_NOTIF_RECV; null when there was nothing to take (EINTR, or ENOENT: the caller
     * was interrupted or died between poll and receive). The buffer must be zeroed: the kernel
     * rejects a non-zero one with EINVAL.
     */
    Notification receive() {
        notif.fill((byte) 0);
        long r = Libc.sys(Syscall.SYS_ioctl, fd, Ioctl.NOTIF_RECV.request, notif.address(), 0, 0, 0);
        if (r < 0) return null;
        long[] args = new long[6];
        final int data = Structs.SeccompNotif.DATA;
        for (int i = 0; i < 6; i++) args[i] = notif.get(JAVA_LONG, data + Structs.SeccompData.ARGS + 8L * i);
        return new Notification(notif.get(JAVA_LONG, Structs.SeccompNotif.ID), notif.get(JAVA_INT, Structs.SeccompNotif.PID),
                notif.get(JAVA_INT, Structs.SeccompNotif.FLAGS), notif.get(JAVA_INT, data + Structs.SeccompData.NR),
                notif.get(JAVA_INT, data + Structs.SeccompData.ARCH),
                notif.get(JAVA_LONG, data + Structs.SeccompData.INSTRUCTION_POINTER), args);
    }

    /** errno of the last failed call on this thread (for debug lines). */
    static int lastErrno() {
        return Libc.errno();
    }

    /**
     * SECCOMP_IOCTL_NOTIF_ID_VALID: the caller is still waiting on this notification, so its pid
     * still names it and what was read from /proc/PID and its memory was really its own.
     */
    boolean stillValid(long notifId) {
        id.set(JAVA_LONG, 0, notifId);
        return Libc.sys(Syscall.SYS_ioctl, fd, Ioctl.NOTIF_ID_VALID.request, id.address(), 0, 0, 0) == 0;
    }

    /**
     * SECCOMP_IOCTL_NOTIF_SEND with SECCOMP_USER_NOTIF_FLAG_CONTINUE (val and error 0). Returns 0,
     * or the errno; ENOENT is normal (the caller was killed or its syscall interrupted meanwhile).
     */
    int answerContinue(long notifId) {
        resp.set(JAVA_LONG, Structs.SeccompNotifResp.ID, notifId);
        resp.set(JAVA_LONG, Structs.SeccompNotifResp.VAL, 0);
        resp.set(JAVA_INT, Structs.SeccompNotifResp.ERROR, 0);
        resp.set(JAVA_INT, Structs.SeccompNotifResp.FLAGS, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        for (;;) {
            if (Libc.sys(Syscall.SYS_ioctl, fd, Ioctl.NOTIF_SEND.request, resp.address(), 0, 0, 0) == 0) return 0;
            int e = Libc.errno();
            if (e != Errno.EINTR) return e;
        }
    }

    int fd() {
        return fd;
    }
}
