/**
 * nsjail configuration files ({@code -C FILE}): parsing TextProto or ProtoJSON into the generated
 * {@code NsJailConfig} message, and auditing which fields a config sets.
 *
 * <p>Owns: reading NsJailConfig files. May not touch: processes, mounts, the CLI.
 *
 * <p>Only this package may reference the generated classes in {@code org.jnsjail.config.proto}:
 * initialising their descriptors costs about 190 ms, which must be paid only when {@code -C} is used.
 */
package org.jnsjail.config;
