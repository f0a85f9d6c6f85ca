/**
 * jnsjail as a library, shaped like {@link java.lang.ProcessBuilder} and {@link java.lang.Process}:
 * describe a jail with a {@link org.jnsjail.api.JailBuilder} (nsjail's defaults), start it, and hold
 * it as a {@link org.jnsjail.api.JailProcess}, whose {@link org.jnsjail.api.JailProcess#result()} says
 * how it ended and what it used ({@link org.jnsjail.api.JailResult}). A start that fails throws a
 * {@link org.jnsjail.api.JailException} naming the failed step and the errno. A program that starts
 * one description again and again can have its next jails readied while the current one runs
 * ({@link org.jnsjail.api.Jail#readyAhead}, a {@link org.jnsjail.api.JailPool}). nsjail's command-line
 * options and config files become a builder through {@link org.jnsjail.api.NsjailArgs}. jnsjail logs
 * nothing until it is given a {@link java.lang.System.Logger} ({@link org.jnsjail.api.Jails#setLogger}).
 *
 * <pre>{@code
 * JailProcess p = new JailBuilder("/bin/echo", "hello")
 *         .readOnlyRoot()
 *         .timeLimit(Duration.ofSeconds(2))
 *         .memoryLimit(64 << 20)
 *         .start();
 * String out = new String(p.getInputStream().readAllBytes());
 * JailResult r = p.result();   // EXITED, exit code 0, wall and CPU time, peak memory
 * }</pre>
 *
 * <p>Every limit is enforced by the library: the time limit by a thread of this JVM that waits for
 * each jail from its start, the others by the kernel (rlimits, cgroups, seccomp).
 *
 * <p>Owns: the public types (this module exports only this package) and turning them into the
 * supervisor's description of a jail. May not touch: kernel interfaces beyond the pipes and files of
 * a jail's stdio, command-line syntax (that is {@code org.jnsjail.args}'s) or the log's format.
 */
package org.jnsjail.api;
