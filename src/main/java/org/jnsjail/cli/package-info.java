/**
 * The nsjail command: {@link org.jnsjail.cli.Main} reads the command line ({@code org.jnsjail.args}),
 * applies its logging options, and runs the mode (ONCE, RERUN, LISTEN through the supervisor's
 * calls that the public API uses too; EXECVE in place); -d ({@link org.jnsjail.cli.Daemon}); the
 * resident server's requests ({@link org.jnsjail.cli.Served}); the man page and completion
 * ({@link org.jnsjail.cli.Docs}).
 *
 * <p>Owns: nsjail's log format on stderr, exit codes and one-line errors. May not touch: kernel
 * interfaces directly, or command-line syntax (that is {@code org.jnsjail.args}'s).
 */
package org.jnsjail.cli;
