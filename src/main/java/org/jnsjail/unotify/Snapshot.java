package org.jnsjail.unotify;

import java.util.List;

/**
 * The aggregated statistics at one moment, in first-seen order: what the report prints.
 *
 * @param fs      one entry per (path, jail type, host type, mode)
 * @param net     one entry per (family, endpoint, port, AF_UNIX path)
 * @param dropped observations not recorded because the statistics reached their size limit
 */
record Snapshot(List<FsAccess> fs, List<NetAccess> net, long dropped) {
    /** One syscall variant under a resource: its name, its argument string ("" = none) and how often. */
    public record SyscallCount(String name, String args, long count) {}

    /** A path, with the attributes of its first observation (mode_extra goes into the syscall args). */
    public record FsAccess(PathInfo path, long count, List<SyscallCount> syscalls) {}

    public record NetAccess(NetInfo net, long count, List<SyscallCount> syscalls) {}

    public Snapshot {
        fs = List.copyOf(fs);
        net = List.copyOf(net);
    }

    /** Nothing to report: nsjail prints no report at all then. */
    public boolean isEmpty() {
        return fs.isEmpty() && net.isEmpty();
    }
}
