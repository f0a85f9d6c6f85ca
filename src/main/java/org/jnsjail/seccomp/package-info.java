/**
 * Kafel seccomp policy compiler in pure Java.
 *
 * <p>owns: Kafel language &rarr; classic BPF (lexing, parsing, semantic resolution, code generation,
 * a BPF interpreter and an "explain" evaluator); may not touch: processes, files other than policy
 * includes.
 *
 * <p>Entry points: {@link org.jnsjail.seccomp.KafelCompiler#compile} and
 * {@link org.jnsjail.seccomp.KafelCompiler#resolve}; a jail's policy (the command line's and the
 * API's alike) is compiled by {@link org.jnsjail.seccomp.JailPolicy}, which adds the x32 guard. Everything else is package-private plumbing
 * except the data types those methods return.
 */
package org.jnsjail.seccomp;
