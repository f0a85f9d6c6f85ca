package org.jnsjail.seccomp.bench;

import java.util.Arrays;
import java.util.List;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.BpfProgram;
import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.seccomp.KafelOptions;

/**
 * Compile-time benchmark (run by bench/kafel-compile.sh): {@code --once FILE} compiles one policy in
 * this (fresh) JVM and prints the time; {@code --warm FILE...} prints program lengths, then the warm
 * median for the largest policy.
 */
public final class KafelCompileBench {
    private KafelCompileBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--once")) {
            long t0 = System.nanoTime();
            BpfProgram p = KafelCompiler.compile(java.nio.file.Files.readString(java.nio.file.Path.of(args[1])), KafelOptions.defaults());
            long t1 = System.nanoTime();
            System.out.printf("fresh-jvm compile: %.2f ms (%d insns)%n", (t1 - t0) / 1e6, p.length());
            return;
        }
        String largest = null;
        String largestName = null;
        int largestLen = -1;
        for (int i = 1; i < args.length; i++) {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of(args[i]));
            String name = java.nio.file.Path.of(args[i]).getFileName().toString();
            StringBuilder line = new StringBuilder(String.format("%-40s", name));
            for (Arch a : List.of(Arch.X86_64, Arch.AARCH64)) {
                line.append(String.format(" %s=%s", a, len(text, a)));
            }
            System.out.println(line);
            int l = lenOrMinus(text);
            if (l > largestLen) {
                largestLen = l;
                largest = text;
                largestName = name;
            }
        }
        int warmup = 20_000;
        for (int i = 0; i < warmup; i++) {
            KafelCompiler.compile(largest, KafelOptions.defaults());
        }
        int runs = 2001;
        long[] ns = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            KafelCompiler.compile(largest, KafelOptions.defaults());
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf("warm compile of %s (largest x86_64 program): median %.1f us, p90 %.1f us (%d runs after %d warm-up)%n",
                largestName, ns[runs / 2] / 1e3, ns[runs * 9 / 10] / 1e3, runs, warmup);
    }

    private static int lenOrMinus(String text) {
        try {
            return KafelCompiler.compile(text, KafelOptions.defaults()).length();
        } catch (KafelException e) {
            return -1;
        }
    }

    private static String len(String text, Arch a) {
        try {
            return Integer.toString(KafelCompiler.compile(text, KafelOptions.defaults().withTargets(a)).length());
        } catch (KafelException e) {
            return "error(" + e.getMessage() + ")";
        }
    }

}
