// Warm spawn latency through the public Java API: how long one jail takes once the JVM, the FFM
// downcall handles and the JIT are warm (the cost a long-running embedder pays per jail).
//
// Run (single-file source launch, Java 25):
//   java --enable-native-access=ALL-UNNAMED -cp "target/jnsjail.jar:target/lib/*" bench/WarmSpawn.java
// Env: WARM_WARMUP (default 200) and WARM_N (default 500) jails; WARM_USERNET=nstun adds user-mode
// networking (the interface is created, configured and carried for every jail); WARM_AHEAD=N starts
// each jail from a JailPool (Jail.readyAhead(N)) instead of Jail.start.
//
// The jail is the CLI's "-Mo --chroot / -q -- /bin/true" (NsjailArgs.parse of the same options, so the
// same spec), with the program's stdio inherited as the CLI's jail has it; each run is start() and
// waitFor() of a JailProcess.
// Prints min/median/p90/max (ms) of sequential start+waitFor, jails/s, and one machine-readable
// line "WARM min=.. median=.. p90=.. max=.. rate=.." that bench/startup.sh and vs-nsjail.sh parse.

import java.util.Arrays;

import org.jnsjail.api.Jail;
import org.jnsjail.api.JailBuilder;
import org.jnsjail.api.JailPool;
import org.jnsjail.api.JailProcess;
import org.jnsjail.api.NsjailArgs;

public class WarmSpawn {
    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARM_WARMUP", "200"));
        int n = Integer.parseInt(System.getenv().getOrDefault("WARM_N", "500"));

        JailBuilder b = NsjailArgs.parse("-Mo", "--chroot", "/", "-q", "--", "/bin/true").inheritIO();
        String userNet = System.getenv().getOrDefault("WARM_USERNET", "");
        if (userNet.equals("nstun")) {
            b.userNetwork();
            System.out.println("with user_net (nstun)");
        } else if (!userNet.isEmpty()) {
            throw new IllegalArgumentException("WARM_USERNET: nstun, not " + userNet);
        }
        Jail jail = b.build();
        System.out.println("jail: NsjailArgs.parse(\"-Mo\", \"--chroot\", \"/\", \"-q\", \"--\", \"/bin/true\").inheritIO()");
        int ahead = Integer.parseInt(System.getenv().getOrDefault("WARM_AHEAD", "0"));
        JailPool pool = ahead > 0 ? jail.readyAhead(ahead) : null;
        if (pool != null) System.out.println("started from jail.readyAhead(" + ahead + ")");
        Starter starter = pool != null ? pool::start : jail::start;

        for (int i = 0; i < warmup; i++) runOne(starter);
        long[] t = new long[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            runOne(starter);
            t[i] = System.nanoTime() - s;
        }
        double totalSec = (System.nanoTime() - t0) / 1e9;
        if (pool != null) pool.close();
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

    interface Starter {
        JailProcess start() throws Exception;
    }

    static void runOne(Starter starter) throws Exception {
        JailProcess p = starter.start();
        int code = p.waitFor();
        if (code != 0) throw new IllegalStateException("jail " + p.result());
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
