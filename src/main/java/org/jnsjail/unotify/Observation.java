package org.jnsjail.unotify;

import java.util.List;

/**
 * What one notified syscall amounts to once decoded: its display name, its decoded arguments as one
 * string ("dirfd=AT_FDCWD mode=0755 ", each followed by a space, as nsjail prints them; "" if none),
 * the paths it named (zero, one or two) and the network address it named (or null). A syscall that
 * names neither paths nor an address (socket(2), a sendto without address) leaves no trace in the
 * report, as in nsjail.
 */
record Observation(String syscall, String args, List<PathInfo> paths, NetInfo net) {
    public Observation {
        paths = List.copyOf(paths);
        if (syscall == null || args == null) throw new NullPointerException();
    }

    boolean recordsSomething() {
        return !paths.isEmpty() || net != null;
    }
}
