package org.jnsjail.stub;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.log.Quote;
import org.jnsjail.model.JailException;
import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
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
            throws JailException {
        Plan plan = plan(path, argv, env);
        int[] sp = null;
        int pid = -1;
        boolean ok = false;
        try (Arena a = Arena.ofConfined()) {
            sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
            UnixSocket.passCredentials(sp[0]);
            ResidentStub.request(new int[] {sp[1]}, new int[] {3}, plan.encode(), sp[0]);
            Libc.close(sp[1]);
            sp[1] = -1;
            List<Integer> fds = new ArrayList<>();
            Control.Record rec;
            boolean went = false;
            while ((rec = Control.readRecord(sp[0], a, fds)) != null) {
                if (rec.pid() > 0) {
                    pid = rec.pid();
                    if (!went) {
                        Control.go(sp[0]);
                        went = true;
                    }
                } else if (rec.kind() == 'R') {
                    Control.giveFds(sp[0], new int[] {stdin, stdout, stderr}, rec.value());
                } else if (rec.kind() == 'E') {
                    throw new JailException(ErrorHints.failure(plan, rec.index(), rec.value()));
                }
            }
            for (int f : fds) Libc.close(f);
            if (pid <= 0) throw new JailException("Couldn't start '" + path + "': the exec stub exited before cloning it");
            ok = true;
            return pid; // EOF: the control socket was closed by execve (close-on-exec)
        } catch (ErrnoException e) {
            throw new JailException("Couldn't start '" + path + "': " + e.getMessage());
        } finally {
            if (sp != null) {
                Libc.close(sp[0]);
                if (sp[1] >= 0) Libc.close(sp[1]);
            }
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
        List<Object> strs = new ArrayList<>();
        strs.add(path);
        strs.addAll(argv);
        strs.addAll(env);
        return new Plan(List.of(Op.of(OpCode.CLONE, "clone3()", new long[] {CloneFlag.CLONE_PARENT, -1}),
                Op.of(OpCode.PRCTL, "prctl(PR_SET_PDEATHSIG, SIGKILL)", new long[] {PR_SET_PDEATHSIG, 9, 0, 0, 0}),
                Op.of(OpCode.WAIT_GO, "wait for the supervisor", new long[0]),
                Op.of(OpCode.RECV_FDS, "take the jail's stdio and --pass_fd fds from the supervisor", new long[] {0, 1, 2}),
                new Op(OpCode.EXECVE, 0, "execve(" + Quote.of(path) + ")", new long[] {argv.size(), env.size(), -1},
                        Op.bytes(strs.toArray()))), List.of());
    }

    private static final long PR_SET_PDEATHSIG = org.jnsjail.sys.Prctl.PR_SET_PDEATHSIG;
}
