package org.jnsjail.cgroup;

import java.nio.file.Path;
import java.util.List;

import org.jnsjail.sys.ErrnoException;

/**
 * Every host operation the cgroup code performs: the kernel's cgroupfs in production
 * ({@link KernelCgroupHost}), a temporary directory tree in tests. Failures carry the errno,
 * because some of them mean something (EBUSY from cgroup.subtree_control, ENOENT on removal).
 */
public interface CgroupHost {
    /** mkdir(2); an existing directory is EEXIST. */
    void mkdir(Path dir, int mode) throws ErrnoException;

    /** rmdir(2); a cgroup with tasks or children is EBUSY (cgroups(7)). */
    void rmdir(Path dir) throws ErrnoException;

    /** One write(2) of {@code value} to an existing cgroup file: the kernel parses each write whole. */
    void write(Path file, String value) throws ErrnoException;

    String read(Path file) throws ErrnoException;

    /** Names of the subdirectories of {@code dir} (child cgroups). */
    List<String> subdirs(Path dir) throws ErrnoException;

    boolean isDirectory(Path dir);

    /** An O_RDONLY|O_DIRECTORY|O_CLOEXEC fd on a cgroup2 directory, for clone3(CLONE_INTO_CGROUP); the caller closes it. */
    int openDir(Path dir) throws ErrnoException;

    /** statfs(2) f_type of the file system holding {@code path}. */
    long fsType(Path path) throws ErrnoException;

    /** This process (the supervisor). */
    int selfPid();

    /** kill(pid, 0) finds it (EPERM also means it exists). */
    boolean pidAlive(int pid);

    void kill(int pid, int sig);

    /** Pauses between removal attempts of a cgroup that is still busy. */
    void sleepMillis(long ms);
}
