package org.jnsjail.mount;

import static org.jnsjail.sys.MountFlag.MS_NODEV;
import static org.jnsjail.sys.MountFlag.MS_NOEXEC;
import static org.jnsjail.sys.MountFlag.MS_NOSUID;
import static org.jnsjail.sys.MountFlag.MS_RDONLY;

/**
 * A mount's option string split as nsjail's new mount API does: the generic
 * ro/rw/nosuid/suid/nodev/dev/noexec/exec words become mount flags, everything else is
 * file-system data (mount(2) "data"). nsjail's legacy backend passes them all as data, where
 * "nosuid" gives EINVAL; this is the documented, more useful behaviour.
 */
record MountOptions(long flags, String data) {
    static MountOptions parse(String options) {
        if (options.isEmpty()) return new MountOptions(0, "");
        long flags = 0;
        StringBuilder data = new StringBuilder();
        for (String o : options.split(",")) {
            switch (o) {
                case "ro" -> flags |= MS_RDONLY;
                case "rw" -> flags &= ~MS_RDONLY;
                case "nosuid" -> flags |= MS_NOSUID;
                case "suid" -> flags &= ~MS_NOSUID;
                case "nodev" -> flags |= MS_NODEV;
                case "dev" -> flags &= ~MS_NODEV;
                case "noexec" -> flags |= MS_NOEXEC;
                case "exec" -> flags &= ~MS_NOEXEC;
                case "" -> { }
                default -> {
                    if (!data.isEmpty()) data.append(',');
                    data.append(o);
                }
            }
        }
        return new MountOptions(flags, data.toString());
    }
}
