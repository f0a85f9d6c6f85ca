/**
 * The embeddable sandbox API: describe a jail ({@link org.jnsjail.model.JailSpec}), start it
 * ({@link org.jnsjail.api.Jails}), hold it ({@link org.jnsjail.model.JailHandle}), wait for its status.
 *
 * <p>Owns: the public types a Java program uses. May not touch: command-line or config-file
 * syntax (those live in cli and config and are thin layers over this package).
 */
package org.jnsjail.api;
