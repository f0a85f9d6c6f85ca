package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailException;
import org.jnsjail.plan.Plan;
import org.jnsjail.plan.PlanBuilder;
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
        Plan plan = PlanBuilder.helperExec(path, argv, env);
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
            Spawner.Record rec;
            boolean went = false;
            while ((rec = Spawner.readRecord(sp[0], a, fds)) != null) {
                if (rec.pid() > 0) {
                    pid = rec.pid();
                    if (!went) {
                        MemorySegment go = a.allocate(1);
                        go.set(ValueLayout.JAVA_BYTE, 0, (byte) 'G');
                        Libc.writeFully(sp[0], go);
                        went = true;
                    }
                } else if (rec.kind() == 'R') {
                    Spawner.giveFds(sp[0], new int[] {stdin, stdout, stderr}, rec.value());
                } else if (rec.kind() == 'E') {
                    throw new JailException(Spawner.failure(plan, rec));
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
                Spawner.reapQuietly(pid);
            }
        }
    }
}
