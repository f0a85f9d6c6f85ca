/**
 * The command line: the option table ({@link org.jnsjail.cli.Opt}), a getopt_long-compatible parser
 * ({@link org.jnsjail.cli.Getopt}), {@code --help} ({@link org.jnsjail.cli.Help}), and turning the parsed options
 * into a jail spec.
 *
 * <p>Owns: the command line (option table, getopt_long, --help) and turning it into a jail spec.
 * May not touch: kernel interfaces directly.
 */
package org.jnsjail.cli;
