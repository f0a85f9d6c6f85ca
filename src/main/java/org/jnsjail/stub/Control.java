package org.jnsjail.stub;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.jnsjail.model.JailException;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.ScmRights;
import org.jnsjail.sys.UnixSocket;

/**
 * The supervisor's side of one jail's control socket (exec_stub.c, "Report records"): the stub's
 * and the jail's reports, "go", and the fds of RECV_FDS.
 */
public final class Control {
    private Control() {}

    /**
     * One report of the stub or the jail: its kind, the op index, its value, and the sender's pid
     * where the socket passes credentials.
     */
    public record Record(int kind, int index, int value, int sender) {
        /** The jail's pid, where this report says it: 'P' from the stub, 'C' from the jail itself. */
        public int pid() {
            return kind == 'P' ? value : kind == 'C' ? sender : 0;
        }
    }

    /**
     * One 16-byte report; fds that came with it (an 'F' report) are added to {@code fds}. Null at
     * EOF, and when the other end went away with something of ours unread (ECONNRESET, unix(7)): a
     * stub or jail killed before it read its plan, "go" or fds ended just the same.
     */
    public static Record readRecord(int fd, Arena a, List<Integer> fds) throws ErrnoException {
        MemorySegment buf = a.allocate(16);
        long got = 0;
        int sender = 0;
        while (got < 16) {
            ScmRights.Received r;
            try {
                r = ScmRights.recv(fd, buf.asSlice(got));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ECONNRESET || got != 0) throw e;
                return null;
            }
            for (int f : r.fds()) fds.add(f);
            if (r.bytes() == 0) {
                if (got == 0) return null;
                throw new ErrnoException("short report from the exec stub", Errno.EIO);
            }
            if (got == 0) sender = r.senderPid();
            got += r.bytes();
        }
        ByteBuffer b = buf.asByteBuffer().order(ByteOrder.nativeOrder());
        return new Record(b.getInt(0), b.getInt(4), b.getInt(8), sender);
    }

    /** "Go": the jail waiting in WAIT_GO runs on. */
    public static void go(int ctl) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment go = a.allocate(1);
            go.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'G');
            Libc.writeFully(ctl, go);
        }
    }

    /**
     * Sends {@code all} in answer to an 'R' report that asked for {@code wanted} fds, in 'D' records
     * of at most 250 fds each (SCM_MAX_FD is 253, unix(7)).
     */
    public static void giveFds(int ctl, int[] all, int wanted) throws ErrnoException, JailException {
        if (all.length != wanted) throw new JailException("The jail asked for " + wanted + " fds, not " + all.length);
        int off = 0;
        do {
            int n = Math.min(250, all.length - off);
            byte[] d = new byte[16];
            ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt('D').putInt(n);
            UnixSocket.send(ctl, d, java.util.Arrays.copyOfRange(all, off, off + n), 0);
            off += n;
        } while (off < all.length);
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
