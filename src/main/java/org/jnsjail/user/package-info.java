/**
 * Identity: uid/gid maps of the jail's user namespace and how they are written.
 *
 * <p>Owns: map text, the parent's writes to /proc/PID/{setgroups,uid_map,gid_map}, newuidmap and
 * newgidmap. May not touch: anything inside the jail (the id switch itself is a plan operation).
 */
package org.jnsjail.user;
