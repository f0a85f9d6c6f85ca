package org.jnsjail.testutil;

import java.util.List;
import java.util.Random;

/**
 * A tiny seeded generator for property-style tests in plain JUnit: each run is reproducible from
 * its seed (printed on failure by the caller), with no property-testing library.
 */
public final class Gen {
    private final Random rnd;
    public final long seed;

    public Gen(long seed) {
        this.seed = seed;
        this.rnd = new Random(seed);
    }

    public int between(int lo, int hi) {
        return lo + rnd.nextInt(hi - lo + 1);
    }

    public boolean bool() {
        return rnd.nextBoolean();
    }

    public <T> T pick(List<T> items) {
        return items.get(rnd.nextInt(items.size()));
    }

    /** A string of up to maxLen chars drawn from {@code alphabet}. */
    public String string(String alphabet, int maxLen) {
        int n = between(0, maxLen);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        return b.toString();
    }

    /** Any UTF-16 chars, surrogates and controls included. */
    public String anyString(int maxLen) {
        int n = between(0, maxLen);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append((char) (rnd.nextInt(4) == 0 ? rnd.nextInt(0x10000) : rnd.nextInt(128)));
        return b.toString();
    }

    /** Weighted choice: weights[i] is the weight of index i. */
    public int weighted(int... weights) {
        int total = 0;
        for (int w : weights) total += w;
        int r = rnd.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            if ((r -= weights[i]) < 0) return i;
        }
        return weights.length - 1;
    }
}
