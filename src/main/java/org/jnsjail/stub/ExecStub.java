package org.jnsjail.stub;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;

/**
 * The exec stub's binary, and the two ways it is run: resident ({@link #spawnResident}, one process
 * per JVM that clones every jail, see {@link ResidentStub}) and in place of this JVM ({@link
 * #execInPlace}, -Me). Nothing else starts it.
 *
 * <p>The binary is copied from the jar into a sealed memfd once per JVM and run as
 * /proc/self/fd/N. Nothing on disk can be swapped under it, and the memfd is close-on-exec, so no
 * jail ever holds it (memfd_create(2), "File sealing").
 */
public final class ExecStub {
    private ExecStub() {}

    private static volatile int fd = -1;

    /** The path to execve the stub with. */
    static String path() throws ErrnoException {
        return "/proc/self/fd/" + fd();
    }

    static synchronized int fd() throws ErrnoException {
        if (fd >= 0) return fd;
        byte[] image;
        try (InputStream in = ExecStub.class.getResourceAsStream("exec-stub")) {
            if (in == null) throw new ErrnoException("exec stub missing from the jar (rebuild with mvn package)", Errno.ENOENT);
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new ErrnoException("reading the exec stub: " + org.jnsjail.log.Quote.message(e), Errno.EIO);
        }
        int m;
        try {
            // MFD_EXEC (Linux 6.3): an executable memfd even where vm.memfd_noexec makes them NOEXEC by default.
            m = Libc.memfdCreate("jnsjail-exec-stub", Fcntl.MFD_CLOEXEC | Fcntl.MFD_ALLOW_SEALING | Fcntl.MFD_EXEC);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            m = Libc.memfdCreate("jnsjail-exec-stub", Fcntl.MFD_CLOEXEC | Fcntl.MFD_ALLOW_SEALING);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(image.length);
            seg.copyFrom(MemorySegment.ofArray(image));
            Libc.writeFully(m, seg);
        }
        Libc.fcntl(m, Fcntl.F_ADD_SEALS, Fcntl.F_SEAL_SEAL | Fcntl.F_SEAL_SHRINK | Fcntl.F_SEAL_GROW | Fcntl.F_SEAL_WRITE);
        fd = m;
        return m;
    }

    /**
     * posix_spawn of the resident stub ("r" mode) with /dev/null as stdio and {@code sock} (its end of
     * the request socket) as fd 3; returns its pid, a child of this JVM.
     */
    static int spawnResident(int sock) throws ErrnoException {
        int devNull = Libc.open("/dev/null", Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
        try {
            int stubFd = fd();
            List<Libc.FdAction> actions = new ArrayList<>();
            for (int n = 0; n <= 2; n++) actions.add(Libc.FdAction.dup2(devNull, n));
            actions.add(Libc.FdAction.dup2(sock, 3));
            // The memfd must stay open for execve (it is close-on-exec): close around it.
            for (int n = 4; n < stubFd; n++) actions.add(Libc.FdAction.close(n));
            return Libc.posixSpawn(path(), new String[] {"jnsjail-stub", "r", "3"}, new String[0], actions,
                    Math.max(4, stubFd + 1));
        } finally {
            Libc.close(devNull);
        }
    }

    /**
     * -Me: replaces this process by the stub ("e" mode), which runs {@code plan} from a memfd and
     * becomes the program. Returns only by an exception.
     */
    public static void execInPlace(Plan plan) throws ErrnoException {
        int memfd = Libc.memfdCreate("jnsjail-plan", 0);
        try (Arena a = Arena.ofConfined()) {
            byte[] encoded = plan.encode();
            MemorySegment seg = a.allocate(encoded.length);
            seg.copyFrom(MemorySegment.ofArray(encoded));
            Libc.writeFully(memfd, seg);
        }
        Libc.syscall(Syscall.SYS_lseek, memfd, 0, 0);
        System.out.flush();
        System.err.flush();
        Libc.execve(path(), new String[] {"jnsjail-stub", "e", Integer.toString(memfd)}, new String[0]);
    }
}
