/**
 * The jail's file system: turns the mount list into stub operations that build a new root
 * inside the jail's own mount namespace, leaving the host's file systems and mount table untouched.
 *
 * <p>Owns: mount ordering, mount-point creation rules, final mount flags, pivot_root. May not touch:
 * the host (it only reads facts through {@link org.jnsjail.mount.HostFs}) or any other namespace.
 */
package org.jnsjail.mount;
