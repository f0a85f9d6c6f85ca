package org.jnsjail.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;

/**
 * A cgroup file system imitated in a temporary directory, with the kernel rules the cgroup code
 * depends on: mkdir makes an empty cgroup.procs; writing a pid to cgroup.procs moves that process
 * (it leaves every other cgroup.procs); rmdir is EBUSY while the cgroup has processes or children;
 * "+ctrl" in cgroup.subtree_control is ENOENT unless cgroup.controllers lists it, and for a domain
 * controller EBUSY while a cgroup other than a hierarchy root (the directories directly in {@link
 * #root}, the only ones without cgroup.type) holds processes (the "no internal process" rule); a
 * threaded controller (pids, cpu) is enabled, and the cgroup is then a thread root: moving a process
 * into a cgroup below it is EOPNOTSUPP, as moving one into a cgroup that gives domain controllers to
 * its children is EBUSY (cgroup-v2.rst, "Threads"; the kernel's cgroup_migrate_vet_dst).
 */
final class TempCgroupHost implements CgroupHost {
    static final int EBUSY = 16, EOPNOTSUPP = 95;
    /** The controllers cgroup v2 allows in threaded subtrees (cgroup-v2.rst, "Threads"). */
    static final Set<String> THREADED = Set.of("cpu", "cpuset", "perf_event", "pids");

    final Path root;
    int self = 1000;
    /** statfs f_type when set; otherwise cgroup2 under {@code root/unified}, cgroup v1 elsewhere. */
    Long fsType;
    final Set<Integer> alive = new HashSet<>(Set.of(1000));
    final List<String> writes = new ArrayList<>();
    final List<Integer> killed = new ArrayList<>();
    /** Writes into a file with this name fail with the errno. */
    final Map<String, Integer> faults = new HashMap<>();
    int openFds;

    TempCgroupHost(Path root) {
        this.root = root;
    }

