package org.jnsjail.stub;

import org.jnsjail.model.SetupStep;

import java.util.List;

import org.jnsjail.log.Quote;
import org.jnsjail.model.JailFailure;
import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Prctl;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.UnixSocket;

/**
 * Starts a helper program of the supervisor (pasta) through the resident exec stub, so that it
 * carries PR_SET_PDEATHSIG like a jail does: a supervisor that crashes takes its helpers along,
 * instead of leaving them to init (posix_spawn alone cannot set a parent-death signal).
 */
public final class HelperProcess {
    private HelperProcess() {}

    /**
     * Runs {@code path} with exactly stdin, stdout and stderr open; returns its pid once it has been
     * exec'd (a child of this JVM, to be reaped by the caller).
     */
    public static int start(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr)
            throws JailFailure {
        Plan plan = plan(path, argv, env);
        int[] sp = null;
        Control ctl = null;
        int pid = -1;
        boolean ok = false;
        try {
            sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
            ctl = new Control(sp[0]);
            UnixSocket.passCredentials(sp[0]);
            ResidentStub.request(new int[] {sp[1]}, new int[] {3}, plan.encode(), ctl);
            Libc.close(sp[1]);
            sp[1] = -1;
            boolean went = false;
            for (Report r; (r = ctl.read()) != null; ) {
                switch (r) {
                    case Report.Pid p -> pid = p.pid();
                    case Report.Child c -> pid = c.pid();
                    case Report.Ready rd -> ctl.giveFds(new int[] {stdin, stdout, stderr}, rd.wanted());
                    case Report.Failed f -> throw new JailFailure(ErrorHints.stepOf(plan, f.index()), f.errno(),
                            ErrorHints.failure(plan, f.index(), f.errno()));
                    case Report.Fds f -> Control.closeAll(f.fds());
                    case Report.Warned w -> { }
                    case Report.Unknown u -> throw new JailFailure(SetupStep.CLONE, "Couldn't start '" + path
                            + "': the exec stub sent a report of unknown kind " + u.kind());
                }
                if (pid > 0 && !went) {
                    ctl.go();
                    went = true;
                }
            }
            if (pid <= 0) throw new JailFailure(SetupStep.CLONE, "Couldn't start '" + path + "': the exec stub exited before cloning it");
            ok = true;
            return pid; // EOF: the control socket was closed by execve (close-on-exec)
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CLONE, "Couldn't start '" + path + "': " + e.getMessage(), e);
        } finally {
            if (ctl != null) ctl.close();
            else if (sp != null) Libc.close(sp[0]);
            if (sp != null && sp[1] >= 0) Libc.close(sp[1]);
            if (!ok && pid > 0) {
                Libc.kill(pid, Signals.SIGKILL);
                Control.reapQuietly(pid);
            }
        }
    }

    /**
     * A helper program of the supervisor (pasta): cloned like a jail but into no namespace, it arms
     * PR_SET_PDEATHSIG, so the helper dies with the supervisor's spawning thread (prctl(2); kept
     * across execve for a program without set-user-ID or file capabilities), reads "go" (EOF, when
     * the supervisor is already gone, ends it), takes its stdio and execs the program. No other change.
     */
    static Plan plan(String path, List<String> argv, List<String> env) {
        return new Plan(List.of(Op.of("clone3()", new Step.Clone(CloneFlag.CLONE_PARENT, -1)),
                Op.of("prctl(PR_SET_PDEATHSIG, SIGKILL)", new Step.Prctl(Prctl.PR_SET_PDEATHSIG, Signals.SIGKILL, 0, 0, 0)),
                Op.of("wait for the supervisor", new Step.WaitGo()),
                Op.of("take the helper's stdio from the supervisor", new Step.RecvFds(new int[] {0, 1, 2})),
                Op.of("execve(" + Quote.of(path) + ")", new Step.Execve(path, argv, env, -1))), List.of());
    }
}
