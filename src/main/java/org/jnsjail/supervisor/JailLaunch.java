package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.log.Log;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailResource;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Namespace;
import org.jnsjail.plan.FdLayout;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.stub.Control;
import org.jnsjail.stub.ErrorHints;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.Report;
import org.jnsjail.stub.ResidentStub;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.user.IdMapFiles;

/**
 * One jail's start through the resident exec stub, and the protocol spoken with it on its control
 * socket: the host resources it needs prepared, its fds numbered ({@link FdLayout}) and its plan
 * made ({@link JailPlans}); the stub handed the control socket and the plan; the jail's pid learnt,
 * the jail adopted (a pidfd), its id maps written and "go" said; then its reports followed up to
 * its RECV_FDS, where it waits as a {@link Prepared} jail for its stdio.
 */
final class JailLaunch {
    private JailLaunch() {}

    /** Everything up to the jail's RECV_FDS: the first part of every start. */
    static Prepared launch(JailSpec spec, Caller caller) throws JailFailure {
        HostInfo host = HostInfo.get();
        int execFd = -1;
        int cgroupFd = -1;
        List<JailResource> resources = JailResources.forSpec(spec);
        boolean handedOver = false;
        try {
            for (JailResource r : resources) {
                int fd = r.prepare();
                if (fd >= 0) cgroupFd = fd;
            }
            if (cgroupFd < 0 && caller.cgroupFd() >= 0) {
                // No cgroup of its own: the jail starts in its caller's, as under the caller's own supervisor.
                CallerCgroup cg = new CallerCgroup(caller.cgroupFd());
                resources.add(cg);
                cgroupFd = cg.prepare();
            }
            if (spec.execFd()) execFd = openExecFd(spec.program());

            FdLayout layout = FdLayout.of(spec, execFd >= 0, cgroupFd >= 0);
            Plan plan = JailPlans.clone(spec, caller, layout);
            for (String w : plan.warnings()) Log.warn(w);
            VerboseLog.add(resources, spec, plan, host.euid()); // -v: logged at attach, when the pid is known

            int[] fds = new int[1 + (execFd >= 0 ? 1 : 0) + (cgroupFd >= 0 ? 1 : 0)];
            int[] targets = new int[fds.length];
            int k = 1;
            if (execFd >= 0) {
                fds[k] = execFd;
                targets[k++] = layout.exec();
            }
            if (cgroupFd >= 0) {
                fds[k] = cgroupFd;
                targets[k] = layout.cgroup();
            }
            targets[0] = layout.control();
            byte[] encoded = plan.encode();
            for (int attempt = 0; ; attempt++) {
                int[] sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
                Control ctl = new Control(sp[0]);
                boolean kept = false;
                try {
                    // The jail's first word carries its pid as we see it, even if the stub dies right after the clone.
                    UnixSocket.passCredentials(sp[0]);
                    fds[0] = sp[1];
                    ResidentStub.request(fds, targets, encoded, ctl);
                    Libc.close(sp[1]);
                    sp[1] = -1;
                    handedOver = true; // from here on the jail (or setUp's failure path) releases the resources
                    Prepared p = setUp(spec, plan, ctl, resources);
                    kept = true;
                    return p;
                } catch (StubGone e) {
                    // The stub died before it cloned (killed?): a new one takes the jail, once.
                    handedOver = false;
                    ResidentStub.stubGone();
                    if (attempt > 0) throw new JailFailure(SetupStep.CLONE, "The exec stub exited before cloning the jail");
                } finally {
                    if (sp[1] >= 0) Libc.close(sp[1]);
                    if (!kept) ctl.close();
                }
            }
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CLONE, "Couldn't launch the child process: " + e.getMessage(), e);
        } finally {
            if (!handedOver) JailResources.releaseAll(resources);
            if (cgroupFd >= 0) Libc.close(cgroupFd);
            if (execFd >= 0) Libc.close(execFd);
        }
    }

    /** The control socket closed before any report: the stub died before cloning the jail. */
    private static final class StubGone extends Exception {
        private static final long serialVersionUID = 1L;

        StubGone() {
            super(null, null, false, false);
        }
    }

    /** Learns the jail's pid, takes it over, writes its id maps, says "go", and follows it to its RECV_FDS. */
    private static Prepared setUp(JailSpec spec, Plan plan, Control ctl, List<JailResource> resources)
            throws JailFailure, ErrnoException, StubGone {
        HostInfo host = HostInfo.get();
        Report rep = ctl.read();
        if (rep == null) throw new StubGone();
        // The jail runs its first ops (oom_score_adj, /dev/null) while the stub reports its pid, so
        // the jail's warning or error can arrive before the pid. After an error, still wait for
        // the pid (Pid from the stub or Child from the jail; EOF when the clone itself failed):
        // the jail must be reaped.
        Report early = null;
        while (rep != null && rep.pid() <= 0) {
            if (rep instanceof Report.Warned w) Log.warn(plan.describe(w.index()) + ": " + Errno.describe(w.errno()));
            else if (rep instanceof Report.Fds f) Control.closeAll(f.fds());
            if (!(rep instanceof Report.Warned) && early == null) early = rep;
            rep = ctl.read();
        }
        if (rep == null || early != null) {
            if (rep != null) Control.reapQuietly(rep.pid());
            JailResources.releaseAll(resources);
            if (early != null) throw failure(plan, early);
            throw new JailFailure(SetupStep.CLONE, "The exec stub exited before cloning the jail");
        }
        int pid = rep.pid();
        ChildJail jail;
        try {
            jail = ChildJail.adopt(pid, resources, spec.timeLimitMillis());
        } catch (ErrnoException e) {
            // No pidfd (fd limit?): the pid is still ours until reaped, so kill and reap it by pid.
            Libc.kill(pid, Signals.SIGKILL);
            Control.reapQuietly(pid);
            JailResources.releaseAll(resources);
            throw e;
        }
        Prepared p = new Prepared(spec, plan, jail, ctl, resources);
        boolean ok = false;
        try {
            for (JailResource r : resources) r.attach(pid);
            if (spec.has(Namespace.USER)) IdMapFiles.writeFromParent(pid, spec.uidMaps(), spec.gidMaps(), host.euid());
            ctl.go();
            Report.Ready ready = p.follow();
            p.wanted = ready == null ? -1 : ready.wanted(); // EOF: the jail died on the way; its status says how
            ok = true;
            return p;
        } finally {
            if (!ok) jail.close();
        }
    }

    /** {@link #unexpected} as the failure to throw: the failed operation's step and errno. */
    static JailFailure failure(Plan plan, Report r) {
        if (r instanceof Report.Failed f) return new JailFailure(ErrorHints.stepOf(plan, f.index()), f.errno(), unexpected(plan, r));
        return new JailFailure(SetupStep.CLONE, unexpected(plan, r));
    }

    /** A report that has no place where it came: an error the jail reported, or a protocol error. */
    static String unexpected(Plan plan, Report r) {
        return switch (r) {
            case Report.Failed f -> ErrorHints.failure(plan, f.index(), f.errno());
            case Report.Unknown u -> "The exec stub sent a report of unknown kind " + u.kind() + " (op " + u.index() + ")";
            default -> "The exec stub sent " + r.getClass().getSimpleName() + " out of order";
        };
    }

    /**
     * The jail's RECV_FDS: its stdio (but what it opened as /dev/null itself) and every --pass_fd,
     * in the plan's order.
     */
    static int[] fdsFor(JailSpec spec, JailIo io) {
        int[] stdio = {io.stdin(), io.stdout(), io.stderr()};
        int[] targets = PlanBuilder.stdioTargets(spec);
        int[] all = new int[targets.length + spec.passFds().size()];
        for (int i = 0; i < targets.length; i++) all[i] = stdio[targets[i]];
        for (int i = 0; i < spec.passFds().size(); i++) all[targets.length + i] = io.sourceOf(spec.passFds().get(i));
        return all;
    }

    /** A hand-over ({@link Report.Fds}): the resource that asked for the fds takes them; then the jail may go on. */
    static void handOver(int kind, int[] arr, List<JailResource> resources) throws JailFailure {
        for (JailResource r : resources) {
            if (r.takeFds(kind, arr)) return;
        }
        for (int f : arr) Libc.close(f);
        throw new JailFailure(SetupStep.CLONE, "The jail handed over fds (kind " + kind + ") that no part of the supervisor asked for");
    }

    static int openExecFd(String path) throws JailFailure {
        try {
            // Opened before the namespaces exist, so the binary need not exist inside the jail.
            return Libc.open(path, Fcntl.O_RDONLY | Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.EXEC, "Couldn't open '" + path + "' for --execute_fd: " + e.getMessage(), e);
        }
    }
}
