package org.jnsjail.args;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.JailPolicy;
import org.jnsjail.seccomp.KafelException;

/**
 * -P/--seccomp_policy and --seccomp_string: compiled once, here, before any jail exists (nsjail's
 * sandbox.cc), as {@link JailPolicy} compiles every jail's policy (x32 calls it does not name are killed).
 */
final class SeccompOptions {
    private SeccompOptions() {}

    /** --seccomp_arch's value, checked when given. */
    static String arch(String name) throws CliException {
        if (Arch.byName(name) == null) {
            throw new CliException("--seccomp_arch: unknown architecture '" + name
                    + "' (x86_64, x86, aarch64, arm, mips, mips64, riscv64, m68k)", false);
        }
        return name;
    }

    /** The filter as struct sock_filter[] bytes, or null when no policy was given. */
    static byte[] compile(Settings s) throws CliException {
        if (s.seccompPolicyFile == null && s.seccompString.isEmpty()) return null;
        if (s.seccompPolicyFile != null && !s.seccompString.isEmpty()) {
            throw new CliException("You cannot specify both --seccomp_policy and --seccomp_string", false);
        }
        String text;
        if (s.seccompPolicyFile != null) {
            try {
                // Kafel reads bytes; ISO-8859-1 maps each byte to one char, as PolicyTool does.
                text = Files.readString(Path.of(s.seccompPolicyFile), java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new CliException("Couldn't read the seccomp policy " + org.jnsjail.log.Quote.of(s.seccompPolicyFile)
                        + ": " + org.jnsjail.log.Quote.reason(e), false);
            }
        } else {
            text = String.join("\n", s.seccompString);
        }
        try {
            java.util.List<Arch> alsoFor = new java.util.ArrayList<>();
            for (String a : s.seccompArchs) alsoFor.add(Arch.byName(a));
            return JailPolicy.compile(text, alsoFor);
        } catch (KafelException e) {
            throw new CliException("Could not compile policy: " + e.getMessage(), false);
        }
    }

    /**
     * --seccomp_unotify's checks: it needs a supervisor, and a report file without it would be
     * silently unused. Returns the report file (null = none).
     */
    static String unotifyReport(Settings s) throws CliException {
        if (s.seccompUnotify && s.mode == Mode.EXECVE) {
            throw new CliException("--seccomp_unotify cannot be used with -Me (no supervisor stays to trace the jail)",
                    false);
        }
        if (s.seccompUnotify && !s.seccompArchs.isEmpty()) {
            // The notifying filter names x86_64 system calls only, and its architecture check would
            // kill what --seccomp_arch lets through (openat2, newfstatat do not exist for i386).
            throw new CliException("--seccomp_unotify cannot be combined with --seccomp_arch (the traced calls are"
                    + " x86_64 only)", false);
        }
        if (s.seccompUnotifyReport != null && !s.seccompUnotify) {
            throw new CliException("--seccomp_unotify_report needs --seccomp_unotify", false);
        }
        return s.seccompUnotifyReport == null || s.seccompUnotifyReport.isEmpty() ? null : s.seccompUnotifyReport;
    }
}