    /** A cgroup directory as the kernel would show it (cgroup.procs, and the given controllers available). */
    Path cgroup(Path dir, String controllers, int... pids) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "\n");
        StringBuilder b = new StringBuilder();
        for (int p : pids) b.append(p).append('\n');
        Files.writeString(dir.resolve("cgroup.procs"), b.toString());
        if (!dir.getParent().equals(root)) Files.writeString(dir.resolve("cgroup.type"), "domain\n");
        return dir;
    }

    String content(Path file) throws IOException {
        return Files.readString(file);
    }

    @Override
    public void mkdir(Path dir, int mode) throws ErrnoException {
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("cgroup.procs"), "");
            Files.writeString(dir.resolve("cgroup.type"), "domain\n");
        } catch (FileAlreadyExistsException e) {
            throw new ErrnoException("mkdir('" + dir + "')", Errno.EEXIST);
        } catch (NoSuchFileException e) {
            throw new ErrnoException("mkdir('" + dir + "')", Errno.ENOENT);
        } catch (IOException e) {
            throw new ErrnoException("mkdir('" + dir + "')", Errno.EIO);
        }
    }

    @Override
    public void rmdir(Path dir) throws ErrnoException {
        if (!Files.isDirectory(dir)) throw new ErrnoException("rmdir('" + dir + "')", Errno.ENOENT);
        try {
            if (!pids(dir).isEmpty() || !subdirs(dir).isEmpty()) throw new ErrnoException("rmdir('" + dir + "')", EBUSY);
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.toList()) Files.delete(f);
            }
            Files.delete(dir);
        } catch (DirectoryNotEmptyException e) {
            throw new ErrnoException("rmdir('" + dir + "')", EBUSY);
        } catch (IOException e) {
            throw new ErrnoException("rmdir('" + dir + "')", Errno.EIO);
        }
    }

    @Override
    public void write(Path file, String value) throws ErrnoException {
        String name = file.getFileName().toString();
        Integer fault = faults.get(name);
        if (fault != null) throw new ErrnoException("write '" + value + "' to '" + file + "'", fault);
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) throw new ErrnoException("open('" + file + "')", Errno.ENOENT);
        try {
            switch (name) {
                case "cgroup.procs" -> {
                    int pid = Integer.parseInt(value.strip());
                    if (!isHierarchyRoot(dir)) {
                        for (Path a = dir.getParent(); !a.equals(root) && !isHierarchyRoot(a); a = a.getParent()) {
                            if (isThreadRoot(a)) throw new ErrnoException("write '" + value + "' to '" + file + "'", EOPNOTSUPP);
                        }
                        if (tokens(dir.resolve("cgroup.subtree_control")).stream().anyMatch(c -> !THREADED.contains(c))) {
                            throw new ErrnoException("write '" + value + "' to '" + file + "'", EBUSY);
                        }
                    }
                    removeFrom(hierarchy(dir), pid);
                    Set<Integer> now = pids(dir);
                    now.add(pid);
                    writePids(dir, now);
                }
                case "cgroup.subtree_control" -> {
                    String ctrl = value.substring(1);
                    List<String> available = tokens(dir.resolve("cgroup.controllers"));
                    if (!available.contains(ctrl)) throw new ErrnoException("write '" + value + "' to '" + file + "'", Errno.ENOENT);
                    if (!isHierarchyRoot(dir) && !THREADED.contains(ctrl) && !pids(dir).isEmpty()) {
                        throw new ErrnoException("write '" + value + "' to '" + file + "'", EBUSY);
                    }
                    Set<String> on = new LinkedHashSet<>(tokens(file));
                    on.add(ctrl);
                    Files.writeString(file, String.join(" ", on) + "\n");
                }
                default -> Files.writeString(file, value + "\n");
            }
        } catch (IOException e) {
            throw new ErrnoException("write '" + value + "' to '" + file + "'", Errno.EIO);
        }
        writes.add(root.relativize(file) + "=" + value);
    }

    private boolean isHierarchyRoot(Path dir) {
        return dir.getParent().equals(root);
    }

    /** A cgroup that holds processes and gives threaded controllers to its children. */
    private boolean isThreadRoot(Path dir) throws IOException {
        return !pids(dir).isEmpty() && tokens(dir.resolve("cgroup.subtree_control")).stream().anyMatch(THREADED::contains);
    }

    private static List<String> tokens(Path f) throws IOException {
        if (!Files.exists(f)) return List.of();
        String s = Files.readString(f).strip();
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
    }

    Set<Integer> pids(Path dir) throws IOException {
        Path procs = dir.resolve("cgroup.procs");
        Set<Integer> out = new LinkedHashSet<>();
        if (!Files.exists(procs)) return out;
        for (String l : Files.readAllLines(procs)) if (!l.isBlank()) out.add(Integer.parseInt(l.strip()));
        return out;
    }

    private static void writePids(Path dir, Set<Integer> pids) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int p : pids) b.append(p).append('\n');
        Files.writeString(dir.resolve("cgroup.procs"), b.toString());
    }

    /** The temp tree holds one hierarchy per top-level directory (memory, pids, unified, ...). */
    private Path hierarchy(Path dir) {
        Path rel = root.relativize(dir);
        return rel.getNameCount() == 0 || rel.toString().isEmpty() ? root : root.resolve(rel.getName(0));
    }

    /** A process lives in one cgroup per hierarchy: moving it takes it out of the others there. */
    void removeFrom(Path hierarchy, int pid) throws IOException {
        try (Stream<Path> s = Files.walk(hierarchy)) {
            for (Path p : s.filter(q -> q.getFileName().toString().equals("cgroup.procs")).toList()) {
                Set<Integer> now = pids(p.getParent());
                if (now.remove(pid)) writePids(p.getParent(), now);
            }
        }
    }

    @Override
    public String read(Path file) throws ErrnoException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ErrnoException("read '" + file + "'", Errno.ENOENT);
        } catch (IOException e) {
            throw new ErrnoException("read '" + file + "'", Errno.EIO);
        }
    }

    @Override
    public List<String> subdirs(Path dir) throws ErrnoException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            throw new ErrnoException("list '" + dir + "'", Errno.ENOENT);
        } catch (IOException e) {
            throw new ErrnoException("list '" + dir + "'", Errno.EIO);
        }
    }

    @Override
    public boolean isDirectory(Path dir) {
        return Files.isDirectory(dir);
    }

    @Override
    public int openDir(Path dir) throws ErrnoException {
        if (!Files.isDirectory(dir)) throw new ErrnoException("open('" + dir + "')", Errno.ENOENT);
        openFds++;
        return 100 + openFds;
    }

    @Override
    public long fsType(Path path) throws ErrnoException {
        if (!Files.exists(path)) throw new ErrnoException("statfs('" + path + "')", Errno.ENOENT);
        if (fsType != null) return fsType;
        return path.startsWith(root.resolve("unified")) ? CgroupVersion.CGROUP2_SUPER_MAGIC : CgroupVersion.CGROUP_SUPER_MAGIC;
    }

    @Override
    public int selfPid() {
        return self;
    }

    @Override
    public boolean pidAlive(int pid) {
        return alive.contains(pid);
    }

    @Override
    public void kill(int pid, int sig) {
        killed.add(pid);
        alive.remove(pid);
        try {
            removeFrom(root, pid);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void sleepMillis(long ms) {}
}
