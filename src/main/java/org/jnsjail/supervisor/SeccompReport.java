package org.jnsjail.supervisor;

import org.jnsjail.log.Log;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.SyscallTable;

/** nsjail's seccomp-violation report, from the dead jail's /proc/PID/syscall (subproc.cc seccompViolation). */
final class SeccompReport {
    private SeccompReport() {}

    static void log(int pid, String syscallLine) {
        Log.warn("pid=" + pid + " committed a syscall/seccomp violation and exited with SIGSYS");
        // A reaped-ready zombie reports "-1 sp pc": the syscall is gone by then.
        if (syscallLine == null || syscallLine.startsWith("-1")) {
            Log.warn("pid=" + pid + ": the syscall could not be read from /proc/" + pid
                    + "/syscall; see 'dmesg' or 'journalctl -ek' for the audit record");
            return;
        }
        String[] f = syscallLine.split(" ");
        try {
            long nr = Long.parseLong(f[0]);
            SyscallTable.Syscall sc = nr >= 0 && nr < 1024 ? SyscallTable.of(Arch.X86_64).byNumber((int) nr) : null;
            String name = sc == null ? null : sc.name();
            StringBuilder b = new StringBuilder("pid=").append(pid).append(" Syscall number: ").append(nr);
            if (name != null) b.append(" (").append(name).append(')');
            b.append(", Arguments: ");
            for (int i = 1; i <= 6 && i < f.length; i++) b.append(i > 1 ? ", " : "").append(f[i]);
            if (f.length > 8) b.append(", SP: ").append(f[7]).append(", PC: ").append(f[8]);
            Log.warn(b.toString());
        } catch (NumberFormatException e) {
            Log.warn("pid=" + pid + " /proc/" + pid + "/syscall: " + syscallLine);
        }
    }
}
