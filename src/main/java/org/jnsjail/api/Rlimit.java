package org.jnsjail.api;

/**
 * The resource limits a jail's program can be given (getrlimit(2)), by their kernel names. Values
 * are in the kernel's units: bytes for sizes, seconds for RLIMIT_CPU, a count otherwise,
 * {@link #INFINITY} for no limit. Each limit is set as both soft and hard limit, as nsjail does.
 */
public enum Rlimit {
    /** CPU time in seconds; then SIGXCPU, and SIGKILL at the hard limit. */
    RLIMIT_CPU,
    /** The largest file the program may create, in bytes. */
    RLIMIT_FSIZE,
    /** The data segment's size in bytes. */
    RLIMIT_DATA,
    /** The stack's size in bytes. */
    RLIMIT_STACK,
    /** The largest core dump, in bytes. */
    RLIMIT_CORE,
    /** Resident set size (ignored by Linux). */
    RLIMIT_RSS,
    /** Processes (threads) of the jail's user. */
    RLIMIT_NPROC,
    /** Open file descriptors: one more than the highest fd number. */
    RLIMIT_NOFILE,
    /** Bytes of memory that may be locked. */
    RLIMIT_MEMLOCK,
    /** The address space's size in bytes. */
    RLIMIT_AS,
    /** File locks (ignored by Linux). */
    RLIMIT_LOCKS,
    /** Signals that may be queued. */
    RLIMIT_SIGPENDING,
    /** Bytes in POSIX message queues. */
    RLIMIT_MSGQUEUE,
    /** The ceiling of the nice value (20 - limit). */
    RLIMIT_NICE,
    /** The ceiling of the real-time priority. */
    RLIMIT_RTPRIO,
    /** Microseconds of CPU under a real-time policy without a blocking call. */
    RLIMIT_RTTIME;

    /** No limit (RLIM_INFINITY). */
    public static final long INFINITY = -1L;
}
