package org.jnsjail.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.jnsjail.it.SeccompJailTest.fatalOneLine;
import static org.jnsjail.it.SeccompJailTest.jail;
import static org.jnsjail.it.SeccompJailTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Capabilities and no_new_privs inside real jails (reference §1.7, §3.5). */
class CapabilitiesTest {
    private static final List<String> SETS = List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");
    private static final long NET_RAW = 1L << 13;
    private static final long SYS_ADMIN = 1L << 21;

    /** Every capability the running kernel knows: bits 0..cap_last_cap. */
    private static long fullSet() throws IOException {
        int last = Integer.parseInt(LimitsTest.readProc(Path.of("/proc/sys/kernel/cap_last_cap")).trim());
        return last >= 63 ? -1L : (1L << (last + 1)) - 1;
    }

    /** The five Cap* lines of the jailed /proc/self/status, parsed. */
    private static Map<String, Long> caps(RunAs as, String... extra) {
        Result r = ok(jail(as, List.of(extra), "/bin/grep", "^Cap", "/proc/self/status"));
        Map<String, Long> out = new LinkedHashMap<>();
        for (String l : r.stdoutLines()) {
            String[] kv = l.split(":\\s*");
            out.put(kv[0], Long.parseUnsignedLong(kv[1].trim(), 16));
        }
        assertEquals(SETS, List.copyOf(out.keySet()), r::describe);
        return out;
    }

