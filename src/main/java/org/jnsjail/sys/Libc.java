package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Downcalls into glibc. Each handle is created on first use (a holder class per function), since
 * creating a downcall handle costs start-up time and most runs need only a few of them.
 * Every call that can fail captures errno right after the call (Linker.Option.captureCallState).
 */
public final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /** Per-thread errno capture buffer; FFM writes errno into it right after each call. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE_LAYOUT));

    static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... opts) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
        Linker.Option[] all = new Linker.Option[opts.length + 1];
        all[0] = CAPTURE;
        System.arraycopy(opts, 0, all, 1, opts.length);
        return LINKER.downcallHandle(sym, fd, all);
    }

    static MemorySegment state() {
        return STATE.get();
    }

    /** errno of the last captured call on this thread. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    static int check(int rc, String what) throws ErrnoException {
        if (rc < 0) throw new ErrnoException(what, errno());
        return rc;
    }

    static long check(long rc, String what) throws ErrnoException {
        if (rc < 0) throw new ErrnoException(what, errno());
        return rc;
    }

    static RuntimeException fatal(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    // ---- plain functions -------------------------------------------------------------------------

    private static final class Getuid { static final MethodHandle H = handle("getuid", FunctionDescriptor.of(JAVA_INT)); }
    private static final class Geteuid { static final MethodHandle H = handle("geteuid", FunctionDescriptor.of(JAVA_INT)); }
    private static final class Getgid { static final MethodHandle H = handle("getgid", FunctionDescriptor.of(JAVA_INT)); }
    private static final class Getegid { static final MethodHandle H = handle("getegid", FunctionDescriptor.of(JAVA_INT)); }
    private static final class Getpid { static final MethodHandle H = handle("getpid", FunctionDescriptor.of(JAVA_INT)); }

    public static int getuid() { try { return (int) Getuid.H.invokeExact(state()); } catch (Throwable t) { throw fatal(t); } }
    public static int geteuid() { try { return (int) Geteuid.H.invokeExact(state()); } catch (Throwable t) { throw fatal(t); } }
    public static int getgid() { try { return (int) Getgid.H.invokeExact(state()); } catch (Throwable t) { throw fatal(t); } }
    public static int getegid() { try { return (int) Getegid.H.invokeExact(state()); } catch (Throwable t) { throw fatal(t); } }
    public static int getpid() { try { return (int) Getpid.H.invokeExact(state()); } catch (Throwable t) { throw fatal(t); } }

    private static final class Close { static final MethodHandle H = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)); }

    public static int close(int fd) {
        try { return (int) Close.H.invokeExact(state(), fd); } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Read { static final MethodHandle H = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)); }
    private static final class Write { static final MethodHandle H = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)); }

    /** read(2), retried on EINTR. Returns 0 at EOF. */
    public static long read(int fd, MemorySegment buf, long len) throws ErrnoException {
        try {
            for (;;) {
                long r = (long) Read.H.invokeExact(state(), fd, buf, len);
                if (r >= 0) return r;
                if (errno() != Errno.EINTR) throw new ErrnoException("read", errno());
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    /** Writes all of buf, retrying on EINTR and short writes. */
    public static void writeFully(int fd, MemorySegment buf) throws ErrnoException {
        try {
            long off = 0, len = buf.byteSize();
            while (off < len) {
                long w = (long) Write.H.invokeExact(state(), fd, buf.asSlice(off), len - off);
                if (w < 0) {
                    if (errno() == Errno.EINTR) continue;
                    throw new ErrnoException("write", errno());
                }
                off += w;
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Open { static final MethodHandle H = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2)); }

    public static int open(String path, int flags, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return check((int) Open.H.invokeExact(state(), a.allocateFrom(path), flags, mode), "open('" + path + "')");
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Fcntl { static final MethodHandle H = handle("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2)); }

    public static int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        try { return check((int) Fcntl.H.invokeExact(state(), fd, cmd, arg), "fcntl"); }
        catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class MemfdCreate { static final MethodHandle H = handle("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)); }

    public static int memfdCreate(String name, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return check((int) MemfdCreate.H.invokeExact(state(), a.allocateFrom(name), flags), "memfd_create");
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Socketpair { static final MethodHandle H = handle("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)); }

    /** socketpair(2); returns the two fds. */
    public static int[] socketpair(int domain, int type, int protocol) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            check((int) Socketpair.H.invokeExact(state(), domain, type, protocol, sv), "socketpair");
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Pipe2 { static final MethodHandle H = handle("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)); }

    public static int[] pipe2(int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            check((int) Pipe2.H.invokeExact(state(), sv, flags), "pipe2");
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Syscall3 { static final MethodHandle H = handle("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1)); }
    private static final class Syscall4 { static final MethodHandle H = handle("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1)); }

    /** syscall(2) with three integer arguments. */
    public static long syscall(long nr, long a1, long a2, long a3) {
        try { return (long) Syscall3.H.invokeExact(state(), nr, a1, a2, a3); } catch (Throwable t) { throw fatal(t); }
    }

    public static long syscall(long nr, long a1, long a2, long a3, long a4) {
        try { return (long) Syscall4.H.invokeExact(state(), nr, a1, a2, a3, a4); } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Poll { static final MethodHandle H = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)); }

    /** poll(2) on the given pollfd array; returns the count or -1 with errno (EINTR is not retried). */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        try { return (int) Poll.H.invokeExact(state(), fds, nfds, timeoutMs); } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Waitpid { static final MethodHandle H = handle("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }

    /** waitpid(2), retried on EINTR; returns the raw status. */
    public static int waitpid(int pid, int options) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            for (;;) {
                int r = (int) Waitpid.H.invokeExact(state(), pid, st, options);
                if (r >= 0) return r == 0 ? -1 : st.get(JAVA_INT, 0);
                if (errno() != Errno.EINTR) throw new ErrnoException("waitpid", errno());
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Waitid { static final MethodHandle H = handle("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }

    public static int waitid(int idtype, int id, MemorySegment siginfo, int options) {
        try { return (int) Waitid.H.invokeExact(state(), idtype, id, siginfo, options); } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Kill { static final MethodHandle H = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }

    public static int kill(int pid, int sig) {
        try { return (int) Kill.H.invokeExact(state(), pid, sig); } catch (Throwable t) { throw fatal(t); }
    }

    private static final class SignalFn { static final MethodHandle H = handle("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS)); }

    /** signal(sig, SIG_DFL): undoes an inherited SIG_IGN, which the JVM would otherwise keep (signal(7)). */
    public static void signalDefault(int sig) {
        try {
            MemorySegment ignored = (MemorySegment) SignalFn.H.invokeExact(state(), sig, MemorySegment.NULL);
        } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Strerror { static final MethodHandle H = handle("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT)); }

    public static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) Strerror.H.invokeExact(state(), errno);
            return p.reinterpret(4096).getString(0);
        } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Getrlimit { static final MethodHandle H = handle("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)); }

    /** getrlimit(2): {soft, hard}; RLIM_INFINITY is -1. */
    public static long[] getrlimit(int resource) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(JAVA_LONG, 2);
            check((int) Getrlimit.H.invokeExact(state(), resource, rl), "getrlimit");
            return new long[] {rl.getAtIndex(JAVA_LONG, 0), rl.getAtIndex(JAVA_LONG, 1)};
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Setrlimit { static final MethodHandle H = handle("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)); }

    public static void setrlimit(int resource, long soft, long hard) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(JAVA_LONG, 2);
            rl.setAtIndex(JAVA_LONG, 0, soft);
            rl.setAtIndex(JAVA_LONG, 1, hard);
            check((int) Setrlimit.H.invokeExact(state(), resource, rl), "setrlimit");
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Getpwnam { static final MethodHandle H = handle("getpwnam", FunctionDescriptor.of(ADDRESS, ADDRESS)); }
    private static final class Getgrnam { static final MethodHandle H = handle("getgrnam", FunctionDescriptor.of(ADDRESS, ADDRESS)); }

    /** getpwnam(3): the uid, or -1 if there is no such user. struct passwd: name, passwd, uid at 16. */
    public static long uidOfUser(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Getpwnam.H.invokeExact(state(), a.allocateFrom(name));
            return p.equals(MemorySegment.NULL) ? -1 : Integer.toUnsignedLong(p.reinterpret(24).get(JAVA_INT, 16));
        } catch (Throwable t) { throw fatal(t); }
    }

    /** getgrnam(3): the gid, or -1. struct group: name, passwd, gid at 16. */
    public static long gidOfGroup(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) Getgrnam.H.invokeExact(state(), a.allocateFrom(name));
            return p.equals(MemorySegment.NULL) ? -1 : Integer.toUnsignedLong(p.reinterpret(24).get(JAVA_INT, 16));
        } catch (Throwable t) { throw fatal(t); }
    }

    private static final class SchedGetaffinity { static final MethodHandle H = handle("sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS)); }

    /** sched_getaffinity(2) of this process, as a bitmap of 1024 CPUs. */
    public static long[] schedGetaffinity() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(128);
            check((int) SchedGetaffinity.H.invokeExact(state(), 0, 128L, m), "sched_getaffinity");
            return m.toArray(JAVA_LONG);
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    private static final class Execve { static final MethodHandle H = handle("execve", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)); }

    /** execve(2): returns only on failure. */
    public static void execve(String path, String[] argv, String[] envp) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) Execve.H.invokeExact(state(), a.allocateFrom(path), strings(a, argv), strings(a, envp));
            throw new ErrnoException("execve('" + path + "')", rc < 0 ? errno() : Errno.EINVAL);
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    /** A NULL-terminated char*[] in the arena. */
    public static MemorySegment strings(Arena a, String[] s) {
        MemorySegment arr = a.allocate(ADDRESS, s.length + 1L);
        for (int i = 0; i < s.length; i++) arr.setAtIndex(ADDRESS, i, a.allocateFrom(s[i]));
        arr.setAtIndex(ADDRESS, s.length, MemorySegment.NULL);
        return arr;
    }

    // ---- posix_spawn --------------------------------------------------------------------------

    static final class Spawn {
        static final MethodHandle SPAWN = handle("posix_spawn", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle FA_INIT = handle("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DESTROY = handle("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DUP2 = handle("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle FA_CLOSE = handle("posix_spawn_file_actions_addclose", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle FA_CLOSEFROM = handle("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle ATTR_INIT = handle("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_DESTROY = handle("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_SETFLAGS = handle("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
        static final MethodHandle ATTR_SETSIGMASK = handle("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle ATTR_SETSIGDEFAULT = handle("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SIGEMPTYSET = handle("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle SIGFILLSET = handle("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** One fd action of a posix_spawn: dup2(from, to), or close(fd) when from is -1. */
    public record FdAction(int from, int to) {
        public static FdAction dup2(int from, int to) { return new FdAction(from, to); }
        public static FdAction close(int fd) { return new FdAction(-1, fd); }
    }

    /**
     * posix_spawn(3) with explicit fd actions, then closefrom(closeFrom): the JVM holds fds without
     * close-on-exec, so the child must get exactly the fds that were asked for. The signal mask is
     * emptied and every signal reset to its default, since JVM threads block and handle signals.
     */
    public static int posixSpawn(String path, String[] argv, String[] envp, Iterable<FdAction> actions, int closeFrom)
            throws ErrnoException {
        return posixSpawn(path, argv, envp, actions, closeFrom, (short) 0);
    }

    /** POSIX_SPAWN_SETSID (glibc >= 2.26): the child starts a new session, as setsid(2). */
    public static final short POSIX_SPAWN_SETSID = 0x80;

    /** As above, with extra posix_spawnattr_setflags(3) flags (e.g. {@link #POSIX_SPAWN_SETSID}). */
    public static int posixSpawn(String path, String[] argv, String[] envp, Iterable<FdAction> actions, int closeFrom,
            short extraFlags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(256, 16);
            MemorySegment attr = a.allocate(512, 16);
            MemorySegment sigs = a.allocate(128, 8);
            MemorySegment pid = a.allocate(JAVA_INT);
            int rc = (int) Spawn.FA_INIT.invokeExact(state(), fa);
            if (rc != 0) throw new ErrnoException("posix_spawn_file_actions_init", rc);
            rc = (int) Spawn.ATTR_INIT.invokeExact(state(), attr);
            if (rc != 0) throw new ErrnoException("posix_spawnattr_init", rc);
            try {
                for (FdAction act : actions) {
                    rc = act.from() < 0
                            ? (int) Spawn.FA_CLOSE.invokeExact(state(), fa, act.to())
                            : (int) Spawn.FA_DUP2.invokeExact(state(), fa, act.from(), act.to());
                    if (rc != 0) throw new ErrnoException("posix_spawn fd action", rc);
                }
                rc = (int) Spawn.FA_CLOSEFROM.invokeExact(state(), fa, closeFrom);
                if (rc != 0) throw new ErrnoException("posix_spawn_file_actions_addclosefrom_np", rc);
                int ignored = (int) Spawn.SIGEMPTYSET.invokeExact(state(), sigs);
                rc = (int) Spawn.ATTR_SETSIGMASK.invokeExact(state(), attr, sigs);
                ignored = (int) Spawn.SIGFILLSET.invokeExact(state(), sigs);
                rc |= (int) Spawn.ATTR_SETSIGDEFAULT.invokeExact(state(), attr, sigs);
                rc |= (int) Spawn.ATTR_SETFLAGS.invokeExact(state(), attr, (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | extraFlags));
                if (rc != 0) throw new ErrnoException("posix_spawnattr", Errno.EINVAL);
                rc = (int) Spawn.SPAWN.invokeExact(state(), pid, a.allocateFrom(path), fa, attr, strings(a, argv), strings(a, envp));
                if (rc != 0) throw new ErrnoException("posix_spawn('" + path + "')", rc);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) Spawn.FA_DESTROY.invokeExact(state(), fa);
                ignored = (int) Spawn.ATTR_DESTROY.invokeExact(state(), attr);
            }
        } catch (ErrnoException e) { throw e; } catch (Throwable t) { throw fatal(t); }
    }

    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /** Layout helper for callers that build pollfd arrays: {int fd; short events; short revents}. */
    public static final ValueLayout.OfInt POLLFD_INT = JAVA_INT;
}
