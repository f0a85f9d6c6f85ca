package org.jnsjail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.jnsjail.it.ItEnv.RunAs;
import org.jnsjail.it.NsjailCli.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Resource abuse inside jails with the matching limits: a fork bomb, a memory balloon, a disk
 * filler and an fd exhaustion attempt. Each jail ends within its bound, the supervisor answers, and
 * nothing is left behind: no process, no cgroup.
 */
class ResourceAbuseTest {
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final List<String> V1_CONTROLLERS = List.of("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids");

    private static void assumeCgroupV1() {
        for (String c : V1_CONTROLLERS) {
            if (!Files.isDirectory(Path.of(c))) Assumptions.abort("cgroup v1 controller " + c + " is not mounted");
        }
    }

    private static Result run(String marker, String... args) {
        RunAs.ROOT.assume();
        Result r = NsjailCli.as(RunAs.ROOT).timeout(BOUND).args(args).run();
        assertTrue(ItEnv.processesWith(marker).isEmpty(), () -> "processes left behind: " + r.describe());
        assertNoJailCgroups();
        return r;
    }

    private static void assertNoJailCgroups() {
        for (String c : V1_CONTROLLERS) {
            Path parent = Path.of(c, "NSJAIL");
            if (!Files.isDirectory(parent)) continue;
            try (Stream<Path> s = Files.list(parent)) {
                List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("NSJAIL.")).toList();
                assertTrue(left.isEmpty(), () -> "cgroups left behind in " + parent + ": " + left);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void forkBombIsContainedByThePidsLimit() {
        assumeCgroupV1();
        String marker = "jnsjail-bomb-" + UUID.randomUUID();
        // Each shell forks two more until pids.max stops them; -t bounds the whole jail.
        Result r = run(marker, "-q", "-Mo", "--chroot", "/", "-t", "5", "--cgroup_pids_max", "32", "--", "/bin/sh", "-c",
                "b() { b & b & wait; }; b 2>/dev/null; echo survived", marker);
        assertTrue(r.exitCode() == 137 || r.exitCode() == 0, r::describe);
        assertTrue(r.millis() < BOUND.toMillis(), r::describe);
    }

    @Test
    void memoryBalloonIsKilledByTheMemoryLimit() {
        assumeCgroupV1();
        String marker = "jnsjail-balloon-" + UUID.randomUUID();
        Result r = run(marker, "-Mo", "--chroot", "/", "-t", "20", "--rlimit_as", "inf", "--cgroup_mem_max",
                String.valueOf(64L << 20), "--", "/bin/sh", "-c",
                "x=a; while :; do x=$x$x$x$x; done", marker);
        assertEquals(137, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("OOM"), () -> "the log names the OOM kill: " + r.describe());
    }

    @Test
    void diskFillerStopsAtTheTmpfsSizeAndTheFileSizeLimit() {
        String marker = "jnsjail-filler-" + UUID.randomUUID();
        Result r = run(marker, "-q", "-Mo", "--chroot", "/", "-m", "none:/tmp:tmpfs:size=8m", "--rlimit_fsize", "16",
                "--", "/bin/sh", "-c", "i=0; while [ $i -lt 8 ]; do head -c 4000000 /dev/zero > /tmp/f$i 2>/dev/null; "
                        + "i=$((i+1)); done; du -sk /tmp | cut -f1; echo " + marker);
        assertEquals(0, r.exitCode(), r::describe);
        long kb = Long.parseLong(r.stdout().lines().findFirst().orElse("0").strip());
        assertTrue(kb <= 8 * 1024, () -> "the tmpfs holds at most 8 MiB: " + r.describe());
    }

    @Test
    void fdExhaustionStopsAtTheNofileLimit() {
        String marker = "jnsjail-fds-" + UUID.randomUUID();
        // bash, since dash takes only single-digit fds in redirections; the first fd that fails is printed.
        Result r = run(marker, "-q", "-Mo", "--chroot", "/", "--rlimit_nofile", "16", "--", "/bin/bash", "-c",
                "for i in $(seq 3 64); do eval \"exec $i</dev/null\" 2>/dev/null || { echo $i; break; }; done; echo "
                        + marker);
        assertEquals(0, r.exitCode(), r::describe);
        int firstFailed = Integer.parseInt(r.stdout().lines().findFirst().orElse("0").strip());
        assertTrue(firstFailed > 3 && firstFailed <= 16, () -> "RLIMIT_NOFILE 16 stops the opens: " + r.describe());
    }

    /** After all that, the supervisor still starts jails at once. */
    @Test
    void supervisorStaysResponsive() {
        String marker = "jnsjail-after-" + UUID.randomUUID();
        Result r = run(marker, "-q", "-Mo", "--chroot", "/", "--", "/bin/echo", marker);
        assertEquals(marker + "\n", r.stdout(), r::describe);
    }
}
