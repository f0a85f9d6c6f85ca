package org.jnsjail.seccomp;

/** A Kafel action: the SECCOMP_RET_* kind plus its 16-bit data (ERRNO/TRAP/TRACE only). */
public record Action(SeccompRet kind, int data) {
    public static final Action ALLOW = new Action(SeccompRet.ALLOW, 0);
    public static final Action KILL = new Action(SeccompRet.KILL_THREAD, 0);
    public static final Action KILL_PROCESS = new Action(SeccompRet.KILL_PROCESS, 0);
    public static final Action LOG = new Action(SeccompRet.LOG, 0);
    public static final Action USER_NOTIF = new Action(SeccompRet.USER_NOTIF, 0);

    public Action {
        if (data < 0 || data > 0xffff || (!kind.hasData && data != 0)) {
            throw new IllegalArgumentException("bad action data " + data + " for " + kind);
        }
    }

    /** The 32-bit value a filter returns for this action. */
    public int ret() {
        return kind.value | data;
    }

    /** Decodes a filter return value; unknown action bits are reported as-is by {@link #describe(int)}. */
    public static Action ofRet(int ret) {
        SeccompRet k = SeccompRet.of(ret);
        if (k == null) {
            return null;
        }
        return new Action(k, k.hasData ? ret & 0xffff : 0);
    }

    /** Human form of any return value, e.g. {@code ERRNO(1)} or {@code 0x12340000}. */
    public static String describe(int ret) {
        Action a = ofRet(ret);
        if (a == null || (!a.kind.hasData && (ret & 0xffff) != 0)) {
            return String.format("0x%08x", ret);
        }
        return a.toString();
    }

    @Override
    public String toString() {
        return kind.hasData ? kind.kafelName + "(" + data + ")" : kind.kafelName;
    }
}
