package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.jnsjail.model.JailFailure;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.model.JailResource;
import org.jnsjail.sys.Syscall;

/**
 * The caller's own cgroup2 directory, for a jail that has no cgroup of its own: the jail is cloned
 * into it (clone3 CLONE_INTO_CGROUP), as it would start there under a supervisor the caller ran.
 * The stub clones without the flag where the kernel refuses it; then the pid is written to
 * cgroup.procs before the jail runs (a write for a process already there changes nothing).
 */
final class CallerCgroup implements JailResource {
    private final int dirFd;

    CallerCgroup(int dirFd) {
        this.dirFd = dirFd;
    }

    @Override
    public int prepare() throws JailFailure {
        try {
            return Libc.fcntl(dirFd, Fcntl.F_DUPFD_CLOEXEC, 3); // the spawner closes the fd it gets
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Couldn't use the client's cgroup: " + e.getMessage(), e);
        }
    }

    @Override
    public void attach(int pid) throws JailFailure {
        try (Arena a = Arena.ofConfined()) {
            long fd = Libc.sys(Syscall.SYS_openat, dirFd, a.allocateFrom("cgroup.procs").address(),
                    Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0, 0, 0);
            if (fd < 0) throw new ErrnoException("open(cgroup.procs)", Libc.errno());
            try {
                byte[] b = Integer.toString(pid).getBytes(StandardCharsets.US_ASCII);
                MemorySegment m = a.allocate(b.length);
                m.copyFrom(MemorySegment.ofArray(b));
                Libc.writeFully((int) fd, m);
            } finally {
                Libc.close((int) fd);
            }
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.CGROUP, "Couldn't put the jail in the client's cgroup: " + e.getMessage(), e);
        }
    }

    @Override
    public void release() {
        // the fd belongs to the caller
    }
}
