package org.jnsjail.model;

import org.jnsjail.sys.Signals;

/** How a jail ended: exited with {@code code}, or was killed by {@code signal} (then code is 128+signal). */
public record JailStatus(int code, int signal) {
    public static JailStatus exited(int code) {
        return new JailStatus(code, 0);
    }

    public static JailStatus killed(int signal) {
        return new JailStatus(128 + signal, signal);
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** nsjail's wording: "exited with status: N" or "terminated with signal: SIGKILL (9)". */
    public String describe() {
        return signaled() ? "terminated with signal: " + Signals.name(signal) + " (" + signal + ")"
                : "exited with status: " + code;
    }
}
