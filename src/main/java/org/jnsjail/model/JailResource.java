package org.jnsjail.model;


/**
 * Something the supervisor sets up on the host for one jail and must take down when it ends: a
 * cgroup, a network interface. Steps run in this order: {@link #prepare()} before the clone,
 * {@link #attach(int)} once the jail's pid is known and before it runs any code of its own, and
 * {@link #release()} after the jail was reaped or when starting it failed (always, exactly once).
 */
public interface JailResource {
    /** Before clone; may return a cgroup2 directory fd for clone3(CLONE_INTO_CGROUP), else -1. */
    default int prepare() throws JailFailure {
        return -1;
    }

    /** After clone, before the jail is let go. */
    void attach(int pid) throws JailFailure;

    /**
     * The jail handed fds over for {@code kind} (a {@link org.jnsjail.stub.HandOver} value: user_net's
     * TUN device and rtnetlink socket, the seccomp listener), after "go" and before it runs on.
     * Returns true when this resource took them (it then owns them, even when it throws); the jail
     * waits for another "go" meanwhile.
     */
    default boolean takeFds(int kind, int[] fds) throws JailFailure {
        return false;
    }

    /** Undo everything; must not throw, and must tolerate a partial or missing prepare/attach. */
    void release();

    /** Called after the jail was reaped, before release: e.g. to report an OOM kill. */
    default void reaped(org.jnsjail.model.JailStatus status) {}

    /** After {@link #reaped}, before release: what this resource measured of the jail (its outcome's figures). */
    default void measure(Measured m) {}
}
