package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.api.JailException;
import org.jnsjail.api.JailHandle;
import org.jnsjail.api.JailStatus;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A jail that is a direct child of this JVM, held by a pidfd (pidfd_open(2)): a pid the JVM has
 * not reaped cannot be reused, so opening the pidfd right after clone is race-free.
 */
final class ChildJail implements JailHandle {
    static final int P_PIDFD = 3;
    static final int WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
    static final short POLLIN = 1;

    private final int pid;
    private volatile int pidfd;
    private volatile JailStatus status;
    private volatile String lastSyscall;

    private final java.util.List<JailResource> resources;

    private ChildJail(int pid, int pidfd, java.util.List<JailResource> resources) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.resources = resources;
    }

    /** Takes over the jail and its host resources, which are released once it is reaped. */
    static ChildJail adopt(int pid, java.util.List<JailResource> resources) throws ErrnoException {
        return new ChildJail(pid, Spawner.pidfdOpen(pid), resources);
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int pidfd() {
        return pidfd;
    }

    @Override
    public JailStatus waitFor() throws JailException {
        JailStatus s;
        while ((s = waitFor(-1)) == null) {
            // poll was interrupted by a signal; go on waiting
        }
        return s;
    }

    @Override
    public synchronized JailStatus waitFor(long millis) throws JailException {
        if (status != null) return status;
        try (Arena a = Arena.ofConfined()) {
            if (millis != 0) {
                MemorySegment pfd = a.allocate(8);
                pfd.set(JAVA_INT, 0, pidfd);
                pfd.set(JAVA_SHORT, 4, POLLIN);
                int r = Libc.poll(pfd, 1, (int) Math.min(Integer.MAX_VALUE, millis));
                if (r < 0 && Libc.errno() != Errno.EINTR) throw new JailException("poll(pidfd): " + Errno.describe(Libc.errno()));
                if (r <= 0) return null;
            }
            MemorySegment si = a.allocate(128);
            // Peek first (WNOWAIT): a jail killed by seccomp still has its /proc/PID/syscall to read.
            int rc = Libc.waitid(P_PIDFD, pidfd, si, WEXITED | WNOHANG | WNOWAIT);
            if (rc == 0 && si.get(JAVA_INT, 16) != 0 && si.get(JAVA_INT, 8) != CLD_EXITED
                    && si.get(JAVA_INT, 24) == Signals.SIGSYS) {
                lastSyscall = readSyscall(pid);
            }
            if (rc == 0 && si.get(JAVA_INT, 16) != 0) rc = Libc.waitid(P_PIDFD, pidfd, si, WEXITED | WNOHANG);
            if (rc < 0) {
                if (Libc.errno() == Errno.EINTR) return null;
                throw new JailException("waitid(pid=" + pid + "): " + Errno.describe(Libc.errno()));
            }
            if (si.get(JAVA_INT, 16) == 0) return null; // si_pid 0: still running
            int code = si.get(JAVA_INT, 8), st = si.get(JAVA_INT, 24);
            JailStatus done = code == CLD_EXITED ? JailStatus.exited(st) : JailStatus.killed(st);
            Libc.close(pidfd);
            pidfd = -1;
            for (JailResource r : resources) r.reaped(done);
            JailResources.releaseAll(resources);
            status = done;
            return done;
        }
    }

    /** /proc/PID/syscall of the dead jail: "nr arg0 .. arg5 sp pc", or null if unavailable (proc(5)). */
    private static String readSyscall(int pid) {
        try {
            String s = org.jnsjail.sys.HostInfo.readProc("/proc/" + pid + "/syscall").trim();
            return s.isEmpty() || s.equals("running") ? null : s;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Override
    public String lastSyscall() {
        return lastSyscall;
    }

    @Override
    public boolean signal(int sig) {
        int fd = pidfd;
        if (fd < 0) return false;
        return Libc.syscall(Syscall.SYS_pidfd_send_signal, fd, sig, 0, 0) == 0;
    }

    @Override
    public void close() {
        if (status != null) return;
        signal(Signals.SIGKILL);
        try {
            waitFor();
        } catch (JailException e) {
            // nothing more can be done for it
        }
    }
}
