package org.jnsjail.seccomp;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Compile options.
 *
 * @param targets      arches the program accepts (Kafel's kafel_set_target_archs); default host = x86_64
 * @param searchPaths  #include search paths, tried in order (nsjail passes none: includes fail)
 * @param includes     reads include files; {@link IncludeResolver#filesystem()} by default
 * @param killX32      not Kafel: when targeting x86_64, KILL x32 syscall numbers (nr has bit 0x40000000)
 *                     that the policy does not name explicitly, instead of giving them the DEFAULT
 */
public record KafelOptions(Set<Arch> targets, List<String> searchPaths, IncludeResolver includes, boolean killX32) {
    public KafelOptions {
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("at least one target arch is needed");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
        searchPaths = List.copyOf(searchPaths);
        if (includes == null) {
            throw new IllegalArgumentException("includes resolver is null");
        }
    }

    /** Host arch (x86_64), no include paths, filesystem includes, Kafel-compatible x32 handling. */
    public static KafelOptions defaults() {
        return new KafelOptions(EnumSet.of(Arch.X86_64), List.of(), IncludeResolver.filesystem(), false);
    }

    public KafelOptions withTargets(Set<Arch> archs) {
        return new KafelOptions(archs, searchPaths, includes, killX32);
    }

    public KafelOptions withTargets(Arch first, Arch... rest) {
        return withTargets(EnumSet.of(first, rest));
    }

    public KafelOptions withSearchPaths(List<String> paths) {
        return new KafelOptions(targets, paths, includes, killX32);
    }

    public KafelOptions withIncludes(IncludeResolver resolver) {
        return new KafelOptions(targets, searchPaths, resolver, killX32);
    }

    public KafelOptions withKillX32(boolean kill) {
        return new KafelOptions(targets, searchPaths, includes, kill);
    }

    /** Targets in Kafel's bit order. */
    List<Arch> orderedTargets() {
        return List.copyOf(EnumSet.copyOf(targets));
    }
}
