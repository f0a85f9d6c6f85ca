package org.jnsjail.cli;

import org.jnsjail.api.IdMap;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;

/**
 * -u/-g/-U/-G values: {@code ID} or {@code IN:OUT[:COUNT]}, each id a name (looked up on the host
 * with getpwnam/getgrnam, as nsjail does) or a number; empty means the caller's id.
 */
final class Ids {
    private Ids() {}

    static IdMap parse(String v, boolean user, boolean newIdMap, HostInfo host) throws CliException {
        String[] f = v.split(":", -1);
        if (f.length > 3) throw new CliException("Invalid " + (user ? "uid" : "gid") + " mapping '" + v + "'", false);
        long self = user ? host.uid() : host.gid();
        if (newIdMap && f.length != 3) {
            throw new CliException("--" + (user ? "uid" : "gid") + "_mapping wants 'inside:outside:count', not '" + v + "'", false);
        }
        long inside = resolve(f[0], user, self);
        long outside = f.length > 1 ? resolve(f[1], user, self) : self;
        long count = 1;
        if (f.length > 2 && !f[2].isEmpty()) count = Num.parse(f[2], "count in '" + v + "'", 0, 0xffffffffL);
        return new IdMap(inside, outside, count, newIdMap);
    }

    /** A purely numeric string is tried as a name first, then as a number, as nsjail does. */
    private static long resolve(String id, boolean user, long self) throws CliException {
        if (id.isEmpty()) return self;
        long byName = user ? Libc.uidOfUser(id) : Libc.gidOfGroup(id);
        if (byName >= 0) return byName;
        try {
            long n = Long.parseLong(id);
            if (n >= 0 && n <= 0xfffffffeL) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new CliException("No such " + (user ? "user" : "group") + ": '" + id + "'", false);
    }
}
