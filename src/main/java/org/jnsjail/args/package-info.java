/**
 * nsjail's command line and config files read into a run: the option table ({@link org.jnsjail.args.Opt}),
 * a getopt_long-compatible parser ({@link org.jnsjail.args.Getopt}), {@code --help}
 * ({@link org.jnsjail.args.Help}), the config's settings ({@link org.jnsjail.args.ConfigApplier}), and
 * the run they describe ({@link org.jnsjail.args.CommandLine.Run}: the mode, the jail spec, the
 * supervisor's settings).
 *
 * <p>Owns: the syntax and meaning of nsjail's options and config fields, applied left to right as
 * nsjail does. May not touch: processes or the log: what parsing would log or change about logging
 * goes to a {@link org.jnsjail.args.ParseEffects}, which the CLI applies and a library caller only
 * collects. Reads host facts (ids, the caller's environment and limits, config and policy files) and
 * nothing else.
 */
package org.jnsjail.args;
