package org.jnsjail.model;

/**
 * One line of a uid_map or gid_map (user_namespaces(7)): ids [inside, inside+count) in the jail
 * are [outside, outside+count) outside. {@code useNewIdMap}: written by newuidmap/newgidmap
 * (needs /etc/subuid rights) instead of directly by the supervisor.
 */
public record IdMap(long inside, long outside, long count, boolean useNewIdMap) {
    public IdMap {
        if (count < 1) count = 1; // as nsjail: a count below 1 means 1
    }
}
