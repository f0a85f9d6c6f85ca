/**
 * jnsjail-policy: compile, dump and explain Kafel policies from the command line.
 *
 * <p>Owns: its own small command line, kept apart from nsjail's options so the two can never clash.
 * May not touch: jails; it only reads policy files.
 */
package org.jnsjail.seccomp.tool;
