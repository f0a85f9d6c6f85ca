package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.jnsjail.model.JailOutcome;
import org.jnsjail.log.Log;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * --status_file / --status_fd (jnsjail extension): one JSON object per jail, each on its own line
 * ({@link JailOutcome#toJson()}), written when the jail has been reaped: one line in ONCE mode, JSON
 * lines in RERUN and LISTEN. The file is created (or truncated) before anything starts; the fd is
 * the caller's and stays open.
 */
public final class StatusOutput implements AutoCloseable {
    private final int fd;
    private final boolean owned;
    private final String name;
    private boolean failed;

    private StatusOutput(int fd, boolean owned, String name) {
        this.fd = fd;
        this.owned = owned;
        this.name = name;
    }

    /** Opens {@code file} (0666 less the umask), or checks that {@code fd} is open; one line on failure. */
    public static StatusOutput open(String file, int fd) throws ErrnoException {
        if (file != null) {
            int f;
            try {
                f = Libc.open(file, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC,
                        0666);
            } catch (ErrnoException e) {
                throw new ErrnoException("Couldn't open the status file '" + file + "'", e.errno());
            }
            return new StatusOutput(f, true, "'" + file + "'");
        }
        try {
            Libc.fcntl(fd, Fcntl.F_GETFD, 0);
        } catch (ErrnoException e) {
            throw new ErrnoException("Couldn't use the status fd " + fd, e.errno());
        }
        return new StatusOutput(fd, false, "fd " + fd);
    }

    /** One line; a write error is logged once (the jails go on). */
    public synchronized void write(JailOutcome o) {
        byte[] b = (o.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length);
            m.copyFrom(MemorySegment.ofArray(b));
            Libc.writeFully(fd, m);
        } catch (ErrnoException e) {
            if (!failed) Log.warn("Couldn't write the jail's status to " + name + ": " + Errno.describe(e.errno()));
            failed = true;
        }
    }

    @Override
    public synchronized void close() {
        if (owned) Libc.close(fd);
    }
}
