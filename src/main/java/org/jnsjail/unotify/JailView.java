package org.jnsjail.unotify;

/**
 * What the decoder may learn about the process that made a notified syscall. {@link LiveJail} asks
 * the kernel; tests substitute a fake. Every method is total: a failure is an answer (a marker, null,
 * -1 or a type), never an exception, since the decoder must always finish so the syscall can go on.
 */
interface JailView {
    /** readString's answer for a NULL pointer (printed as is, as nsjail does). */
    byte[] NULL_POINTER = {'N', 'U', 'L', 'L'};
    /** readString's answer for an unreadable pointer. */
    byte[] INVALID_POINTER = "<invalid_ptr>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The NUL-terminated string at {@code addr}, at most 4095 bytes; {@link #NULL_POINTER} or {@link #INVALID_POINTER}. */
    byte[] readString(long addr);

    /** The pointers of a NULL-terminated array at {@code addr}, at most 128; 4-byte ones when {@code compat}. */
    long[] readPointers(long addr, boolean compat);

    /** Reads up to {@code len} bytes at {@code addr} into {@code dst}; the count read, or -1. */
    int read(long addr, byte[] dst, int len);

    /** The target of /proc/PID/cwd (dirfd AT_FDCWD) or /proc/PID/fd/DIRFD; null if unreadable. */
    byte[] dirLink(int dirfd);

    /** lstat(2) of an absolute path inside the jail's root. */
    PathType jailType(byte[] absPath);

    /** lstat(2) of a path on the host (as seen by the supervisor). */
    PathType hostType(byte[] path);

    /** The kind of the caller's socket {@code fd} ({@link SocketNames#existing}); "" if unknown. */
    String socketKind(int fd);
}
