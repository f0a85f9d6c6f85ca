package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailOutcome;
import org.jnsjail.model.JailStatus;
import org.jnsjail.log.Log;
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
    /** The time limit (0: none) and the deadline it gives from {@link #startClock()}. */
    private final long limitMillis;
    private volatile long deadline = Long.MAX_VALUE;
    private volatile boolean timeKilled;
    private volatile String remote = Standalone.REMOTE;
    /** Serialises pidfd_send_signal with the pidfd's close, so a signal never reaches a reused fd number. */
    private final Object fdLock = new Object();

    private final java.util.List<JailResource> resources;

    private ChildJail(int pid, int pidfd, java.util.List<JailResource> resources, long limitMillis) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.resources = resources;
        this.limitMillis = limitMillis;
    }

    /**
     * Takes over the jail and its host resources, which are released once it is reaped; its time
     * limit ({@code limitMillis}, 0 for none) runs from {@link #startClock()}.
     */
    static ChildJail adopt(int pid, java.util.List<JailResource> resources, long limitMillis) throws ErrnoException {
        return new ChildJail(pid, Spawner.pidfdOpen(pid), resources, limitMillis);
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

    /**
     * Waits up to {@code millis} (-1: until it ends; 0: just checks) and reaps the jail if it ended.
     * The time limit is enforced meanwhile: past the deadline the jail is killed (and then reaped
     * when it is gone within the wait).
     */
    @Override
    public synchronized JailStatus waitFor(long millis) throws JailFailure {
        if (status != null) return status;
        try (Arena a = Arena.ofConfined()) {
            long until = millis < 0 ? Long.MAX_VALUE : System.nanoTime() + millis * 1_000_000L;
            MemorySegment pfd = a.allocate(Structs.Pollfd.SIZE);
            for (;;) {
                enforceTimeLimit();
                if (millis == 0) break; // just check
                long now = System.nanoTime();
                long end = timeKilled ? until : Math.min(until, deadline);
                int ms = -1;
                if (end != Long.MAX_VALUE) {
                    if (now >= end) {
                        if (now >= until) break; // the caller's time is up: check once more
                        continue; // the deadline: enforced above
                    }
                    ms = (int) Math.min(Integer.MAX_VALUE, (end - now + 999_999) / 1_000_000);
                }
                pfd.set(JAVA_INT, Structs.Pollfd.FD, pidfd);
                pfd.set(JAVA_SHORT, Structs.Pollfd.EVENTS, POLLIN);
                int r = Libc.poll(pfd, 1, ms);
                if (r < 0 && Libc.errno() != Errno.EINTR) {
                    throw new JailFailure(SetupStep.WAIT, Libc.errno(), "poll(pidfd): " + Errno.describe(Libc.errno()));
                }
                if (r < 0) return null; // a signal: the caller decides whether to go on
                if (r > 0) break;
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
            synchronized (fdLock) {
                Libc.close(pidfd);
                pidfd = -1;
            }
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

    /** The jail is given its stdio and runs its program now: its wall time and time limit count from here. */
    void startClock() {
        long now = System.nanoTime();
        startNanos = now;
        if (limitMillis > 0) deadline = now + limitMillis * 1_000_000L;
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public long timeLimitMillis() {
        return limitMillis;
    }

    @Override
    public void remote(String remote) {
        this.remote = remote;
    }

    @Override
    public boolean enforceTimeLimit() {
        if (timeKilled || status != null || System.nanoTime() < deadline) return false;
        synchronized (fdLock) {
            if (timeKilled) return false;
            timeKilled = true;
        }
        long ran = System.nanoTime() - startNanos;
        Log.info("pid=" + pid + " run time >= time limit (" + seconds(ran / 1_000_000L, limitMillis) + " >= "
                + seconds(limitMillis, limitMillis) + ") (" + remote + "). Killing it");
        signal(Signals.SIGCONT, JailOutcome.Cause.TIME_LIMIT);
        signal(Signals.SIGKILL, JailOutcome.Cause.TIME_LIMIT);
        return true;
    }

    /** nsjail's whole seconds; with a limit that is not whole seconds (the API's), seconds to the millisecond. */
    private static String seconds(long millis, long limitMillis) {
        if (limitMillis % 1000 == 0) return Long.toString(millis / 1000);
        return millis / 1000 + "." + Long.toString(1000 + millis % 1000).substring(1);
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
        synchronized (fdLock) {
            int fd = pidfd;
            if (fd < 0) return false;
            return Libc.syscall(Syscall.SYS_pidfd_send_signal, fd, sig, 0, 0) == 0;
        }
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
