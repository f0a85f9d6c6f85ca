package org.jnsjail.stub;

/**
 * One report of the exec stub or the jail on the jail's control socket (exec_stub.c "Report
 * records": u32 kind, u32 op index, i32 value, u32 count), decoded.
 */
public sealed interface Report {
    /** The report kinds on the wire, as exec_stub.c writes them. */
    int PID = 'P', CHILD = 'C', FAILED = 'E', WARNED = 'W', FDS = 'F', READY = 'R';

    /** The jail's pid where this report says it, else 0. */
    default int pid() {
        return 0;
    }

    /** 'P' (from the resident stub): it cloned the jail, whose pid this is. */
    record Pid(int pid) implements Report {}

    /** 'C': the jail's first word; its pid comes from the sender's credentials (SO_PASSCRED). */
    record Child(int pid) implements Report {}

    /** 'E': operation {@code index} failed with {@code errno}; the jail exits. */
    record Failed(int index, int errno) implements Report {}

    /** 'W': operation {@code index} failed with {@code errno} and is allowed to (Op.WARN); the jail goes on. */
    record Warned(int index, int errno) implements Report {}

    /** 'F': SEND_FDS handed {@code fds} over for {@code kind} ({@link HandOver}); the jail waits for "go". */
    record Fds(int index, int kind, int[] fds) implements Report {}

    /** 'R': RECV_FDS waits for {@code wanted} fds. */
    record Ready(int index, int wanted) implements Report {}

    /** Anything else: the stub and this supervisor do not speak the same protocol. */
    record Unknown(int kind, int index, int value) implements Report {}

    /** The report for one record; {@code fds} only count for 'F' (the caller closes them otherwise). */
    static Report decode(int kind, int index, int value, int sender, int[] fds) {
        return switch (kind) {
            case PID -> new Pid(value);
            case CHILD -> new Child(sender);
            case FAILED -> new Failed(index, value);
            case WARNED -> new Warned(index, value);
            case FDS -> new Fds(index, value, fds);
            case READY -> new Ready(index, value);
            default -> new Unknown(kind, index, value);
        };
    }
}
