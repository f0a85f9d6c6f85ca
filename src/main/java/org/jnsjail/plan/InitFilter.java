package org.jnsjail.plan;

import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.seccomp.KafelOptions;

/**
 * The --init process's own seccomp filter: only what its loop calls (exec_stub.c run_init). The
 * init is not under the jail's policy (a policy written for the program could kill it), so even a
 * hijacked init (the program may ptrace it with --keep_caps) can do no more than wait, signal and exit.
 */
final class InitFilter {
    private InitFilter() {}

    static final String POLICY = "POLICY jnsjail_init { ALLOW { rt_sigtimedwait, wait4, kill, exit_group, exit,"
            + " restart_syscall } } USE jnsjail_init DEFAULT KILL_PROCESS";

    private static final class Holder {
        static final byte[] BYTES = compile();
    }

    static byte[] bytes() {
        return Holder.BYTES;
    }

    private static byte[] compile() {
        try {
            return KafelCompiler.compile(POLICY, KafelOptions.defaults()).toSockFilterBytes();
        } catch (KafelException e) {
            throw new IllegalStateException("the built-in init policy does not compile: " + e.getMessage(), e);
        }
    }
}
