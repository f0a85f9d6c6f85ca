package org.jnsjail.cgroup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.Structs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@link CgroupHost} on the real cgroupfs, through raw syscalls so that every failure keeps its errno. */
public final class KernelCgroupHost implements CgroupHost {
    public static final KernelCgroupHost INSTANCE = new KernelCgroupHost();

    // x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl); glibc's wrappers would do the same.
    /** struct statfs is 120 bytes on x86_64; f_type is its first field. */

    private KernelCgroupHost() {}

    @Override
    public void mkdir(Path dir, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.syscall(Syscall.SYS_mkdir, a.allocateFrom(dir.toString()).address(), mode, 0) < 0) {
                throw new ErrnoException("mkdir('" + dir + "')", Libc.errno());
            }
        }
    }

    @Override
    public void rmdir(Path dir) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.syscall(Syscall.SYS_rmdir, a.allocateFrom(dir.toString()).address(), 0, 0) < 0) {
                throw new ErrnoException("rmdir('" + dir + "')", Libc.errno());
            }
        }
    }

    @Override
    public void write(Path file, String value) throws ErrnoException {
        int fd = Libc.open(file.toString(), Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            byte[] b = value.getBytes(StandardCharsets.US_ASCII);
            MemorySegment seg = a.allocate(Math.max(1, b.length));
            seg.copyFrom(MemorySegment.ofArray(b));
            Libc.writeFully(fd, seg.asSlice(0, b.length));
        } catch (ErrnoException e) {
            throw new ErrnoException("write '" + value + "' to '" + file + "'", e.errno());
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public String read(Path file) throws ErrnoException {
        int fd = Libc.open(file.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            return new String(Libc.readAll(fd), StandardCharsets.US_ASCII);
        } catch (ErrnoException e) {
            throw new ErrnoException("read '" + file + "'", e.errno());
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public List<String> subdirs(Path dir) throws ErrnoException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : ds) out.add(p.getFileName().toString());
        } catch (NoSuchFileException e) {
            throw new ErrnoException("list '" + dir + "'", Errno.ENOENT);
        } catch (IOException e) {
            throw new ErrnoException("list '" + dir + "' (" + org.jnsjail.log.Quote.message(e) + ")", Errno.EIO);
        }
        return out;
    }

    @Override
    public boolean isDirectory(Path dir) {
        return Files.isDirectory(dir);
    }

    @Override
    public int openDir(Path dir) throws ErrnoException {
        return Libc.open(dir.toString(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
    }

    @Override
    public long fsType(Path path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Structs.Statfs.SIZE, 8);
            if (Libc.syscall(Syscall.SYS_statfs, a.allocateFrom(path.toString()).address(), st.address(), 0) < 0) {
                throw new ErrnoException("statfs('" + path + "')", Libc.errno());
            }
            return st.get(JAVA_LONG, Structs.Statfs.TYPE);
        }
    }

    @Override
    public int selfPid() {
        return Libc.getpid();
    }

    @Override
    public boolean pidAlive(int pid) {
        return Libc.kill(pid, 0) == 0 || Libc.errno() == Errno.EPERM;
    }

    @Override
    public void kill(int pid, int sig) {
        Libc.kill(pid, sig);
    }

    @Override
    public void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
