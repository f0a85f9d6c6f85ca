package org.jnsjail.stub;

/**
 * What a SEND_FDS op hands to the supervisor: the value of its 'F' report, so that the part of the
 * supervisor that asked for the fds takes them.
 */
public enum HandOver {
    /** user_net: an rtnetlink socket in the jail's network namespace, then (NSTUN) its /dev/net/tun fd. */
    USER_NET(1),
    /** --seccomp_unotify: the seccomp user-notification listener. */
    UNOTIFY(2),
    /** --init: a pidfd of the program (the init's child), for its exit status. */
    INIT(3);

    public final int value;

    HandOver(int value) {
        this.value = value;
    }
}
