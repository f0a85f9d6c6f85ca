package org.jnsjail.plan;

import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.seccomp.KafelOptions;
import org.jnsjail.unotify.Unotify;

/** The --seccomp_unotify filter, compiled once from nsjail's fixed Kafel policy (as sandbox.cc does). */
final class UnotifyFilter {
    private UnotifyFilter() {}

    private static final class Holder {
        static final byte[] BYTES = compile();
    }

    static byte[] bytes() {
        return Holder.BYTES;
    }

    private static byte[] compile() {
        try {
            return KafelCompiler.compile(Unotify.policy(), KafelOptions.defaults()).toSockFilterBytes();
        } catch (KafelException e) {
            throw new IllegalStateException("the built-in unotify policy does not compile: " + e.getMessage(), e);
        }
    }
}
