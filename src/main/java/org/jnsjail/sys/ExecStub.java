package org.jnsjail.sys;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The exec stub, run as /proc/self/fd/N from an fd this JVM holds (close-on-exec, so no jail ever
 * holds it): the binary the build puts next to the jar (the launcher names it with
 * -Djnsjail.stub), opened once, or else a copy from the jar in a sealed memfd (memfd_create(2),
 * "File sealing"). Either way nothing can be swapped under it once it is open.
 */
public final class ExecStub {
    private ExecStub() {}

    private static volatile int fd = -1;
    /** Whether {@link #fd} is the file beside the jar (which a noexec mount could refuse to run). */
    private static boolean beside;

    /** The path to execve the stub with. */
    public static String path() throws ErrnoException {
        return "/proc/self/fd/" + fd();
    }

    public static synchronized int fd() throws ErrnoException {
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
    public static synchronized boolean useJarCopy() throws ErrnoException {
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
}
