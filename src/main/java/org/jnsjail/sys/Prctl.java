package org.jnsjail.sys;

/** prctl(2) options and the values jnsjail passes (linux/prctl.h, linux/securebits.h). */
public final class Prctl {
    private Prctl() {}

    public static final int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_SET_TSC = 26,
            PR_SET_SECUREBITS = 28, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47,
            PR_SCHED_CORE = 62;
    public static final int PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public static final int PR_TSC_SIGSEGV = 2;
    public static final int PR_SCHED_CORE_CREATE = 1, PR_SCHED_CORE_SCOPE_THREAD_GROUP = 1;
    /** SECBIT_KEEP_CAPS | SECBIT_NO_SETUID_FIXUP: keep capabilities across the uid switch. */
    public static final int SECBIT_KEEP_CAPS = 1 << 4, SECBIT_NO_SETUID_FIXUP = 1 << 2;
}
