package org.jnsjail.sys;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The exec stub, copied from the jar into a sealed memfd once per JVM and run as
 * /proc/self/fd/N. Nothing on disk can be swapped under it, and the memfd is close-on-exec, so no
 * jail ever holds it (memfd_create(2), "File sealing").
 */
public final class ExecStub {
    private ExecStub() {}

    private static volatile int fd = -1;

    /** The path to execve the stub with. */
    public static String path() throws ErrnoException {
        return "/proc/self/fd/" + fd();
    }

    public static synchronized int fd() throws ErrnoException {
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
}
