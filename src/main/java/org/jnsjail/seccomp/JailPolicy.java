package org.jnsjail.seccomp;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Kafel policy compiled as a jail installs it, in one place for the command line (-P,
 * --seccomp_string, --seccomp_arch) and the public API: besides what the policy says, x32 calls
 * (nr | 0x40000000) that it does not name are killed, so it cannot be bypassed through another ABI
 * (i386 calls fail the architecture check anyway, unless {@code alsoFor} names that ABI).
 */
public final class JailPolicy {
    private JailPolicy() {}

    /** The compiler's options for a jail's policy; {@code alsoFor}: other ABIs it covers too (x86_64 always). */
    public static KafelOptions options(Collection<Arch> alsoFor) {
        KafelOptions opts = KafelOptions.defaults().withKillX32(true);
        if (alsoFor.isEmpty()) return opts;
        Set<Arch> targets = new LinkedHashSet<>();
        targets.add(Arch.X86_64); // the host's own ABI is always covered
        targets.addAll(alsoFor);
        return opts.withTargets(targets);
    }

    /** The filter as struct sock_filter[] bytes, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
    public static byte[] compile(String policy, Collection<Arch> alsoFor) throws KafelException {
        return KafelCompiler.compile(policy, options(alsoFor)).toSockFilterBytes();
    }
}
