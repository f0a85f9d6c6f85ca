package org.jnsjail.unotify;

/**
 * struct seccomp_notif as SECCOMP_IOCTL_NOTIF_RECV fills it (seccomp_unotify(2)): the cookie to
 * answer with, the calling thread (in the supervisor's pid namespace), and struct seccomp_data.
 *
 * @param args the six raw arguments; for a 32-bit caller only the low 32 bits are meaningful
 */
record Notification(long id, int pid, int flags, int nr, int arch, long instructionPointer, long[] args) {}
