package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.stub.HandOver;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import org.jnsjail.model.JailResource;
import org.jnsjail.model.Measured;
import org.jnsjail.sys.Structs;

/**
 * --init: the jail's PID 1 is a minimal init, and the program its child. The program hands over a
 * pidfd of itself before it executes, so that its own exit status can be read once the init has
 * reaped it: the PIDFD_GET_INFO ioctl with PIDFD_INFO_EXIT (Linux 6.15, pidfd_open(2) and
 * include/uapi/linux/pidfd.h) keeps the status of any process a pidfd was opened for. On older
 * kernels the init's exit code (the status, or 128+signal) is all there is.
 */
final class InitProgram implements JailResource {
    /** _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info), the 64-byte first version of the struct. */
    static final long PIDFD_GET_INFO = 0xC040FF0BL;
    static final long PIDFD_INFO_EXIT = 1L << 3;

    private int pidfd = -1, pid = -1;

    @Override
    public void attach(int pid) {}

    @Override
    public boolean takeFds(int kind, int[] fds) {
        if (kind != HandOver.INIT.value) return false;
        for (int i = 1; i < fds.length; i++) Libc.close(fds[i]);
        pidfd = fds[0];
        pid = fdinfoPid(pidfd);
        return true;
    }

    /** The process's pid in our PID namespace, from the "Pid:" line of the pidfd's fdinfo (proc(5)). */
    static int fdinfoPid(int fd) {
        try {
            for (String l : HostInfo.readProc("/proc/self/fdinfo/" + fd).split("\n")) {
                if (l.startsWith("Pid:")) return Integer.parseInt(l.substring(4).strip());
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    @Override
    public void measure(Measured m) {
        if (pidfd < 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(Structs.PidfdInfo.SIZE, 8);
            info.set(JAVA_LONG, Structs.PidfdInfo.MASK, PIDFD_INFO_EXIT);
            long rc = Libc.syscall(Syscall.SYS_ioctl, pidfd, PIDFD_GET_INFO, info.address());
            if (rc == 0 && (info.get(JAVA_LONG, Structs.PidfdInfo.MASK) & PIDFD_INFO_EXIT) != 0) {
                m.program(info.get(JAVA_INT, Structs.PidfdInfo.EXIT_CODE), pid);
            }
        }
    }

    @Override
    public void release() {
        if (pidfd >= 0) Libc.close(pidfd);
        pidfd = -1;
    }
}
