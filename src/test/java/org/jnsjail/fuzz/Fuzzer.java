package org.jnsjail.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A small seeded, time-bounded mutation fuzzer (plain Java, no coverage instrumentation).
 *
 * <p>Feedback is the target's <em>outcome signature</em> (for a parser: the shape of its error
 * message with numbers and quoted text blanked out): an input that produces a signature not seen
 * before joins the pool of inputs to mutate, so the fuzzer drifts towards inputs that reach new
 * error paths. Every corpus file is replayed first, so findings kept in the corpus are regressions.
 *
 * <p>A finding (the target threw {@link Finding} or anything unexpected, or one input ran longer than
 * {@link #SLOW_MILLIS}) is written, minimised, to {@code <build dir>/fuzz-findings/<parser>/}; the caller
 * fails the test when {@link Stats#findings()} is not empty.
 *
 * <p>System properties: {@code jnsjail.fuzz.seconds} (per parser; default: the short CI budget),
 * {@code jnsjail.fuzz.seed} (default: a fixed seed in the short run, the clock in long runs).
 */
final class Fuzzer {
    /** One input slower than this is a finding ("hang"). */
    static final long SLOW_MILLIS = 10_000;
    static final int MAX_INPUT = 64 * 1024;
    private static final int MAX_POOL = 4096;

    /** What the target says about an input it handled as specified. */
    interface Target {
        /**
         * Runs one input. Returns an outcome signature (used as feedback), or null when the input was
         * skipped (unsafe to run); throws {@link Finding} when the behaviour is wrong.
         */
        String run(byte[] input) throws Exception;
    }

    /** The target misbehaved on an input. */
    static final class Finding extends RuntimeException {
        Finding(String message) {
            super(message);
        }

        Finding(String message, Throwable cause) {
            super(message, cause);
        }
    }

    record Stats(String parser, long seed, long execs, long skipped, double seconds, int signatures,
            List<String> findings) {
        String line() {
            return String.format("fuzz %-6s seed=%d execs=%d skipped=%d seconds=%.1f execs/s=%.0f signatures=%d findings=%d",
                    parser, seed, execs, skipped, seconds, execs / Math.max(seconds, 1e-3), signatures, findings.size());
        }
    }

    private final String parser;
    private final Target target;
    private final List<byte[]> dictionary;
    private final List<byte[]> pool = new ArrayList<>();
    private final Map<String, Integer> signatures = new HashMap<>();
    private final Map<String, String> findings = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Random rnd;
    private final long seed;
    private final long budgetMillis;
    private final Path findingsDir;
    private final AtomicLong inputStarted = new AtomicLong();
    private volatile byte[] current;
    private long skipped;

    Fuzzer(String parser, double defaultSeconds, Target target, List<byte[]> seeds, List<String> dictionary) {
        this.parser = parser;
        this.target = target;
        this.dictionary = dictionary.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        String secs = System.getProperty("jnsjail.fuzz.seconds");
        boolean longRun = secs != null && !secs.isBlank();
        this.budgetMillis = (long) (1000 * (longRun ? Double.parseDouble(secs) : defaultSeconds));
        String s = System.getProperty("jnsjail.fuzz.seed");
        this.seed = s != null && !s.isBlank() ? Long.parseLong(s) : longRun ? System.nanoTime() : 0x5eed_1e55L;
        this.rnd = new Random(seed ^ parser.hashCode());
        this.findingsDir = buildDir().resolve("fuzz-findings").resolve(parser);
        for (byte[] b : seeds) if (b.length <= MAX_INPUT) pool.add(b);
        if (pool.isEmpty()) pool.add(new byte[0]);
    }

    /** Replays the seeds, then mutates until the budget is spent. */
    Stats run() {
        long start = System.nanoTime();
        long deadline = start + budgetMillis * 1_000_000;
        Thread watchdog = startWatchdog();
        long execs = 0;
        try {
            for (byte[] seedInput : List.copyOf(pool)) {
                execute(seedInput);
                execs++;
            }
            while (System.nanoTime() < deadline) {
                byte[] in = mutate(pool.get(rnd.nextInt(pool.size())));
                execute(in);
                execs++;
            }
        } finally {
            watchdog.interrupt();
        }
        List<String> found;
        synchronized (findings) {
            found = List.copyOf(findings.values());
        }
        Stats st = new Stats(parser, seed, execs, skipped, (System.nanoTime() - start) / 1e9, signatures.size(), found);
        System.out.println(st.line());
        signatures.forEach((k, v) -> {
            if (k.startsWith("note:")) System.out.println("  " + k + " (" + v + " inputs; example in " + findingsDir + ")");
        });
        for (String f : st.findings()) System.out.println("  finding: " + f);
        return st;
    }

    private void execute(byte[] in) {
        current = in;
        inputStarted.set(System.nanoTime());
        String sig;
        try {
            sig = target.run(in);
        } catch (Finding f) {
            record(in, f.getMessage(), f.getCause());
            return;
        } catch (Throwable t) {
            record(in, "harness error: " + t, t);
            return;
        } finally {
            inputStarted.set(0);
        }
        if (sig == null) {
            skipped++;
            return;
        }
        Integer n = signatures.merge(sig, 1, Integer::sum);
        if (n == 1 && sig.startsWith("note:")) saveNote(in, sig);
        if (n == 1 && pool.size() < MAX_POOL) pool.add(in);
    }

    /** Saves the finding (minimised: shortest input with the same first line of the finding). */
    private void record(byte[] in, String what, Throwable cause) {
        String key = key(what);
        if (findings.containsKey(key) || findings.size() >= 50) return;
        byte[] small = minimise(in, key);
        String name = sha(small).substring(0, 16);
        findings.put(key, what.lines().findFirst().orElse(what) + " -> " + findingsDir.resolve(name));
        try {
            Files.createDirectories(findingsDir);
            Files.write(findingsDir.resolve(name), small);
            StringBuilder sb = new StringBuilder(what).append('\n');
            if (cause != null) {
                var sw = new java.io.StringWriter();
                cause.printStackTrace(new java.io.PrintWriter(sw));
                sb.append(sw);
            }
            Files.writeString(findingsDir.resolve(name + ".txt"), sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void saveNote(byte[] in, String sig) {
        try {
            Files.createDirectories(findingsDir);
            Files.write(findingsDir.resolve("note-" + sha(in).substring(0, 16)), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Greedy: drop chunks while the same finding (by key) still happens; bounded effort. */
    private byte[] minimise(byte[] in, String key) {
        byte[] best = in;
        int tries = 0;
        for (int chunk = Math.max(1, best.length / 2); chunk >= 1 && tries < 400; chunk /= 2) {
            for (int at = 0; at + chunk <= best.length && tries < 400; ) {
                byte[] cand = new byte[best.length - chunk];
                System.arraycopy(best, 0, cand, 0, at);
                System.arraycopy(best, at + chunk, cand, at, best.length - at - chunk);
                tries++;
                if (key.equals(findingKey(cand))) best = cand;
                else at += chunk;
            }
        }
        return best;
    }

    private String findingKey(byte[] in) {
        try {
            target.run(in);
            return null;
        } catch (Finding f) {
            return key(f.getMessage());
        } catch (Throwable t) {
            return key("harness error: " + t);
        }
    }

    /** Findings that differ only in echoed input or numbers count once. */
    private static String key(String what) {
        String k = signature("", firstLine(what).replaceAll("'.*", "'"));
        return k.length() > 80 ? k.substring(0, 80) : k;
    }

    private static String firstLine(String s) {
        return s == null ? "null" : s.lines().findFirst().orElse("");
    }

    private Thread startWatchdog() {
        return Thread.ofPlatform().daemon().name("fuzz-watchdog-" + parser).start(() -> {
            try {
                while (true) {
                    Thread.sleep(1000);
                    long t = inputStarted.get();
                    if (t != 0 && System.nanoTime() - t > SLOW_MILLIS * 1_000_000) {
                        byte[] in = current;
                        synchronized (this) {
                            try {
                                Files.createDirectories(findingsDir);
                                Path p = findingsDir.resolve("hang-" + sha(in).substring(0, 16));
                                Files.write(p, in);
                                System.out.println("fuzz " + parser + ": an input has run for more than "
                                        + SLOW_MILLIS + " ms (hang?): " + p);
                            } catch (IOException e) {
                                // best effort
                            }
                        }
                        findings.putIfAbsent("hang", "hang: an input ran for more than " + SLOW_MILLIS + " ms");
                        inputStarted.compareAndSet(t, 0);
                    }
                }
            } catch (InterruptedException e) {
                // done
            }
        });
    }

    // ---------------------------------------------------------------- mutations

    private static final long[] INTERESTING = {0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256,
            1023, 1024, 4095, 4096, 4097, 65535, 65536, 0x7fff, 0x8000, 0x7fffffffL, 0x80000000L, 0xffffffffL,
            0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 64L << 20, (64L << 20) + 1};

    byte[] mutate(byte[] base) {
        byte[] b = base;
        int n = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 16 : 4);
        for (int i = 0; i < n; i++) b = mutateOnce(b);
        return b.length > MAX_INPUT ? java.util.Arrays.copyOf(b, MAX_INPUT) : b;
    }

    private byte[] mutateOnce(byte[] b) {
        int len = b.length;
        switch (rnd.nextInt(13)) {
            case 0 -> { // bit flip
                if (len == 0) return insert(b, 0, new byte[] {(byte) rnd.nextInt()});
                byte[] c = b.clone();
                c[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8));
                return c;
            }
            case 1 -> { // random byte
                if (len == 0) return insert(b, 0, new byte[] {(byte) rnd.nextInt()});
                byte[] c = b.clone();
                c[rnd.nextInt(len)] = (byte) rnd.nextInt();
                return c;
            }
            case 2 -> { // interesting byte
                if (len == 0) return b;
                byte[] c = b.clone();
                byte[] vals = {0, 1, (byte) 0xff, 0x7f, (byte) 0x80, '\n', '"', '\\', '{', '}', '[', ']', ':', ',',
                        '#', '/', '*', '\'', ' ', '-', '0', '9', 'e', '.'};
                c[rnd.nextInt(len)] = vals[rnd.nextInt(vals.length)];
                return c;
            }
            case 3 -> { // delete a range
                if (len == 0) return b;
                int at = rnd.nextInt(len), n = 1 + rnd.nextInt(Math.min(len - at, 1 + rnd.nextInt(64)));
                byte[] c = new byte[len - n];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + n, c, at, len - at - n);
                return c;
            }
            case 4 -> { // duplicate a range
                if (len == 0) return b;
                int at = rnd.nextInt(len), n = 1 + rnd.nextInt(Math.min(len - at, 1 + rnd.nextInt(64)));
                byte[] piece = java.util.Arrays.copyOfRange(b, at, at + n);
                int reps = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(200) : 1;
                byte[] c = b;
                for (int r = 0; r < reps && c.length < MAX_INPUT; r++) c = insert(c, rnd.nextInt(c.length + 1), piece);
                return c;
            }
            case 5 -> { // truncate
                return len == 0 ? b : java.util.Arrays.copyOf(b, rnd.nextInt(len));
            }
            case 6, 7 -> { // dictionary token
                if (dictionary.isEmpty()) return b;
                byte[] tok = dictionary.get(rnd.nextInt(dictionary.size()));
                if (len > 0 && rnd.nextBoolean()) { // overwrite
                    int at = rnd.nextInt(len);
                    byte[] c = java.util.Arrays.copyOf(b, Math.max(len, at + tok.length));
                    System.arraycopy(tok, 0, c, at, tok.length);
                    return c;
                }
                return insert(b, rnd.nextInt(len + 1), tok);
            }
            case 8 -> { // splice with another pool input
                byte[] o = pool.get(rnd.nextInt(pool.size()));
                if (o.length == 0) return b;
                int from = rnd.nextInt(o.length), n = 1 + rnd.nextInt(o.length - from);
                return insert(b, rnd.nextInt(len + 1), java.util.Arrays.copyOfRange(o, from, from + n));
            }
            case 9, 10 -> { // little-endian integer overwrite (4 or 8 bytes, aligned or not)
                int w = rnd.nextBoolean() ? 4 : 8;
                if (len < w) return b;
                int at = rnd.nextInt(len - w + 1);
                if (rnd.nextBoolean()) at &= ~3;
                long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                if (rnd.nextInt(4) == 0) v = -v;
                byte[] c = b.clone();
                for (int i = 0; i < w; i++) c[at + i] = (byte) (v >>> (8 * i));
                return c;
            }
            case 11 -> { // small add/subtract on a little-endian u32
                if (len < 4) return b;
                int at = rnd.nextInt(len - 3) & ~(rnd.nextBoolean() ? 3 : 0);
                byte[] c = b.clone();
                int v = (c[at] & 0xff) | (c[at + 1] & 0xff) << 8 | (c[at + 2] & 0xff) << 16 | (c[at + 3] & 0xff) << 24;
                v += rnd.nextInt(33) - 16;
                for (int i = 0; i < 4; i++) c[at + i] = (byte) (v >>> (8 * i));
                return c;
            }
            default -> { // random printable/any run
                int n = 1 + rnd.nextInt(16);
                byte[] piece = new byte[n];
                for (int i = 0; i < n; i++) piece[i] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : 32 + rnd.nextInt(95));
                return insert(b, rnd.nextInt(len + 1), piece);
            }
        }
    }

    private static byte[] insert(byte[] b, int at, byte[] piece) {
        byte[] c = new byte[b.length + piece.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(piece, 0, c, at, piece.length);
        System.arraycopy(b, at, c, at + piece.length, b.length - at);
        return c;
    }

    // ---------------------------------------------------------------- helpers

    /** Blanks numbers and quoted text so that messages differing only in values share a signature. */
    static String signature(String kind, String message) {
        String m = message == null ? "" : message;
        m = m.replaceAll("'[^']*'", "'_'").replaceAll("\"[^\"]*\"", "\"_\"").replaceAll("\\d+", "N");
        return kind + ":" + (m.length() > 160 ? m.substring(0, 160) : m);
    }

    /** The signature of notes: behaviour worth reporting that does not fail the run. */
    static final String ECHOED_LINE_BREAK = "note:a line break of the input is echoed into the message";

    /**
     * Fails on messages that are not one non-empty line, unless the line break comes from the input
     * itself (an echoed argument or file name): then returns {@link #ECHOED_LINE_BREAK}, a note.
     */
    static String requireOneLine(String what, String message, byte[] input) {
        if (message == null || message.isBlank()) throw new Finding(what + " with an empty message");
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            for (byte c : input) if (c == '\n' || c == '\r') return ECHOED_LINE_BREAK;
            throw new Finding(what + " with a multi-line message: " + message.replace("\n", "\\n"));
        }
        return null;
    }

    /** The corpus files of a parser: the source tree's copy when run from the project, else the classpath's. */
    static List<byte[]> corpus(String parser) {
        Path src = Path.of("src/test/resources/org/jnsjail/fuzz", parser);
        Path dir = Files.isDirectory(src) ? src : null;
        if (dir == null) {
            var url = Fuzzer.class.getResource("/org/jnsjail/fuzz/" + parser);
            if (url == null) return List.of();
            try {
                dir = Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".txt")) out.add(Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** target-x/ (the parent of test-classes). */
    static Path buildDir() {
        try {
            Path tc = Path.of(Fuzzer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return tc.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = Fuzzer.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
