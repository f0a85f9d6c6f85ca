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
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;

/**
 * The exec stub's binary, and the two ways it is run: resident ({@link #spawnResident}, one process
 * per JVM that clones every jail, see {@link ResidentStub}) and in place of this JVM ({@link
 * #execInPlace}, -Me). Nothing else starts it.
 *
 * <p>The binary is run as /proc/self/fd/N from an fd this JVM holds (close-on-exec, so no jail ever
 * holds it): the file the build puts next to the jar (the launcher names it with -Djnsjail.stub),
 * opened once, or else a copy from the jar in a sealed memfd (memfd_create(2), "File sealing").
 * Either way nothing can be swapped under it once it is open.
 */
public final class ExecStub {
    private ExecStub() {}

    private static volatile int fd = -1;
    /** Whether {@link #fd} is the file beside the jar (which a noexec mount could refuse to run). */
    private static boolean beside;

    /** The path to execve the stub with. */
    static String path() throws ErrnoException {
        return "/proc/self/fd/" + fd();
    }

    static synchronized int fd() throws ErrnoException {
        if (fd >= 0) return fd;
        int f = besideTheJar();
        beside = f >= 0;
        fd = f >= 0 ? f : fromJar();
        return fd;
    }

    /**
     * The stub beside the jar could not be executed (a noexec mount): use the jar's copy from now
     * on. False when that is what failed already.
     */
    static synchronized boolean useJarCopy() throws ErrnoException {
        if (!beside) return false;
        Libc.close(fd);
        beside = false;
        fd = fromJar();
        return true;
    }

    /**
     * The build's stub beside the jar, opened once: reading it out of the jar into a memfd costs a JVM
     * start about 10 ms. Taken only when it is a regular file of root's or ours that nobody else may
     * write, as the jar beside it; -1 (the jar's copy then) otherwise.
     */
    private static int besideTheJar() {
        String p = System.getProperty("jnsjail.stub");
        if (p == null || p.isEmpty()) return -1;
        int f;
        try {
            f = Libc.open(p, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0);
        } catch (ErrnoException e) {
            return -1;
        }
        try {
            FsState.Owner o = FsState.fstat(f);
            int euid = Libc.geteuid();
            if ((o.mode() & FsState.S_IFMT) == FsState.S_IFREG && (o.uid() == 0 || o.uid() == euid)
                    && (o.mode() & 022) == 0) {
                return f;
            }
        } catch (ErrnoException e) {
            // not usable: the jar's copy
        }
        Libc.close(f);
        return -1;
    }

    private static int fromJar() throws ErrnoException {
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
