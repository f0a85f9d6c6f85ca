/**
 * The resident server: one warm jnsjail per user that serves -Mo command lines handed over by the
 * native client (src/main/c/client.c), each exactly as a cold run would have run it, with the
 * client's own stdio and fds (SCM_RIGHTS), environment, working directory, umask and limits.
 *
 * <p>Owns: the server's directory, socket and lock ({@link org.jnsjail.server.ServerDir}), the client
 * protocol ({@link org.jnsjail.server.Wire}), the kernel-checked facts about a client
 * ({@link org.jnsjail.server.Facts}) and the rules for what the server may take over
 * ({@link org.jnsjail.server.Takeover}); everything else runs cold. May not touch: command-line
 * syntax (the CLI supplies a {@link org.jnsjail.server.Handler}) or how jails are made (the
 * supervisor's). Security: only clients of the server's own effective uid (SO_PEERCRED) are served,
 * and nothing a client says is trusted beyond what the kernel confirms.
 */
package org.jnsjail.server;
