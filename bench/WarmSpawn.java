// Warm spawn latency through the Java API: how long one jail takes once the JVM, the FFM downcall
// handles and the JIT are warm (the cost a long-running supervisor pays per jail).
//
// Run (single-file source launch, Java 25):
//   java --enable-native-access=ALL-UNNAMED -cp "target/jnsjail.jar:target/lib/*" bench/WarmSpawn.java
// Env: WARM_WARMUP (default 200) and WARM_N (default 500) jails; WARM_SPEC=cli uses the spec the CLI
// builds for "-Mo --chroot / -q -- /bin/true" instead of the builder one below; WARM_USERNET=nstun or
// pasta adds user_net (the interface is created, configured and carried for every jail).
//
// Prints min/median/p90/max (ms) of sequential start+waitFor, jails/s, and one machine-readable
// line "WARM min=.. median=.. p90=.. max=.. rate=.." that bench/startup.sh parses.

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.jnsjail.api.IdMap;
import org.jnsjail.api.JailHandle;
import org.jnsjail.api.JailSpec;
import org.jnsjail.api.JailStatus;
import org.jnsjail.api.Jails;
import org.jnsjail.api.MountPt;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;

public class WarmSpawn {
    static final String[] CLI_ARGS = {"-Mo", "--chroot", "/", "-q", "--", "/bin/true"};

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARM_WARMUP", "200"));
        int n = Integer.parseInt(System.getenv().getOrDefault("WARM_N", "500"));

        // The CLI's "--chroot / " + default /proc: root bound read-only, proc nosuid,nodev,noexec.
        JailSpec.Builder b = JailSpec.builder();
        b.command("/bin/true");
        // --chroot /: a read-only bind of / with isDir=true, exactly as CommandLine builds it
        // (MountPt.bind("/", "/", false) differs only in isDir=null, which the planner resolves alike).
        b.mount(new MountPt("/", "/", "", "", true, false, true, true, false, false, false, false, null, "", ""));
        b.mount(MountPt.fs("", "/proc", "proc", "", false, true).withFlags(true, true, true));
        // nsjail maps the caller's uid/gid by default; the builder leaves the maps empty (then the
        // jail's setresgid(0) fails with EINVAL), so map them as the CLI does.
        HostInfo host = HostInfo.get();
        b.uidMaps = List.of(new IdMap(host.uid(), host.uid(), 1, false));
        b.gidMaps = List.of(new IdMap(host.gid(), host.gid(), 1, false));
        // The CLI adds nsjail's "soft" rlimits (current soft values) to the builder's explicit ones.
        for (RLimit r : new RLimit[] {RLimit.RLIMIT_NPROC, RLimit.RLIMIT_STACK, RLimit.RLIMIT_MEMLOCK,
                RLimit.RLIMIT_RTPRIO, RLimit.RLIMIT_MSGQUEUE}) {
            b.rlimits.put(r, Libc.getrlimit(r.resource)[0]);
        }
        JailSpec spec = b.build();

        JailSpec cli = cliSpec();
        if (cli != null) {
            List<String> diff = differences(spec, cli);
            System.out.println("spec vs CLI's (-Mo --chroot / -q -- /bin/true): "
                    + (diff.isEmpty() ? "identical" : "differs in " + String.join(", ", diff)
                    + " (no effect on spawn cost expected)"));
            if ("cli".equals(System.getenv("WARM_SPEC"))) {
                spec = cli;
                System.out.println("using the CLI's spec (WARM_SPEC=cli)");
            }
        }

        String userNet = System.getenv().getOrDefault("WARM_USERNET", "");
        if (!userNet.isEmpty()) {
            org.jnsjail.api.UserNet d = org.jnsjail.api.UserNet.DEFAULT;
            org.jnsjail.api.UserNet un = switch (userNet) {
                case "nstun" -> d;
                case "pasta" -> new org.jnsjail.api.UserNet(org.jnsjail.api.UserNet.Backend.PASTA, d.ip4(), d.gw4(),
                        d.ip6(), d.gw6(), d.nsIface(), List.of(), List.of(), org.jnsjail.api.UserNet.Pasta.DEFAULT);
                default -> throw new IllegalArgumentException("WARM_USERNET: nstun or pasta, not " + userNet);
            };
            JailSpec.Builder u = b;
            u.net = org.jnsjail.api.NetConfig.NONE.withUserNet(un);
            spec = u.build();
            System.out.println("with user_net (" + userNet + ")");
        }
        for (int i = 0; i < warmup; i++) runOne(spec);
        long[] t = new long[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            runOne(spec);
            t[i] = System.nanoTime() - s;
        }
        double totalSec = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(t);
        double min = ms(t[0]), med = ms(n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2),
                p90 = ms(t[Math.min(n - 1, (int) Math.ceil(0.9 * n) - 1)]), max = ms(t[n - 1]);
        double rate = n / totalSec;
        System.out.printf("warm API spawn (start+waitFor of /bin/true, %d warm-up, %d measured, sequential):%n",
                warmup, n);
        System.out.printf("  min %.2f  median %.2f  p90 %.2f  max %.2f ms;  %.0f jails/s%n", min, med, p90, max, rate);
        System.out.printf("WARM min=%.3f median=%.3f p90=%.3f max=%.3f rate=%.1f%n", min, med, p90, max, rate);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static void runOne(JailSpec spec) throws Exception {
        try (JailHandle h = Jails.start(spec)) {
            JailStatus st = h.waitFor();
            if (st.code() != 0) throw new IllegalStateException("jail " + st.describe());
        }
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The spec the CLI builds, or null if the CLI classes are not there (API-only jar). */
    static JailSpec cliSpec() {
        try {
            return org.jnsjail.args.CommandLine.parse(CLI_ARGS).spec();
        } catch (Exception | LinkageError e) {
            System.out.println("(could not build the CLI's spec for comparison: " + e + ")");
            return null;
        }
    }

    static List<String> differences(JailSpec a, JailSpec b) throws ReflectiveOperationException {
        List<String> out = new ArrayList<>();
        for (RecordComponent rc : JailSpec.class.getRecordComponents()) {
            Object x = rc.getAccessor().invoke(a), y = rc.getAccessor().invoke(b);
            if (!Objects.deepEquals(x, y)) out.add(rc.getName());
        }
        return out;
    }
}
