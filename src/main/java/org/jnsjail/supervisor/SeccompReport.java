package org.jnsjail.supervisor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.jnsjail.log.Log;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.SyscallTable;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;

/**
 * nsjail's seccomp-violation report (subproc.cc seccompViolation), done better: by the time the
 * supervisor learns of the SIGSYS, the jail is a zombie whose /proc/PID/syscall only says "-1"
 * (its stack is gone). The kernel's own audit record of the kill (seccomp(2), "SECCOMP_RET_KILL_PROCESS":
 * logged by default, see /proc/sys/kernel/seccomp/actions_logged) names the syscall, so the report
 * reads it from /dev/kmsg when it may (root), and otherwise says where to look.
 */
final class SeccompReport {
    private SeccompReport() {}

    /** Records read from /dev/kmsg at most, newest last: the kill was just now. */
    static final int MAX_RECORDS = 20000;

    /**
     * What is known of one seccomp kill of {@code pid}: the kernel's audit record of it, and the
     * /proc/PID/syscall line read before the reaping (either may be null).
     */
    record Violation(int pid, String audit, String syscallLine) {}

    /** Looks for the kill's audit record now (it was just logged). */
    static Violation find(int pid, String syscallLine) {
        return new Violation(pid, auditRecord(pid), syscallLine);
    }

    static void log(int pid, String syscallLine) {
        log(find(pid, syscallLine));
    }

    static void log(Violation v) {
        int pid = v.pid();
        Log.warn("pid=" + pid + " committed a syscall/seccomp violation and exited with SIGSYS");
        String audit = v.audit();
        if (audit != null) {
            Log.warn("pid=" + pid + " " + describeAudit(audit));
            return;
        }
        String syscallLine = v.syscallLine();
        if (syscallLine != null && !syscallLine.startsWith("-1")) {
            Log.warn("pid=" + pid + " /proc/" + pid + "/syscall: " + syscallLine);
            return;
        }
        Log.warn("pid=" + pid + ": the syscall is not known here; see 'dmesg' or 'journalctl -ek' for the audit record"
                + " (type=1326 pid=" + pid + ")");
    }

    /** The outcome's view: number, name and arch from the audit record, else the number /proc showed. */
    static org.jnsjail.model.JailOutcome.Seccomp describe(Violation v) {
        if (v.audit() != null) {
            String nr = field(v.audit(), "syscall="), arch = field(v.audit(), "arch=");
            Arch a = arch == null ? null : archOf(arch);
            int n = -1;
            try {
                if (nr != null) n = Integer.parseInt(nr);
            } catch (NumberFormatException e) {
                // unknown
            }
            return new org.jnsjail.model.JailOutcome.Seccomp(n, name(a, n), a != null ? a.kafelName : arch);
        }
        String line = v.syscallLine();
        if (line != null && !line.startsWith("-1") && !line.isEmpty()) {
            try {
                int n = Integer.parseInt(line.split(" ")[0]);
                // /proc/PID/syscall does not say which ABI the number belongs to: the number only.
                return new org.jnsjail.model.JailOutcome.Seccomp(n, null, null);
            } catch (NumberFormatException e) {
                // unknown
            }
        }
        return new org.jnsjail.model.JailOutcome.Seccomp(-1, null, null);
    }

    private static String name(Arch a, int nr) {
        if (a == null || nr < 0) return null;
        SyscallTable.Syscall sc = SyscallTable.of(a).byNumber(nr);
        return sc == null ? null : sc.name();
    }

    /** "Syscall number: 1 (write), arch: x86_64, ip: 0x..." from an audit line's fields. */
    static String describeAudit(String rec) {
        String nr = field(rec, "syscall="), arch = field(rec, "arch="), ip = field(rec, "ip="), comm = field(rec, "comm=");
        StringBuilder b = new StringBuilder("Syscall number: ").append(nr);
        Arch a = arch == null ? null : archOf(arch);
        if (a != null && nr != null) {
            try {
                SyscallTable.Syscall sc = SyscallTable.of(a).byNumber(Integer.parseInt(nr));
                if (sc != null) b.append(" (").append(sc.name()).append(')');
            } catch (NumberFormatException e) {
                // keep the number only
            }
        }
        b.append(", arch: ").append(a != null ? a.kafelName : arch);
        if (comm != null) b.append(", comm: ").append(comm);
        if (ip != null) b.append(", ip: ").append(ip);
        return b.toString();
    }

    private static Arch archOf(String hex) {
        try {
            return Arch.byAudit((int) Long.parseLong(hex, 16));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String field(String rec, String key) {
        int i = rec.indexOf(" " + key);
        if (i < 0) return null;
        int start = i + 1 + key.length();
        int end = rec.indexOf(' ', start);
        return rec.substring(start, end < 0 ? rec.length() : end);
    }

    /** The newest audit record of a seccomp kill of this pid in the kernel log, or null. */
    static String auditRecord(int pid) {
        int fd;
        try {
            fd = Libc.open("/dev/kmsg", Fcntl.O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return null; // not root, or dmesg_restrict
        }
        String needle = " pid=" + pid + " ";
        String found = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8192);
            for (int i = 0; i < MAX_RECORDS; i++) {
                long n;
                try {
                    n = Libc.read(fd, buf, buf.byteSize()); // one record per read (dev-kmsg ABI)
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EPIPE) continue; // overwritten records: go on
                    break; // EAGAIN: the end
                }
                if (n <= 0) break;
                String rec = new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8);
                if (rec.contains("type=1326") && rec.contains(needle)) found = rec.strip();
            }
        } finally {
            Libc.close(fd);
        }
        return found;
    }
}
