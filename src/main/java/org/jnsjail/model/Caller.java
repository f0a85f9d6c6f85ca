package org.jnsjail.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;

/**
 * The process a jail is started for, and what a supervisor started by it would have inherited:
 * its environment (for -E, --keep_env, prefix_src_env), its working directory (where relative host
 * paths resolve), its resource limits (for 'def'/'soft'/'hard' and what the jail inherits) and,
 * where they must differ from this JVM's own, the umask and cgroup the jail gets.
 *
 * <p>A cold run is its caller's child: {@link #self()} describes this JVM as its caller left it.
 * A resident server starts jails for other processes and describes each client instead.
 *
 * @param env the caller's environment
 * @param cwd the caller's working directory (absolute)
 * @param rlimits the caller's soft and hard limits, every resource
 * @param umask the umask the jail starts with, or -1 for this JVM's own
 * @param cgroupFd a cgroup2 directory the jail is cloned into when it has no cgroup of its own
 *     (CLONE_INTO_CGROUP), or -1 for this JVM's cgroup; owned by whoever made the Caller
 * @param fds the fds the caller has open, which --pass_fd and -L may name (a --pass_fd it does not
 *     have is nothing to keep, as in nsjail), or null when whoever made the Caller checks that itself
 */
public record Caller(Map<String, String> env, String cwd, Map<RLimit, Limit> rlimits, int umask, int cgroupFd,
        Set<Integer> fds) {

    /**
     * One resource limit: soft and hard, RLIM_INFINITY being -1 (compare them unsigned). equals and
     * hashCode by hand: a record's own are bootstrapped at run time, which costs every CLI start.
     */
    public record Limit(long soft, long hard) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Limit l && l.soft == soft && l.hard == hard;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(soft) * 31 + Long.hashCode(hard);
        }
    }

    public Caller {
        env = Map.copyOf(env);
        rlimits = java.util.Collections.unmodifiableMap(new EnumMap<>(rlimits));
        if (fds != null) fds = Set.copyOf(fds);
    }

    /** A caller whose fds are not known here (every --pass_fd is taken as open). */
    public Caller(Map<String, String> env, String cwd, Map<RLimit, Limit> rlimits, int umask, int cgroupFd) {
        this(env, cwd, rlimits, umask, cgroupFd, null);
    }

    /** Whether the caller has {@code fd} open (true when that is not known here). */
    public boolean hasFd(int fd) {
        return fds == null || fds.contains(fd);
    }

    private static volatile Caller self;

    /**
     * This JVM as its caller left it. The first call reads the limits; the CLI calls it before it
     * raises its own RLIMIT_NOFILE (the launcher tells the JVM not to, with -XX:-MaxFDLimit), so the
     * caller's soft limit is kept. A JVM started without that flag has already raised it.
     */
    public static Caller self() {
        Caller c = self;
        if (c == null) {
            synchronized (Caller.class) {
                if (self == null) {
                    self = new Caller(System.getenv(), System.getProperty("user.dir"), ownLimits(), -1, -1, inheritedFds());
                }
                c = self;
            }
        }
        return c;
    }

    /** This process's current limits. */
    public static Map<RLimit, Limit> ownLimits() {
        Map<RLimit, Limit> out = new EnumMap<>(RLimit.class);
        for (RLimit r : RLimit.values()) {
            try {
                long[] l = Libc.getrlimit(r.resource);
                out.put(r, new Limit(l[0], l[1]));
            } catch (ErrnoException e) {
                // a resource this kernel does not know: nothing to inherit
            }
        }
        return out;
    }

    /** nsjail raises its own RLIMIT_NOFILE soft limit to min(8192, hard) when it is lower, before anything else. */
    static final long NSJAIL_NOFILE = 8192;

    /**
     * The limit a supervisor started by the caller has, as nsjail has it: the caller's, except that
     * the RLIMIT_NOFILE soft limit is raised to min(8192, hard) when lower. 'def', 'soft' and 'hard'
     * read it, and a jail inherits it. Null for a resource the kernel does not know.
     */
    public Limit inherited(RLimit r) {
        Limit l = rlimits.get(r);
        if (l == null || r != RLimit.RLIMIT_NOFILE) return l;
        long floor = Long.compareUnsigned(l.hard(), NSJAIL_NOFILE) < 0 ? l.hard() : NSJAIL_NOFILE;
        return Long.compareUnsigned(l.soft(), floor) < 0 ? new Limit(floor, l.hard()) : l;
    }

    /**
     * The fds this JVM's caller left open, as far as they can still be told apart from the JVM's own:
     * read at the first {@link #self()}, which the CLI calls first thing. Excluded are fds with
     * FD_CLOEXEC (none survives execve(2), see fcntl(2); jnsjail opens all of its own so) and the files
     * the JVM opened before main() without it: its modules image and the jars on its class path (at 0, 1
     * or 2 too, when the caller had those closed). So a --pass_fd naming a number the caller did not have
     * open never hands a JVM file to a jail. Those JVM files are marked close-on-exec on the way, so that
     * no execve(2) (-Me, the daemon's re-exec) carries them either.
     */
    public static Set<Integer> inheritedFds() {
        Set<Integer> out = new TreeSet<>();
        Set<Path> jvm = jvmFiles();
        // The listing's own directory fd (not close-on-exec: the JDK opens it for fdopendir(3)).
        Path listing = Path.of("/proc/" + Libc.getpid() + "/fd");
        try (var s = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : s) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                int flags;
                try {
                    flags = Libc.fcntl(fd, org.jnsjail.sys.Fcntl.F_GETFD, 0);
                } catch (ErrnoException e) {
                    continue; // the directory stream's own fd, closed since
                }
                if ((flags & org.jnsjail.sys.Fcntl.FD_CLOEXEC) != 0) continue;
                if (isJvmFile(p, jvm, listing)) {
                    try {
                        Libc.fcntl(fd, org.jnsjail.sys.Fcntl.F_SETFD, flags | org.jnsjail.sys.Fcntl.FD_CLOEXEC);
                    } catch (ErrnoException e) {
                        // closed meanwhile: nothing to carry
                    }
                    continue;
                }
                out.add(fd);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no procfs: nothing can be told apart; 0, 1 and 2 are taken as the caller's
            return Set.of(0, 1, 2);
        }
        return out;
    }

    private static Set<Path> jvmFiles() {
        Set<Path> out = new java.util.HashSet<>();
        String home = System.getProperty("java.home");
        if (home != null) out.add(Path.of(home));
        String cp = System.getProperty("java.class.path", "");
        for (String e : cp.split(java.io.File.pathSeparator)) {
            if (e.isEmpty()) continue;
            Path jar = Path.of(e).toAbsolutePath().normalize();
            if (Files.isDirectory(jar)) continue; // classes are read from a directory and closed again
            out.add(jar);
            // a jar's manifest Class-Path (lib/*.jar beside it), opened by the class loader
            if (jar.getParent() != null) out.add(jar.getParent().resolve("lib"));
        }
        return out;
    }

    private static boolean isJvmFile(Path fdLink, Set<Path> jvm, Path listing) {
        Path target;
        try {
            target = Files.readSymbolicLink(fdLink);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
        if (!target.isAbsolute()) return false; // pipe:[..], socket:[..], anon_inode:..
        if (target.equals(listing)) return true;
        for (Path p = target; p != null; p = p.getParent()) {
            if (jvm.contains(p)) return true;
        }
        // the same files reached through symlinks (java.home is often one)
        try {
            Path real = target.toRealPath();
            for (Path j : jvm) {
                Path rj = Files.exists(j) ? j.toRealPath() : j;
                if (real.startsWith(rj)) return true;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // a deleted file: not one of the JVM's
        }
        return false;
    }
}
