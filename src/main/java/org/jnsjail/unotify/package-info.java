/**
 * nsjail's {@code --seccomp_unotify} observer: which syscalls are traced, the tracer threads that
 * receive the seccomp user notifications (seccomp_unotify(2)), the decoding of their arguments, the
 * aggregated statistics and the report (unotify.proto text format, as nsjail prints it).
 *
 * <p>Owns: the Kafel policy text ({@link org.jnsjail.unotify.Unotify#policy}), the listener fds handed
 * to {@link org.jnsjail.unotify.Unotify#trace} (one thread per jail, the fd closed when the thread
 * ends), reading the traced process's memory (process_vm_readv), /proc/PID entries and sockets
 * (pidfd_getfd), the statistics, the report log lines and the report file, and the generated
 * {@code org.jnsjail.unotify.proto} classes (only {@code ReportText} touches them, so protobuf is
 * loaded only when a report is printed).
 *
 * <p>May not touch: the jail's behaviour. Every notification is answered with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, whatever decoding did: observation only, never enforcement, and
 * the syscall then runs under the jail's other filters (a stricter action of a user policy still
 * wins). It never writes to the jail's memory, never keeps a jail's fd, and compiles or installs no
 * filter (the caller compiles {@code policy()} with org.jnsjail.seccomp and installs it).
 *
 * <p>Deliberate differences from nsjail:
 * <ul>
 *   <li>Every jail is traced, concurrently (a thread each, shared thread-safe statistics). nsjail
 *       traces one jail at a time in LISTEN mode and closes later jails' listeners, whose traced
 *       syscalls then fail with ENOSYS.</li>
 *   <li>A path is classified inside the jail with openat2(RESOLVE_IN_ROOT) below /proc/PID/root, so
 *       absolute symlinks and ".." stay in the jail's root (nsjail's lstat of "/proc/PID/root" + path
 *       follows an absolute symlink to the host's file).</li>
 *   <li>O_SYNC and O_TMPFILE are named in mode_extra only when all their bits are set (nsjail names
 *       O_TMPFILE for any O_DIRECTORY open, and O_SYNC for any O_DSYNC one); O_LARGEFILE is named for
 *       32-bit callers.</li>
 *   <li>An i386 caller's syscall is named and decoded with the i386 table (nsjail looks its number up
 *       in the x86_64 table).</li>
 *   <li>A NULL or unreadable path pointer is reported as "NULL" / "&lt;invalid_ptr&gt;" with type
 *       NONEXISTENT, not joined to the cwd and looked up.</li>
 *   <li>The socket kind of a non-leader thread's socket is found too (PIDFD_THREAD pidfd).</li>
 *   <li>The statistics are hashed (nsjail scans them linearly) and bounded (64 MiB of strings;
 *       beyond that new entries are counted as dropped and a warning says how many).</li>
 *   <li>Bytes from the jail that are not valid UTF-8 are shown as U+FFFD (escaped) in the report; nsjail
 *       prints the raw bytes octal-escaped.</li>
 * </ul>
 */
package org.jnsjail.unotify;
