package org.jnsjail.stub;

import org.jnsjail.model.SetupStep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jnsjail.model.JailFailure;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.ScmRights;
import org.jnsjail.sys.UnixSocket;

/**
 * The supervisor's end of one jail's control socket (exec_stub.c, "Report records"): the stub's and
 * the jail's {@link Report}s, "go" for WAIT_GO, and the fds of RECV_FDS. Holds the fd; whoever made
 * it closes it with {@link #close}.
 */
public final class Control implements AutoCloseable {
    /** Fds per 'D' record: below the kernel's SCM_MAX_FD (253, unix(7)); exec_stub.c's RECV_MAX_PER_MSG. */
    static final int FDS_PER_RECORD = 250;
    /** The 'D' record that carries fds to RECV_FDS. */
    static final int GIVE = 'D';
    /** The byte WAIT_GO waits for. */
    static final byte GO = 'G';

    private final int fd;
    private boolean closed;

    public Control(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /**
     * The next report; null at EOF, and when the other end went away with something of ours unread
     * (ECONNRESET, unix(7)): a stub or jail killed before it read its plan, "go" or fds ended just
     * the same. Fds that come with any report but {@link Report.Fds} are closed.
     */
    public Report read() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16);
            long got = 0;
            int sender = 0;
            int[] fds = new int[0];
            while (got < 16) {
                ScmRights.Received r;
                try {
                    r = ScmRights.recv(fd, buf.asSlice(got));
                } catch (ErrnoException e) {
                    closeAll(fds);
                    if (e.errno() != Errno.ECONNRESET || got != 0) throw e;
                    return null;
                }
                if (r.fds().length > 0) {
                    int[] all = java.util.Arrays.copyOf(fds, fds.length + r.fds().length);
                    System.arraycopy(r.fds(), 0, all, fds.length, r.fds().length);
                    fds = all;
                }
                if (r.bytes() == 0) {
                    closeAll(fds);
                    if (got == 0) return null;
                    throw new ErrnoException("short report from the exec stub", Errno.EIO);
                }
                if (got == 0) sender = r.senderPid();
                got += r.bytes();
            }
            ByteBuffer b = buf.asByteBuffer().order(ByteOrder.nativeOrder());
            Report rep = Report.decode(b.getInt(0), b.getInt(4), b.getInt(8), sender, fds);
            if (!(rep instanceof Report.Fds)) closeAll(fds);
            return rep;
        }
    }

    /** "Go": the jail waiting in WAIT_GO runs on. */
    public void go() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment go = a.allocate(1);
            go.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, GO);
            Libc.writeFully(fd, go);
        }
    }

    /**
     * Sends {@code all} in answer to a {@link Report.Ready} that asked for {@code wanted} fds, in 'D'
     * records of at most {@link #FDS_PER_RECORD} fds each.
     */
    public void giveFds(int[] all, int wanted) throws ErrnoException, JailFailure {
        if (all.length != wanted) throw new JailFailure(SetupStep.STDIO, "The jail asked for " + wanted + " fds, not " + all.length);
        int off = 0;
        do {
            int n = Math.min(FDS_PER_RECORD, all.length - off);
            byte[] d = new byte[16];
            ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(GIVE).putInt(n);
            UnixSocket.send(fd, d, java.util.Arrays.copyOfRange(all, off, off + n), 0);
            off += n;
        } while (off < all.length);
    }

    /** Closes the socket (once). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }

    public static void closeAll(int[] fds) {
        for (int f : fds) Libc.close(f);
    }

    /** Reaps a child that is known to have ended or been killed, ignoring one reaped already. */
    public static void reapQuietly(int pid) {
        try {
            Libc.waitpid(pid, 0);
        } catch (ErrnoException e) {
            // already reaped
        }
    }
}
