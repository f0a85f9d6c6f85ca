package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.api.JailException;
import org.jnsjail.plan.Plan;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.ExecStub;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;

/**
 * Starts a helper program of the supervisor (pasta) through the exec stub, so that it carries
 * PR_SET_PDEATHSIG like a jail does: a supervisor that crashes takes its helpers along, instead of
 * leaving them to init (posix_spawn alone cannot set a parent-death signal).
 */
public final class HelperProcess {
    private HelperProcess() {}

    /**
     * Runs {@code path} with exactly stdin, stdout and stderr open; returns its pid once it has been
     * exec'd (a child of this JVM, to be reaped by the caller). Call it from a long-lived thread:
     * the parent-death signal fires when the calling thread ends.
     */
    public static int start(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr)
            throws JailException {
        Plan plan = PlanBuilder.helperExec(path, argv, env);
        int[] sp = null;
        int pid = -1;
        boolean ok = false;
        try (Arena a = Arena.ofConfined()) {
            sp = Libc.socketpair(Fcntl.AF_UNIX, Fcntl.SOCK_STREAM | Fcntl.SOCK_CLOEXEC, 0);
            int stubFd = ExecStub.fd();
            int top = Math.max(Math.max(stubFd, sp[1]), Math.max(stdin, Math.max(stdout, stderr)));
            int ctl = top + 1;
            List<Libc.FdAction> actions = new ArrayList<>(List.of(Libc.FdAction.dup2(stdin, 0),
                    Libc.FdAction.dup2(stdout, 1), Libc.FdAction.dup2(stderr, 2), Libc.FdAction.dup2(sp[1], ctl)));
            for (int n = 3; n < ctl; n++) if (n != stubFd) actions.add(Libc.FdAction.close(n));
            pid = Libc.posixSpawn(ExecStub.path(), new String[] {"jnsjail-stub", "s", Integer.toString(ctl)},
                    new String[0], actions, ctl + 1);
            Libc.close(sp[1]);
            sp[1] = -1;
            byte[] encoded = plan.encode();
            MemorySegment seg = a.allocate(encoded.length + 1);
            seg.copyFrom(MemorySegment.ofArray(encoded));
            seg.set(ValueLayout.JAVA_BYTE, encoded.length, (byte) 'G');
            Libc.writeFully(sp[0], seg);
            List<Integer> fds = new ArrayList<>();
            int[] rec;
            while ((rec = Spawner.readRecord(sp[0], a, fds)) != null) {
                if (rec[0] == 'E') throw new JailException(Spawner.failure(plan, rec));
            }
            for (int f : fds) Libc.close(f);
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
                Spawner.reapQuietly(pid);
            }
        }
    }
}
