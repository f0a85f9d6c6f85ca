package org.jnsjail.stub;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one operation of the plan does, with its arguments by name: one record per operation of
 * exec_stub.c. Each encodes itself in the order the stub reads its integers and strings ({@link
 * #encode}); {@link OpCode} holds the arity table that exec_stub.c checks every operation against.
 * Slots are the stub's fd slots (exec_stub.c "fd slots"); fds are numbers in the jail.
 */
public sealed interface Step {
    /** The operation's code. */
    OpCode code();

    /** Writes the integers and strings (after the description) in the stub's order. */
    void encode(Args out);

    /** Where a step writes its arguments (see {@link Plan#encode}). */
    interface Args {
        void i(long v);

        void s(byte[] b);

        default void s(String v) {
            s(v.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** clone3(2) with {@code flags} into cgroup fd {@code cgroupFd} (-1: none); only as a resident stub's op 0. */
    record Clone(long flags, int cgroupFd) implements Step {
        public OpCode code() { return OpCode.CLONE; }
        public void encode(Args o) { o.i(flags); o.i(cgroupFd); }
    }

    /** Reads one byte "G" from the control socket (anything else, or EOF, is ECANCELED). */
    record WaitGo() implements Step {
        public OpCode code() { return OpCode.WAIT_GO; }
        public void encode(Args o) {}
    }

    /** open(path, openFlags, mode) and write {@code content}: /proc files of the jail itself. */
    record WriteFile(String path, long openFlags, long mode, byte[] content) implements Step {
        public OpCode code() { return OpCode.WRITE_FILE; }
        public void encode(Args o) { o.i(openFlags); o.i(mode); o.s(path); o.s(content); }
    }

    /** open(path, openFlags, mode) moved to fd {@code target}. */
    record OpenDup(String path, long openFlags, long mode, int target) implements Step {
        public OpCode code() { return OpCode.OPEN_DUP; }
        public void encode(Args o) { o.i(openFlags); o.i(mode); o.i(target); o.s(path); }
    }

    /** prctl(2). */
    record Prctl(long option, long arg2, long arg3, long arg4, long arg5) implements Step {
        public OpCode code() { return OpCode.PRCTL; }
        public void encode(Args o) { o.i(option); o.i(arg2); o.i(arg3); o.i(arg4); o.i(arg5); }
    }

    /** setresgid(2). */
    record Setresgid(long rgid, long egid, long sgid) implements Step {
        public OpCode code() { return OpCode.SETRESGID; }
        public void encode(Args o) { o.i(rgid); o.i(egid); o.i(sgid); }
    }

    /** setresuid(2). */
    record Setresuid(long ruid, long euid, long suid) implements Step {
        public OpCode code() { return OpCode.SETRESUID; }
        public void encode(Args o) { o.i(ruid); o.i(euid); o.i(suid); }
    }

    /** setgroups(2) (the raw system call: this thread only). */
    record Setgroups(long[] groups) implements Step {
        public OpCode code() { return OpCode.SETGROUPS; }
        public void encode(Args o) { for (long g : groups) o.i(g); }
    }

    /** umount2(target, flags); the only path-based mount call left, with "." for the target. */
    record Umount2(String target, long flags) implements Step {
        public OpCode code() { return OpCode.UMOUNT2; }
        public void encode(Args o) { o.i(flags); o.s(target); }
    }

    /** chdir(2). */
    record Chdir(String path) implements Step {
        public OpCode code() { return OpCode.CHDIR; }
        public void encode(Args o) { o.s(path); }
    }

    /** chroot(2). */
    record Chroot(String path) implements Step {
        public OpCode code() { return OpCode.CHROOT; }
        public void encode(Args o) { o.s(path); }
    }

    /** pivot_root(2). */
    record PivotRoot(String newRoot, String putOld) implements Step {
        public OpCode code() { return OpCode.PIVOT_ROOT; }
        public void encode(Args o) { o.s(newRoot); o.s(putOld); }
    }

    /** sethostname(2). */
    record Sethostname(String name) implements Step {
        public OpCode code() { return OpCode.SETHOSTNAME; }
        public void encode(Args o) { o.s(name); }
    }

    /** SIOCSIFFLAGS: the interface's flags ORed with {@code flags} (netdevice(7)). */
    record IfUp(String iface, long flags) implements Step {
        public OpCode code() { return OpCode.IF_UP; }
        public void encode(Args o) { o.i(flags); o.s(iface); }
    }

    /** prlimit64(0, resource, {soft, hard}). */
    record Prlimit(int resource, long soft, long hard) implements Step {
        public OpCode code() { return OpCode.PRLIMIT; }
        public void encode(Args o) { o.i(resource); o.i(soft); o.i(hard); }
    }

    /** personality(2). */
    record Personality(long persona) implements Step {
        public OpCode code() { return OpCode.PERSONALITY; }
        public void encode(Args o) { o.i(persona); }
    }

    /** setpriority(which, who, prio). */
    record Setpriority(int which, int who, int prio) implements Step {
        public OpCode code() { return OpCode.SETPRIORITY; }
        public void encode(Args o) { o.i(which); o.i(who); o.i(prio); }
    }

    /** setsid(2). */
    record Setsid() implements Step {
        public OpCode code() { return OpCode.SETSID; }
        public void encode(Args o) {}
    }

    /** capset(2), version 3: the three 64-bit sets. */
    record Capset(long effective, long permitted, long inheritable) implements Step {
        public OpCode code() { return OpCode.CAPSET; }
        public void encode(Args o) { o.i(effective); o.i(permitted); o.i(inheritable); }
    }

    /** sched_setaffinity(0, mask) with a cpu_set_t of {@code mask.length} bytes. */
    record SchedSetaffinity(byte[] mask) implements Step {
        public OpCode code() { return OpCode.SCHED_SETAFFINITY; }
        public void encode(Args o) { o.s(mask); }
    }

    /** Every fd from 3 up close-on-exec (close_range(2)), then {@code keep} inherited again. */
    record FdsCloexec(int[] keep) implements Step {
        public OpCode code() { return OpCode.FDS_CLOEXEC; }
        public void encode(Args o) { for (int fd : keep) o.i(fd); }
    }

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER, flags, filter); with {@code listenerFd} >= 0 (and
     * SECCOMP_FILTER_FLAG_NEW_LISTENER in the flags) the listener is moved to that fd.
     */
    record Seccomp(long flags, int listenerFd, byte[] filter) implements Step {
        public OpCode code() { return OpCode.SECCOMP; }
        public void encode(Args o) {
            o.i(flags);
            if (listenerFd >= 0) o.i(listenerFd);
            o.s(filter);
        }
    }

    /** execve(path, argv, env), or execveat(execFd, "", ..., AT_EMPTY_PATH) when {@code execFd} >= 0. */
    record Execve(String path, List<String> argv, List<String> env, int execFd) implements Step {
        public Execve {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
        }

        public OpCode code() { return OpCode.EXECVE; }
        public void encode(Args o) {
            o.i(argv.size());
            o.i(env.size());
            o.i(execFd);
            o.s(path);
            for (String a : argv) o.s(a);
            for (String e : env) o.s(e);
        }
    }

    /** unshare(2) (-Me). */
    record Unshare(long flags) implements Step {
        public OpCode code() { return OpCode.UNSHARE; }
        public void encode(Args o) { o.i(flags); }
    }

    /** -Me: fork a dummy init for the new PID namespace. */
    record PidNsInit() implements Step {
        public OpCode code() { return OpCode.PID_NS_INIT; }
        public void encode(Args o) {}
    }

    /** -Me: the next {@code count} operations run in a CLONE_FS child inside the new PID namespace. */
    record FsChild(int count) implements Step {
        public OpCode code() { return OpCode.FS_CHILD; }
        public void encode(Args o) { o.i(count); }
    }

    /** socket(domain, type, protocol) moved to fd {@code target}. */
    record Socket(int domain, long type, int protocol, int target) implements Step {
        public OpCode code() { return OpCode.SOCKET; }
        public void encode(Args o) { o.i(domain); o.i(type); o.i(protocol); o.i(target); }
    }

    /** Hands {@code fds} to the supervisor (an 'F' report for {@code kind}) and closes them here. */
    record SendFds(HandOver kind, int[] fds) implements Step {
        public OpCode code() { return OpCode.SEND_FDS; }
        public void encode(Args o) {
            o.i(kind.value);
            for (int fd : fds) o.i(fd);
        }
    }

    /** umask(2). */
    record Umask(int mask) implements Step {
        public OpCode code() { return OpCode.UMASK; }
        public void encode(Args o) { o.i(mask); }
    }

    /** Fills {@code slot} with openat2(slot {@code dir}, or the cwd for -1, path, openFlags, resolve). */
    record OpenAt(int slot, int dir, String path, long openFlags, long resolve) implements Step {
        public OpCode code() { return OpCode.OPEN_AT; }
        public void encode(Args o) { o.i(slot); o.i(dir); o.i(openFlags); o.i(resolve); o.s(path); }
    }

    /** mkdirat(slot {@code dir}, name, mode); the name is one component. */
    record MkdirAt(int dir, String name, int mode) implements Step {
        public OpCode code() { return OpCode.MKDIR_AT; }
        public void encode(Args o) { o.i(dir); o.i(mode); o.s(name); }
    }

    /** openat(slot {@code dir}, name, openFlags | O_NOFOLLOW, mode), then writes {@code content}. */
    record WriteAt(int dir, String name, long openFlags, int mode, byte[] content) implements Step {
        public OpCode code() { return OpCode.WRITE_AT; }
        public void encode(Args o) { o.i(dir); o.i(openFlags); o.i(mode); o.s(name); o.s(content); }
    }

    /** symlinkat(target, slot {@code dir}, name). */
    record SymlinkAt(String target, int dir, String name) implements Step {
        public OpCode code() { return OpCode.SYMLINK_AT; }
        public void encode(Args o) { o.i(dir); o.s(target); o.s(name); }
    }

    /** Fills {@code slot} with open_tree(slot {@code from}, "", flags). */
    record OpenTree(int slot, int from, long flags) implements Step {
        public OpCode code() { return OpCode.OPEN_TREE; }
        public void encode(Args o) { o.i(slot); o.i(from); o.i(flags); }
    }

    /** One fsconfig(2) command: FSCONFIG_SET_FLAG (value unused) or FSCONFIG_SET_STRING. */
    record FsConfig(long command, String key, String value) {}

    /** Fills {@code slot} with fsmount(attrs) of fsopen(fstype) configured by {@code config}. */
    record FsMount(int slot, String fstype, long attrs, List<FsConfig> config) implements Step {
        public FsMount {
            config = List.copyOf(config);
        }

        public OpCode code() { return OpCode.FS_MOUNT; }
        public void encode(Args o) {
            o.i(slot);
            o.i(attrs);
            for (FsConfig c : config) o.i(c.command());
            o.s(fstype);
            for (FsConfig c : config) {
                o.s(c.key());
                o.s(c.value());
            }
        }
    }

    /** move_mount(slot {@code from}, "", slot {@code to}, "", flags). */
    record MoveMount(int from, int to, long flags) implements Step {
        public OpCode code() { return OpCode.MOVE_MOUNT; }
        public void encode(Args o) { o.i(from); o.i(to); o.i(flags); }
    }

    /** mount_setattr(slot, "", atFlags, {set, clear, propagation}). */
    record SetattrAt(int slot, long atFlags, long set, long clear, long propagation) implements Step {
        public OpCode code() { return OpCode.SETATTR_AT; }
        public void encode(Args o) { o.i(slot); o.i(atFlags); o.i(set); o.i(clear); o.i(propagation); }
    }

    /** fchdir(slot). */
    record Fchdir(int slot) implements Step {
        public OpCode code() { return OpCode.FCHDIR; }
        public void encode(Args o) { o.i(slot); }
    }

    /** Closes every fd slot. */
    record CloseSlots() implements Step {
        public OpCode code() { return OpCode.CLOSE_SLOTS; }
        public void encode(Args o) {}
    }

    /** Asks for {@code targets.length} fds (an 'R' report), takes them and moves them to {@code targets}. */
    record RecvFds(int[] targets) implements Step {
        public OpCode code() { return OpCode.RECV_FDS; }
        public void encode(Args o) { for (int t : targets) o.i(t); }
    }

    /** --init: fork; PID 1 stays as the init under {@code filter}, the child goes on with a pidfd of itself at {@code pidfdTarget}. */
    record Init(int pidfdTarget, byte[] filter) implements Step {
        public OpCode code() { return OpCode.INIT; }
        public void encode(Args o) { o.i(pidfdTarget); o.s(filter); }
    }

    /**
     * Any code with any arguments, unchecked: only for tests of the stub's own checks (a retired
     * code, counts that do not match); the supervisor never sends one.
     */
    record Raw(OpCode code, long[] ints, List<byte[]> strs) implements Step {
        public Raw {
            strs = List.copyOf(strs);
        }

        public void encode(Args o) {
            for (long v : ints) o.i(v);
            for (byte[] b : strs) o.s(b);
        }
    }
}
