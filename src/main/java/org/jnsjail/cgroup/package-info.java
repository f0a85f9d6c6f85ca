/**
 * cgroups for jails (cgroups(7), Documentation/admin-guide/cgroup-v1/ and cgroup-v2.rst): which
 * cgroup files get which contents for nsjail's 17 cgroup settings (pure, testable against a
 * temporary directory tree), and the per-jail {@link org.jnsjail.model.JailResource} that
 * creates the cgroups, writes the limits, puts the jail in them before it runs any code of its own,
 * reports OOM kills and removes them again.
 *
 * <p>Owns: the v1 {@code <mount>/<parent>/NSJAIL.*} and v2 {@code <cgroupv2_mount>/NSJAIL.*}
 * directories, the v1 parent directories it creates, v2 controller delegation in the mount's
 * {@code cgroup.subtree_control} and the supervisor's own move into {@code NSJAIL_SELF.<pid>}.
 * May not touch: any other host state (every host operation goes through {@link
 * org.jnsjail.cgroup.CgroupHost}).
 */
package org.jnsjail.cgroup;
