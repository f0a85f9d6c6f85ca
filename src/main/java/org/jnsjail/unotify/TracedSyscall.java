package org.jnsjail.unotify;

import java.util.Arrays;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.SyscallTable;

import static org.jnsjail.unotify.ArgRole.*;

/**
 * The syscalls --seccomp_unotify traces: nsjail's list, in nsjail's order (which is the order of the
 * Kafel policy text), with the name the report uses and the role of each argument. The single place
 * to change when a syscall is added.
 */
enum TracedSyscall {
    OPEN("open", "open", PATH, FLAGS),
    NEWSTAT("newstat", "stat", PATH),
    NEWLSTAT("newlstat", "lstat", PATH),
    ACCESS_("access", "access", PATH, ArgRole.ACCESS),
    CHMOD("chmod", "chmod", PATH, OCTAL),
    CHOWN("chown", "chown", PATH, UID, GID),
    LCHOWN("lchown", "lchown", PATH, UID, GID),
    READLINK("readlink", "readlink", PATH),
    MKDIR("mkdir", "mkdir", PATH, OCTAL),
    MKNOD("mknod", "mknod", PATH, OCTAL),
    RMDIR("rmdir", "rmdir", PATH),
    UNLINK("unlink", "unlink", PATH),
    EXECVE("execve", "execve", PATH, ARGV, ENVP),
    CHDIR("chdir", "chdir", PATH),
    CHROOT("chroot", "chroot", PATH),
    OPENAT("openat", "openat", DIRFD, PATH, FLAGS),
    OPENAT2("openat2", "openat2", DIRFD, PATH, OPEN_HOW),
    NEWFSTATAT("newfstatat", "newfstatat", DIRFD, PATH),
    FACCESSAT("faccessat", "faccessat", DIRFD, PATH, ArgRole.ACCESS),
    FCHMODAT("fchmodat", "fchmodat", DIRFD, PATH, OCTAL),
    FCHOWNAT("fchownat", "fchownat", DIRFD, PATH, UID, GID),
    READLINKAT("readlinkat", "readlinkat", DIRFD, PATH),
    MKDIRAT("mkdirat", "mkdirat", DIRFD, PATH, OCTAL),
    MKNODAT("mknodat", "mknodat", DIRFD, PATH, OCTAL),
    UNLINKAT("unlinkat", "unlinkat", DIRFD, PATH),
    EXECVEAT("execveat", "execveat", DIRFD, PATH, ARGV, ENVP),
    RENAME("rename", "rename", PATH, PATH),
    LINK("link", "link", PATH, PATH),
    SYMLINK("symlink", "symlink", PATH, PATH),
    RENAMEAT("renameat", "renameat", DIRFD, PATH, DIRFD, PATH),
    RENAMEAT2("renameat2", "renameat2", DIRFD, PATH, DIRFD, PATH),
    LINKAT("linkat", "linkat", DIRFD, PATH, DIRFD, PATH),
    /** symlinkat(target, newdirfd, linkpath): the target is taken relative to the cwd. */
    SYMLINKAT("symlinkat", "symlinkat", PATH, DIRFD, PATH),
    CONNECT("connect", "connect", FD, SOCKADDR, ADDRLEN),
    BIND("bind", "bind", FD, SOCKADDR, ADDRLEN),
    SENDTO("sendto", "sendto", FD, SKIP, SKIP, INT_FLAGS, SOCKADDR, ADDRLEN),
    SOCKET("socket", "socket", DOMAIN, SOCK_TYPE, PROTOCOL);

    /** The name in the Kafel syscall table (the kernel's: newstat, not stat). */
    final String kafelName;
    /** The name the report prints. */
    final String displayName;
    private final ArgRole[] roles;

    TracedSyscall(String kafelName, String displayName, ArgRole... roles) {
        this.kafelName = kafelName;
        this.displayName = displayName;
        this.roles = Arrays.copyOf(roles, 6);
        for (int i = roles.length; i < 6; i++) this.roles[i] = SKIP;
    }

    ArgRole role(int i) {
        return roles[i];
    }

    /** nsjail's policy: every traced syscall goes to the listener, everything else is allowed. */
    static String policy() {
        StringJoiner j = new StringJoiner(", ", "POLICY unotify { USER_NOTIF { ", " } } USE unotify DEFAULT ALLOW");
        for (TracedSyscall s : values()) j.add(s.kafelName);
        return j.toString();
    }

    private static final ConcurrentHashMap<Arch, TracedSyscall[]> BY_NR = new ConcurrentHashMap<>();

    /**
     * The traced syscall with number {@code nr} in {@code arch}'s table, or null. The notification
     * carries the caller's AUDIT_ARCH, so an i386 caller is decoded with i386 numbers.
     */
    static TracedSyscall of(Arch arch, int nr) {
        if (arch == null || nr < 0) return null;
        TracedSyscall[] t = BY_NR.computeIfAbsent(arch, TracedSyscall::numberTable);
        return nr < t.length ? t[nr] : null;
    }

    private static TracedSyscall[] numberTable(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        int max = 0;
        for (TracedSyscall s : values()) {
            SyscallTable.Syscall e = table.byName(s.kafelName);
            if (e != null) max = Math.max(max, e.nr());
        }
        TracedSyscall[] t = new TracedSyscall[max + 1];
        for (TracedSyscall s : values()) {
            SyscallTable.Syscall e = table.byName(s.kafelName);
            if (e != null && e.nr() >= 0) t[e.nr()] = s;
        }
        return t;
    }
}
