package org.jnsjail.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
    /** Where errno sits in the capture state: read as a plain int (a VarHandle costs start-up time). */
    private static final long ERRNO_OFFSET = errnoOffset();

    /** The member named errno, by walking the struct (a layout path would spin method handles at start-up). */
    private static long errnoOffset() {
        long off = 0;
        for (MemoryLayout m : ((java.lang.foreign.StructLayout) CAPTURE_LAYOUT).memberLayouts()) {
            if (m.name().filter("errno"::equals).isPresent()) return off;
            off += m.byteSize();
        }
        throw new IllegalStateException("no errno in the capture state layout");
    }
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /**
     * Per-thread errno capture buffer; FFM writes errno into it right after each call. An automatic
     * arena frees it once its thread is gone: a resident server makes threads per request.
     */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /** The address of libc's function {@code name}. */
    public static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
    }

    /**
     * The one downcall shape of jnsjail: a function's address and up to seven integer-class
     * arguments, a 64-bit result, errno captured. FFM generates a stub class per distinct native
     * signature (about 6 ms each at start-up, not kept by the AOT cache), so every libc call goes
     * through this one. The x86_64 SysV ABI passes int, short and pointer arguments alike in
     * 64-bit registers, extra arguments are ignored by the callee, and an int or pointer result is
     * the low or whole rax: callers cast. Variadic from the second argument, as syscall(2) is; for
     * other functions that only sets al, which a non-variadic callee ignores.
     */
    private static final class Call {
        static final MethodHandle H = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), CAPTURE, Linker.Option.firstVariadicArg(1));
    }

    /** Calls {@code fn} with up to seven integer or pointer arguments (unused ones 0); errno is captured. */
    public static long call(MemorySegment fn, long a1, long a2, long a3, long a4, long a5, long a6, long a7) {
        try {
            return (long) Call.H.invokeExact(fn, state(), a1, a2, a3, a4, a5, a6, a7);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static long call(MemorySegment fn, long a1, long a2, long a3) {
        return call(fn, a1, a2, a3, 0, 0, 0, 0);
    }

    static MemorySegment state() {
        return STATE.get();
    }

    /** errno of the last captured call on this thread. */
    public static int errno() {
        return STATE.get().get(JAVA_INT, ERRNO_OFFSET);
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
    // Every plain call goes through one raw syscall(2) handle of a single signature: FFM generates a
    // stub class per distinct native signature (~6 ms each at start-up, not kept by the AOT cache),
    // so one shape for all of them is cheaper than a handle per libc wrapper. Numbers are x86_64's
    // (arch/x86/entry/syscalls/syscall_64.tbl); pointers travel as their addresses.

    private static final class Sys {
        static final MemorySegment SYSCALL = symbol("syscall");
    }

    static final long AT_FDCWD = -100;

    /** syscall(2) with up to six arguments; -1 and errno on failure. */
    public static long sys(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        return call(Sys.SYSCALL, nr, a1, a2, a3, a4, a5, a6);
    }

    /** syscall(2) with three integer arguments. */
    public static long syscall(long nr, long a1, long a2, long a3) {
        return sys(nr, a1, a2, a3, 0, 0, 0);
    }

    public static long syscall(long nr, long a1, long a2, long a3, long a4) {
        return sys(nr, a1, a2, a3, a4, 0, 0);
    }

    public static int getuid() { return (int) sys(Syscall.SYS_getuid, 0, 0, 0, 0, 0, 0); }
    public static int geteuid() { return (int) sys(Syscall.SYS_geteuid, 0, 0, 0, 0, 0, 0); }
    public static int getgid() { return (int) sys(Syscall.SYS_getgid, 0, 0, 0, 0, 0, 0); }
    public static int getegid() { return (int) sys(Syscall.SYS_getegid, 0, 0, 0, 0, 0, 0); }
    public static int getpid() { return (int) sys(Syscall.SYS_getpid, 0, 0, 0, 0, 0, 0); }

    public static int close(int fd) {
        return (int) sys(Syscall.SYS_close, fd, 0, 0, 0, 0, 0);
    }

    /** read(2), retried on EINTR. Returns 0 at EOF. */
    public static long read(int fd, MemorySegment buf, long len) throws ErrnoException {
        for (;;) {
            long r = sys(Syscall.SYS_read, fd, buf.address(), len, 0, 0, 0);
            if (r >= 0) return r;
            if (errno() != Errno.EINTR) throw new ErrnoException("read", errno());
        }
    }

    /** read(2) until it returns 0: the whole of a procfs file, whatever st_size says. */
    public static byte[] readAll(int fd) throws ErrnoException {
        byte[] out = new byte[0];
        int len = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n;
            while ((n = read(fd, buf, buf.byteSize())) > 0) {
                if (len + n > out.length) out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, len + (int) n));
                MemorySegment.copy(buf, JAVA_BYTE, 0, out, len, (int) n);
                len += (int) n;
            }
        }
        return len == out.length ? out : java.util.Arrays.copyOf(out, len);
    }

    /** Writes all of buf, retrying on EINTR and short writes. */
    public static void writeFully(int fd, MemorySegment buf) throws ErrnoException {
        long off = 0, len = buf.byteSize();
        while (off < len) {
            long w = sys(Syscall.SYS_write, fd, buf.address() + off, len - off, 0, 0, 0);
            if (w < 0) {
                if (errno() == Errno.EINTR) continue;
                throw new ErrnoException("write", errno());
            }
            off += w;
        }
    }

    public static int open(String path, int flags, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return check((int) sys(Syscall.SYS_openat, AT_FDCWD, a.allocateFrom(path).address(), flags, mode, 0, 0),
                    "open('" + path + "')");
        }
    }

    public static int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        return check((int) sys(Syscall.SYS_fcntl, fd, cmd, arg, 0, 0, 0), "fcntl");
    }

    public static int memfdCreate(String name, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return check((int) sys(Syscall.SYS_memfd_create, a.allocateFrom(name).address(), flags, 0, 0, 0, 0), "memfd_create");
        }
    }

    /** socketpair(2); returns the two fds. */
    public static int[] socketpair(int domain, int type, int protocol) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            check((int) sys(Syscall.SYS_socketpair, domain, type, protocol, sv.address(), 0, 0), "socketpair");
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        }
    }

    public static int[] pipe2(int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            check((int) sys(Syscall.SYS_pipe2, sv.address(), flags, 0, 0, 0, 0), "pipe2");
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** poll(2) on the given pollfd array; returns the count or -1 with errno (EINTR is not retried). */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        return (int) sys(Syscall.SYS_poll, fds.address(), nfds, timeoutMs, 0, 0, 0);
    }

    /** waitpid(2) (wait4 without rusage), retried on EINTR; returns the raw status, or -1 under WNOHANG. */
    public static int waitpid(int pid, int options) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(JAVA_INT);
            for (;;) {
                int r = (int) sys(Syscall.SYS_wait4, pid, st.address(), options, 0, 0, 0);
                if (r >= 0) return r == 0 ? -1 : st.get(JAVA_INT, 0);
                if (errno() != Errno.EINTR) throw new ErrnoException("waitpid", errno());
            }
        }
    }

    /** waitid(2); the kernel's fifth argument (rusage) is NULL. */
    public static int waitid(int idtype, int id, MemorySegment siginfo, int options) {
        return (int) sys(Syscall.SYS_waitid, idtype, id, siginfo.address(), options, 0, 0);
    }

    /** waitid(2) with the kernel's fifth argument: the reaped child's struct rusage (as wait4(2) gives it). */
    public static int waitid(int idtype, int id, MemorySegment siginfo, int options, MemorySegment rusage) {
        return (int) sys(Syscall.SYS_waitid, idtype, id, siginfo.address(), options, rusage.address(), 0);
    }

    public static int kill(int pid, int sig) {
        return (int) sys(Syscall.SYS_kill, pid, sig, 0, 0, 0, 0);
    }

    /** signal(sig, SIG_DFL) as rt_sigaction(2): undoes an inherited SIG_IGN, which the JVM would otherwise keep. */
    public static void signalDefault(int sig) {
        try (Arena a = Arena.ofConfined()) {
            // struct kernel_sigaction { handler, flags, restorer, mask }: all zero = SIG_DFL
            MemorySegment act = a.allocate(32, 8);
            sys(Syscall.SYS_rt_sigaction, sig, act.address(), 0, 8, 0, 0);
        }
    }

    /** getrlimit(2) as prlimit64(0, ...): {soft, hard}; RLIM_INFINITY is -1. */
    public static long[] getrlimit(int resource) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(JAVA_LONG, 2);
            check((int) sys(Syscall.SYS_prlimit64, 0, resource, 0, rl.address(), 0, 0), "getrlimit");
            return new long[] {rl.getAtIndex(JAVA_LONG, 0), rl.getAtIndex(JAVA_LONG, 1)};
        }
    }

    public static void setrlimit(int resource, long soft, long hard) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(JAVA_LONG, 2);
            rl.setAtIndex(JAVA_LONG, 0, soft);
            rl.setAtIndex(JAVA_LONG, 1, hard);
            check((int) sys(Syscall.SYS_prlimit64, 0, resource, rl.address(), 0, 0, 0), "setrlimit");
        }
    }

    /** sched_getaffinity(2) of this process, as a bitmap of 1024 CPUs. */
    public static long[] schedGetaffinity() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(128);
            check((int) sys(Syscall.SYS_sched_getaffinity, 0, 128, m.address(), 0, 0, 0), "sched_getaffinity");
            return m.toArray(JAVA_LONG);
        }
    }

    /** execve(2): returns only on failure. */
    public static void execve(String path, String[] argv, String[] envp) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            long rc = sys(Syscall.SYS_execve, a.allocateFrom(path).address(), strings(a, argv).address(),
                    strings(a, envp).address(), 0, 0, 0);
            throw new ErrnoException("execve('" + path + "')", rc < 0 ? errno() : Errno.EINVAL);
        }
    }

    public static String strerror(int errno) {
        long p = call(symbol("strerror"), errno, 0, 0);
        return MemorySegment.ofAddress(p).reinterpret(4096).getString(0);
    }

    /** getpwnam(3): the uid, or -1 if there is no such user. struct passwd: name, passwd, uid at 16. */
    public static long uidOfUser(String name) {
        return idOf("getpwnam", name);
    }

    /** getgrnam(3): the gid, or -1. struct group: name, passwd, gid at 16. */
    public static long gidOfGroup(String name) {
        return idOf("getgrnam", name);
    }

    private static long idOf(String function, String name) {
        try (Arena a = Arena.ofConfined()) {
            long p = call(symbol(function), a.allocateFrom(name).address(), 0, 0);
            return p == 0 ? -1 : Integer.toUnsignedLong(MemorySegment.ofAddress(p).reinterpret(24).get(JAVA_INT, 16));
        }
    }

    /** A NULL-terminated char*[] in the arena. */
    public static MemorySegment strings(Arena a, String[] s) {
        // Addresses as longs (x86_64): an ADDRESS accessor costs start-up time that a JAVA_LONG one does not.
        MemorySegment arr = a.allocate(JAVA_LONG, s.length + 1L);
        for (int i = 0; i < s.length; i++) arr.setAtIndex(JAVA_LONG, i, a.allocateFrom(s[i]).address());
        arr.setAtIndex(JAVA_LONG, s.length, 0L);
        return arr;
    }

    // ---- posix_spawn --------------------------------------------------------------------------

    static final class Spawn {
        static final MemorySegment SPAWN = symbol("posix_spawn");
        static final MemorySegment FA_INIT = symbol("posix_spawn_file_actions_init");
        static final MemorySegment FA_DESTROY = symbol("posix_spawn_file_actions_destroy");
        static final MemorySegment FA_DUP2 = symbol("posix_spawn_file_actions_adddup2");
        static final MemorySegment FA_CLOSE = symbol("posix_spawn_file_actions_addclose");
        static final MemorySegment FA_CLOSEFROM = symbol("posix_spawn_file_actions_addclosefrom_np");
        static final MemorySegment ATTR_INIT = symbol("posix_spawnattr_init");
        static final MemorySegment ATTR_DESTROY = symbol("posix_spawnattr_destroy");
        static final MemorySegment ATTR_SETFLAGS = symbol("posix_spawnattr_setflags");
        static final MemorySegment ATTR_SETSIGMASK = symbol("posix_spawnattr_setsigmask");
        static final MemorySegment ATTR_SETSIGDEFAULT = symbol("posix_spawnattr_setsigdefault");
        static final MemorySegment SIGEMPTYSET = symbol("sigemptyset");
        static final MemorySegment SIGFILLSET = symbol("sigfillset");
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
            int rc = (int) call(Spawn.FA_INIT, fa.address(), 0, 0);
            if (rc != 0) throw new ErrnoException("posix_spawn_file_actions_init", rc);
            rc = (int) call(Spawn.ATTR_INIT, attr.address(), 0, 0);
            if (rc != 0) throw new ErrnoException("posix_spawnattr_init", rc);
            try {
                for (FdAction act : actions) {
                    rc = act.from() < 0
                            ? (int) call(Spawn.FA_CLOSE, fa.address(), act.to(), 0)
                            : (int) call(Spawn.FA_DUP2, fa.address(), act.from(), act.to());
                    if (rc != 0) throw new ErrnoException("posix_spawn fd action", rc);
                }
                rc = (int) call(Spawn.FA_CLOSEFROM, fa.address(), closeFrom, 0);
                if (rc != 0) throw new ErrnoException("posix_spawn_file_actions_addclosefrom_np", rc);
                call(Spawn.SIGEMPTYSET, sigs.address(), 0, 0);
                rc = (int) call(Spawn.ATTR_SETSIGMASK, attr.address(), sigs.address(), 0);
                call(Spawn.SIGFILLSET, sigs.address(), 0, 0);
                rc |= (int) call(Spawn.ATTR_SETSIGDEFAULT, attr.address(), sigs.address(), 0);
                rc |= (int) call(Spawn.ATTR_SETFLAGS, attr.address(),
                        (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | extraFlags), 0);
                if (rc != 0) throw new ErrnoException("posix_spawnattr", Errno.EINVAL);
                rc = (int) call(Spawn.SPAWN, pid.address(), a.allocateFrom(path).address(), fa.address(), attr.address(),
                        strings(a, argv).address(), strings(a, envp).address(), 0);
                // The exec stub runs from /proc/self/fd/N: an internal fd, so the message names it by argv[0].
                if (rc != 0) throw new ErrnoException("posix_spawn('" + (path.startsWith("/proc/self/fd/") && argv.length > 0
                        ? argv[0] : path) + "')", rc);
                return pid.get(JAVA_INT, 0);
            } finally {
                call(Spawn.FA_DESTROY, fa.address(), 0, 0);
                call(Spawn.ATTR_DESTROY, attr.address(), 0, 0);
            }
        }
    }

    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /** Layout helper for callers that build pollfd arrays: {int fd; short events; short revents}. */
    public static final ValueLayout.OfInt POLLFD_INT = JAVA_INT;
}