    private static Map<String, Long> all(long v) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String s : SETS) m.put(s, v);
        return m;
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noFlagsLeaveNoCapabilities(RunAs as) {
        assertEquals(all(0), caps(as));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void insideRootHasNoCapabilitiesEither(RunAs as) {
        assertEquals(all(0), caps(as, "-u", "0"));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void keepCapsKeepsTheFullSet(RunAs as) throws IOException {
        assertEquals(all(fullSet()), caps(as, "--keep_caps"));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void oneCapForInsideRoot(RunAs as) {
        assertEquals(all(NET_RAW), caps(as, "-u", "0", "--cap", "CAP_NET_RAW"));
    }

    /** For a non-root inside uid the kept capability survives execve through the ambient set. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void oneCapForNonRootInside(RunAs as) {
        assertEquals(all(NET_RAW), caps(as, "-u", "1000:" + as.uid(), "-g", "1000:" + as.gid(), "--cap",
                "CAP_NET_RAW"));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void repeatedCapsAreOred(RunAs as) {
        assertEquals(all(NET_RAW | SYS_ADMIN), caps(as, "-u", "0", "--cap", "CAP_NET_RAW", "--cap", "CAP_SYS_ADMIN"));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void unknownCapIsRefused(RunAs as) {
        Result r = jail(as, List.of("--cap", "CAP_BOGUS"), "/bin/true");
        fatalOneLine(r, "CAP_BOGUS");
    }

    /** The help text's own example is not a kernel name (it is CAP_SYS_PTRACE). */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void helpExampleCapPtraceIsRefused(RunAs as) {
        Result r = jail(as, List.of("--cap", "CAP_PTRACE"), "/bin/true");
        fatalOneLine(r, "CAP_PTRACE");
    }

    /** Names must match exactly: no lower case, no missing CAP_ prefix. */
    @ParameterizedTest
    @EnumSource(RunAs.class)
    void capNamesAreExact(RunAs as) {
        fatalOneLine(jail(as, List.of("--cap", "cap_net_raw"), "/bin/true"), "cap_net_raw");
        fatalOneLine(jail(as, List.of("--cap", "NET_RAW"), "/bin/true"), "NET_RAW");
    }

    // ---- no_new_privs ----

    private static String nnp(RunAs as, String... extra) {
        Result r = ok(jail(as, List.of(extra), "/bin/grep", "^NoNewPrivs:", "/proc/self/status"));
        return r.stdout().replaceAll("\\s+", " ").trim();
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void noNewPrivsIsOnByDefault(RunAs as) {
        assertEquals("NoNewPrivs: 1", nnp(as));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void disableNoNewPrivs(RunAs as) {
        assertEquals("NoNewPrivs: 0", nnp(as, "--disable_no_new_privs"));
    }

    @ParameterizedTest
    @EnumSource(RunAs.class)
    void aSeccompPolicyTurnsNoNewPrivsBackOn(RunAs as) {
        assertEquals("NoNewPrivs: 1", nnp(as, "--disable_no_new_privs", "--seccomp_string", "DEFAULT ALLOW"));
    }

    // ---- a setuid-root program inside ----

    @TempDir
    static Path suidDir;

    /** A copy of /usr/bin/id owned by root with mode 4755, in a directory everyone can traverse. */
    private static Path suidId() throws IOException {
        ItEnv.assumeRoot();
        Path id = Path.of("/usr/bin/id");
        if (!Files.isExecutable(id)) Assumptions.abort("/usr/bin/id is missing");
        if (!Files.isDirectory(Path.of("/srv"))) Assumptions.abort("/srv (the mount point) does not exist on the host");
        Files.setPosixFilePermissions(suidDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = suidDir.resolve("id");
        if (!Files.exists(copy)) {
            Files.copy(id, copy);
            // chown root:root is implied (we are root); the set-uid bit goes last.
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            new ProcessBuilder("/bin/chmod", "4755", copy.toString()).inheritIO().start().onExit().join();
        }
        if (!Integer.valueOf(0104755).equals(Files.getAttribute(copy, "unix:mode"))) {
            Assumptions.abort("could not make " + copy + " set-uid root");
        }
        return copy;
    }

    /** {@code id} as a line: the effective uid differs from the real one only when the set-uid bit worked. */
    private static String idLine(RunAs as, List<String> idMaps, String... extra) throws IOException {
        suidId();
        List<String> a = new ArrayList<>(idMaps);
        a.addAll(SeccompJailTest.bindOnSrv(suidDir));
        a.addAll(List.of(extra));
        Result r = ok(jail(as, a, "/srv/id"));
        return r.stdout().trim();
    }

    /**
     * Outside root is not mapped into the jail's user namespace, so the set-uid-root bit is ignored
     * whether or not no_new_privs is set.
     */
    @Test
    void setuidRootProgramGainsNothingWhenRootIsUnmapped() throws IOException {
        List<String> maps = List.of("-u", "99999:99999", "-g", "99999:99999");
        assertEquals("uid=99999 gid=99999 groups=99999", idLine(RunAs.ROOT, maps));
        assertEquals("uid=99999 gid=99999 groups=99999", idLine(RunAs.ROOT, maps, "--disable_no_new_privs"));
    }

    /**
     * With outside root mapped to inside 0 as a second mapping, only no_new_privs stops the set-uid
     * bit: it works with --disable_no_new_privs, and a seccomp policy turns no_new_privs back on.
     */
    @Test
    void noNewPrivsStopsASetuidRootProgram() throws IOException {
        List<String> maps = List.of("-u", "99999:99999", "-u", "0:0", "-g", "99999:99999", "-g", "0:0");
        assertEquals("uid=99999 gid=99999 groups=99999", idLine(RunAs.ROOT, maps));
        assertEquals("uid=99999 gid=99999 euid=0(root) groups=99999",
                idLine(RunAs.ROOT, maps, "--disable_no_new_privs"));
        assertEquals("uid=99999 gid=99999 groups=99999",
                idLine(RunAs.ROOT, maps, "--disable_no_new_privs", "--seccomp_string", "DEFAULT ALLOW"));
    }

    /** Run by uid 65534, whose jail cannot map root at all: the set-uid bit is ignored. */
    @Test
    void setuidRootProgramGainsNothingForAnUnprivilegedCaller() throws IOException {
        suidId();
        RunAs.NOBODY.assume();
        String line = idLine(RunAs.NOBODY, List.of(), "--disable_no_new_privs");
        assertTrue(line.startsWith("uid=65534") && !line.contains("euid="), line);
    }
}
