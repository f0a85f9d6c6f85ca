package org.jnsjail.seccomp;

/** SECCOMP_RET_* action values (upper 16 bits of a filter's return value). */
public enum SeccompRet {
    KILL_PROCESS(0x80000000, "KILL_PROCESS", false),
    KILL_THREAD(0x00000000, "KILL", false),
    TRAP(0x00030000, "TRAP", true),
    ERRNO(0x00050000, "ERRNO", true),
    USER_NOTIF(0x7fc00000, "USER_NOTIF", false),
    TRACE(0x7ff00000, "TRACE", true),
    LOG(0x7ffc0000, "LOG", false),
    ALLOW(0x7fff0000, "ALLOW", false);

    /** SECCOMP_RET_ACTION_FULL mask. */
    public static final int ACTION_MASK = 0xffff0000;

    public final int value;
    /** Spelling used by Kafel policies and by the conformance cases. */
    public final String kafelName;
    /** True for the actions that carry 16 bits of data, e.g. ERRNO(n). */
    public final boolean hasData;

    SeccompRet(int value, String kafelName, boolean hasData) {
        this.value = value;
        this.kafelName = kafelName;
        this.hasData = hasData;
    }

    /** The action encoded in a filter return value, or null for values no kernel knows. */
    public static SeccompRet of(int ret) {
        int a = ret & ACTION_MASK;
        for (SeccompRet r : values()) {
            if (r.value == a) {
                return r;
            }
        }
        return null;
    }
}
