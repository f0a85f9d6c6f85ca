/**
 * Supervision: starting jails through the exec stub, waiting for them, time limits, signals, and
 * the run modes (ONCE, RERUN, LISTEN, EXECVE); the per-jail host resources (cgroups, interfaces,
 * user_net, the seccomp tracer) are attached and released here, and take the fds a jail hands over.
 * The public API and the command line's modes start jails with the same calls ({@link
 * org.jnsjail.supervisor.Spawner}), and a jail's handle enforces its time limit itself, for all of them.
 *
 * <p>Owns: the jail's lifetime as seen from the JVM. May not touch: how a jail is laid out (that is
 * the plan's) or command-line syntax.
 */
package org.jnsjail.supervisor;
