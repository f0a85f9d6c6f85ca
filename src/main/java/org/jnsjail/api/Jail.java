package org.jnsjail.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * An immutable, checked description of a jail, made by {@link JailBuilder#build()}: thread-safe,
 * and started any number of times, each time a fresh jail (the seccomp policy is compiled once).
 */
public final class Jail {
    private final JailSpec spec;
    private final Redirect stdin, stdout;
    /** Null: stderr goes where stdout goes. */
    private final Redirect stderr;

    Jail(JailSpec spec, Redirect stdin, Redirect stdout, Redirect stderr) {
        this.spec = spec;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The command the jail runs.
     *
     * @return the program and its arguments
     */
    public List<String> command() {
        return spec.argv();
    }

    /** The internal description (for tests of this package and {@link NsjailArgs}). */
    JailSpec spec() {
        return spec;
    }

    /**
     * Starts a jail on the calling thread and returns once its program runs (its execve(2)
     * succeeded): files of its redirects are opened, its cgroups and interfaces made, its root
     * assembled, and it is let go. A failure leaves nothing behind: no process, mount, cgroup or fd.
     *
     * @return the running jail
     * @throws JailException if it could not be started; {@link JailException#step()} and
     *     {@link JailException#errno()} say where and why
     */
    public JailProcess start() throws JailException {
        return start(io -> Spawner.get().start(spec, io));
    }

    /**
     * Keeps jails of this description readied ahead of their start, for a program that starts it
     * again and again (a code runner): each is the same jail that {@link #start()} makes, set up
     * while the previous one runs, up to the step where it takes its stdio. See {@link JailPool}.
     *
     * @param jails how many jails are kept readied at most (1 to {@value JailPool#MAX_READIED}); the
     *     pool keeps one and readies more only while starts find none ready
     * @return a pool that starts jails of this description; close it to kill the readied ones
     * @throws IllegalArgumentException if {@code jails} is out of range
     * @throws IllegalStateException if each jail owns what only one can have at a time (a host
     *     interface moved in, a MACVLAN, traffic rules), so none can be readied ahead
     */
    public JailPool readyAhead(int jails) {
        return new JailPool(this, jails);
    }

    /** Starts a jail by {@code launcher} with this description's stdio: {@link #start()}, or a pool's readied one. */
    JailProcess start(Launcher launcher) throws JailException {
        List<Integer> jailSide = new ArrayList<>(3);
        int[] ours = {-1, -1, -1};
        JailHandle h = null;
        boolean ok = false;
        try {
            int in = open(stdin, 0, true, jailSide, ours);
            int out = open(stdout, 1, false, jailSide, ours);
            int err = stderr == null ? out : open(stderr, 2, false, jailSide, ours);
            try {
                h = launcher.start(new JailIo(in, out, err));
            } catch (JailFailure f) {
                throw Jails.exception(f);
            }
            for (int fd : jailSide) Libc.close(fd);
            jailSide.clear();
            OutputStream o = ours[0] >= 0 ? new FdOutputStream(ours[0]) : closedOutput();
            InputStream i = ours[1] >= 0 ? new FdInputStream(ours[1]) : InputStream.nullInputStream();
            InputStream e = ours[2] >= 0 ? new FdInputStream(ours[2]) : InputStream.nullInputStream();
            JailProcess p = new JailProcess(h, o, i, e);
            p.watch();
            ok = true;
            return p;
        } finally {
            for (int fd : jailSide) Libc.close(fd);
            if (!ok) {
                for (int fd : ours) if (fd >= 0) Libc.close(fd);
                if (h != null) h.close(); // started, but no JailProcess holds it (no thread for its reaper?)
            }
        }
    }

    /** What starts a jail once its stdio fds are open. */
    @FunctionalInterface
    interface Launcher {
        JailHandle start(JailIo io) throws JailFailure;
    }

    /** What a stream's writes do when it is not a pipe: fail, as {@link Process}'s. */
    private static OutputStream closedOutput() {
        OutputStream o = OutputStream.nullOutputStream();
        try {
            o.close();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return o;
    }

    /**
     * The fd of this JVM that becomes the jail's stream {@code n}: a pipe end (the other end in
     * {@code ours[n]}), a file or /dev/null opened now (both listed in {@code jailSide}, closed once
     * the jail has them), or one of this JVM's own.
     */
    private static int open(Redirect r, int n, boolean input, List<Integer> jailSide, int[] ours) throws JailException {
        String name = n == 0 ? "stdin" : n == 1 ? "stdout" : "stderr";
        try {
            if (r instanceof Redirect.Pipe) {
                int[] p = Libc.pipe2(Fcntl.O_CLOEXEC);
                jailSide.add(input ? p[0] : p[1]);
                ours[n] = input ? p[1] : p[0];
                return input ? p[0] : p[1];
            }
            if (r instanceof Redirect.Inherit) return n;
            if (r instanceof Redirect.Discard) return openFile("/dev/null", Fcntl.O_RDWR, name, jailSide);
            if (r instanceof Redirect.Read rd) return openFile(path(rd.file()), Fcntl.O_RDONLY, name, jailSide);
            if (r instanceof Redirect.Write w) {
                return openFile(path(w.file()), Fcntl.O_WRONLY | Fcntl.O_CREAT | (w.append() ? Fcntl.O_APPEND
                        : Fcntl.O_TRUNC), name, jailSide);
            }
            int fd = ((Redirect.Fd) r).fd();
            try {
                Libc.fcntl(fd, Fcntl.F_GETFD, 0);
            } catch (ErrnoException e) {
                throw new JailException(JailException.Step.STDIO, e.errno(), "The jail's " + name + ": fd " + fd
                        + " is not open: " + Errno.describe(e.errno()), e);
            }
            return fd;
        } catch (ErrnoException e) {
            throw new JailException(JailException.Step.STDIO, e.errno(), "The jail's " + name + ": "
                    + e.getMessage(), e);
        }
    }

    private static String path(Path p) {
        return p.toAbsolutePath().toString();
    }

    private static int openFile(String path, int flags, String name, List<Integer> jailSide) throws JailException {
        try {
            int fd = Libc.open(path, flags | Fcntl.O_CLOEXEC | Fcntl.O_NOCTTY, 0666);
            jailSide.add(fd);
            return fd;
        } catch (ErrnoException e) {
            throw new JailException(JailException.Step.STDIO, e.errno(), "Couldn't open '" + path + "' for the jail's "
                    + name + ": " + Errno.describe(e.errno()), e);
        }
    }
}
