package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailOutcome;
import org.jnsjail.model.JailStatus;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import org.jnsjail.model.JailResource;
import org.jnsjail.model.Measured;
import org.jnsjail.sys.Structs;

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
    private volatile JailOutcome outcome;
    private volatile SeccompReport.Violation violation;
    /** Why the supervisor signalled it (the first reason given), or null. */
    private volatile JailOutcome.Cause killCause;
    /** When the program was let go (a jail readied ahead waits for its stdio first): its wall time counts from here. */
    private volatile long startNanos = System.nanoTime();

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
    public JailStatus waitFor() throws JailFailure {
        JailStatus s;
        while ((s = waitFor(-1)) == null) {
            // poll was interrupted by a signal; go on waiting
        }
        return s;
    }

    @Override
    public synchronized JailStatus waitFor(long millis) throws JailFailure {
        if (status != null) return status;
        try (Arena a = Arena.ofConfined()) {
            if (millis != 0) {
                MemorySegment pfd = a.allocate(Structs.Pollfd.SIZE);
                pfd.set(JAVA_INT, Structs.Pollfd.FD, pidfd);
                pfd.set(JAVA_SHORT, Structs.Pollfd.EVENTS, POLLIN);
                int r = Libc.poll(pfd, 1, (int) Math.min(Integer.MAX_VALUE, millis));
                if (r < 0 && Libc.errno() != Errno.EINTR) throw new JailFailure(SetupStep.WAIT, Libc.errno(), "poll(pidfd): " + Errno.describe(Libc.errno()));
                if (r <= 0) return null;
            }
            MemorySegment si = a.allocate(Structs.Siginfo.SIZE);
            // Peek first (WNOWAIT): a jail killed by seccomp still has its /proc/PID/syscall to read.
            int rc = Libc.waitid(P_PIDFD, pidfd, si, WEXITED | WNOHANG | WNOWAIT);
            if (rc == 0 && si.get(JAVA_INT, Structs.Siginfo.PID) != 0 && si.get(JAVA_INT, Structs.Siginfo.CODE) != CLD_EXITED
                    && si.get(JAVA_INT, Structs.Siginfo.STATUS) == Signals.SIGSYS) {
                lastSyscall = readSyscall(pid);
            }
            MemorySegment ru = a.allocate(Structs.Rusage.SIZE, 8);
            // The rusage of the reaped child (waitid(2) as the kernel takes it, with a fifth argument).
            if (rc == 0 && si.get(JAVA_INT, Structs.Siginfo.PID) != 0) rc = Libc.waitid(P_PIDFD, pidfd, si, WEXITED | WNOHANG, ru);
            if (rc < 0) {
                if (Libc.errno() == Errno.EINTR) return null;
                throw new JailFailure(SetupStep.WAIT, Libc.errno(), "waitid(pid=" + pid + "): " + Errno.describe(Libc.errno()));
            }
            if (si.get(JAVA_INT, Structs.Siginfo.PID) == 0) return null; // si_pid 0: still running
            int code = si.get(JAVA_INT, Structs.Siginfo.CODE), st = si.get(JAVA_INT, Structs.Siginfo.STATUS);
            JailStatus done = code == CLD_EXITED ? JailStatus.exited(st) : JailStatus.killed(st);
            long wall = System.nanoTime() - startNanos;
            Libc.close(pidfd);
            pidfd = -1;
            for (JailResource r : resources) r.reaped(done);
            Measured m = new Measured();
            for (JailResource r : resources) {
                try {
                    r.measure(m);
                } catch (RuntimeException e) {
                    org.jnsjail.log.Log.debug("measuring the jail: " + org.jnsjail.log.Quote.describe(e));
                }
            }
            JailResources.releaseAll(resources);
            outcome = outcome(done, m, wall, ru);
            status = done;
            return done;
        }
    }

    /**
     * The outcome: the program's own status where --init reported it, the cause (the supervisor's
     * reason for a signal it sent first, then a seccomp kill, then an OOM kill), and the figures (the
     * cgroup's where it measured them, else the rusage).
     */
    private JailOutcome outcome(JailStatus done, Measured m, long wall, MemorySegment ru) {
        int exitCode = done.signaled() ? -1 : done.code(), sig = done.signal(), victim = pid;
        if (m.programStatus() >= 0) {
            int st = m.programStatus();
            sig = (st & 0x7f) != 0 ? st & 0x7f : 0;
            exitCode = sig != 0 ? -1 : (st >> 8) & 0xff;
            victim = m.programPid() > 0 ? m.programPid() : pid;
        }
        JailOutcome.Seccomp seccomp = null;
        JailOutcome.Cause cause;
        JailOutcome.Cause killed = killCause;
        if (killed != null && (sig != 0 || done.signaled())) {
            cause = killed;
        } else if (sig == Signals.SIGSYS) {
            cause = JailOutcome.Cause.SECCOMP_VIOLATION;
            violation = SeccompReport.find(victim, victim == pid ? lastSyscall : null);
            seccomp = SeccompReport.describe(violation);
        } else if (sig == Signals.SIGKILL && m.oomKills() > 0) {
            cause = JailOutcome.Cause.OOM_KILLED;
        } else {
            cause = sig != 0 ? JailOutcome.Cause.SIGNALED : JailOutcome.Cause.EXITED;
        }
        long ruUser = timeval(ru, Structs.Rusage.UTIME), ruSys = timeval(ru, Structs.Rusage.STIME),
                maxrss = ru.get(java.lang.foreign.ValueLayout.JAVA_LONG, Structs.Rusage.MAXRSS);
        boolean cgCpu = m.userNanos() >= 0;
        JailOutcome.Usage usage = new JailOutcome.Usage(wall, cgCpu ? m.userNanos() : ruUser, cgCpu ? m.systemNanos() : ruSys,
                cgCpu ? JailOutcome.Source.CGROUP : JailOutcome.Source.RUSAGE,
                m.peakMemory() >= 0 ? m.peakMemory() : maxrss * 1024,
                m.peakMemory() >= 0 ? JailOutcome.Source.CGROUP : JailOutcome.Source.RUSAGE, m.peakPids());
        return new JailOutcome(pid, cause, done.code(), exitCode, sig, usage, seccomp, null, null);
    }

    private static long timeval(MemorySegment ru, long off) {
        return ru.get(java.lang.foreign.ValueLayout.JAVA_LONG, off + Structs.Rusage.TV_SEC) * 1_000_000_000L
                + ru.get(java.lang.foreign.ValueLayout.JAVA_LONG, off + Structs.Rusage.TV_USEC) * 1000L;
    }

    /** The jail is given its stdio and runs its program now. */
    void startClock() {
        startNanos = System.nanoTime();
    }

    @Override
    public JailOutcome outcome() {
        return outcome;
    }

    /** The seccomp kill as found at the reaping, for the log; null when there was none. */
    static SeccompReport.Violation violationOf(JailHandle h) {
        return h instanceof ChildJail c ? c.violation : null;
    }

    @Override
    public boolean signal(int sig, JailOutcome.Cause why) {
        if (status == null && killCause == null) killCause = why;
        return signal(sig);
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
        signal(Signals.SIGKILL, JailOutcome.Cause.KILLED_BY_SUPERVISOR);
        try {
            waitFor();
        } catch (JailFailure e) {
            // nothing more can be done for it
        }
    }
}
