package org.jnsjail.server;

import java.util.Map;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.Libc;

/**
 * The server's private directory: {@code /run/jnsjail} for root, {@code $XDG_RUNTIME_DIR/jnsjail}
 * (else {@code /run/user/UID/jnsjail}) for anyone else; the launcher (./nsjail) finds the socket by
 * the same rule. It holds the socket, the lock a running server keeps (flock(2)) and its log. The
 * directory must be the user's own with mode 0700: only the user can reach the socket at all.
 */
final class ServerDir {
    final String path;

    ServerDir(String path) {
        this.path = path;
    }

    /** The default for a user, from its effective uid and environment. */
    static ServerDir forUser(int euid, Map<String, String> env) {
        if (euid == 0) return new ServerDir("/run/jnsjail");
        String xdg = env.get("XDG_RUNTIME_DIR");
        String base = xdg != null && xdg.startsWith("/") ? xdg : "/run/user/" + Integer.toUnsignedString(euid);
        return new ServerDir(base + "/jnsjail");
    }

    String socket() {
        return path + "/server.sock";
    }

    String lock() {
        return path + "/server.lock";
    }

    String log() {
        return path + "/server.log";
    }

    /** A setup problem, in one line. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String msg) {
            super(msg);
        }
    }

    /** Makes the directory (0700) if it is missing; refuses one that is not ours alone. */
    void prepare(int euid) throws Problem {
        if (path.length() + "/server.sock".length() > org.jnsjail.sys.UnixSocket.MAX_PATH) {
            throw new Problem("the server directory '" + path + "' is too long for a socket path");
        }
        String parent = path.substring(0, Math.max(1, path.lastIndexOf('/')));
        try {
            FsState.lstat(parent);
        } catch (ErrnoException e) {
            throw new Problem("the server directory's parent '" + parent + "' is not there (" + e.getMessage()
                    + "); set XDG_RUNTIME_DIR to a directory of your own");
        }
        try {
            FsState.mkdir(path, 0700);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST) throw new Problem("Couldn't create the server directory: " + e.getMessage());
        }
        check(euid);
    }

    /** The directory is a real directory (not a symlink), owned by {@code euid}, with no access for others. */
    void check(int euid) throws Problem {
        FsState.Owner o;
        try {
            o = FsState.lstat(path);
        } catch (ErrnoException e) {
            throw new Problem("the server directory: " + e.getMessage());
        }
        if (!o.isDir()) throw new Problem("'" + path + "' is not a directory");
        if (o.uid() != euid) throw new Problem("'" + path + "' belongs to uid " + o.uid() + ", not to " + euid);
        if ((o.mode() & 077) != 0) {
            throw new Problem("'" + path + "' is open to others (mode 0" + Integer.toOctalString(o.mode() & 07777)
                    + "); it must be 0700");
        }
    }

    /** Takes the server's lock (held while it runs); -1 if another server holds it. */
    int tryLock() throws Problem {
        int fd;
        try {
            fd = Libc.open(lock(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0600);
        } catch (ErrnoException e) {
            throw new Problem("Couldn't open the server lock: " + e.getMessage());
        }
        try {
            FsState.flock(fd, FsState.LOCK_EX | FsState.LOCK_NB);
            return fd;
        } catch (ErrnoException e) {
            Libc.close(fd);
            if (e.errno() == Errno.EAGAIN) return -1;
            throw new Problem("Couldn't lock '" + lock() + "': " + e.getMessage());
        }
    }
}
