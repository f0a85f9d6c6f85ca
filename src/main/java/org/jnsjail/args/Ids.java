package org.jnsjail.args;

import org.jnsjail.model.IdMap;
import org.jnsjail.log.Quote;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;

/**
 * -u/-g/-U/-G values: {@code ID} or {@code IN:OUT[:COUNT]}, each id a name (looked up on the host
 * with getpwnam/getgrnam, as nsjail does) or a number; an empty or missing id means the caller's id,
 * a missing count 1 (so an empty -U/-G maps the caller's id to itself, as nsjail does).
 */
final class Ids {
    private Ids() {}

    static IdMap parse(String v, String opt, boolean user, boolean newIdMap, HostInfo host) throws CliException {
        String[] f = v.split(":", -1);
        if (f.length > 3) throw new CliException(opt + ": invalid " + (user ? "uid" : "gid") + " mapping " + Quote.of(v), false);
        long self = user ? host.uid() : host.gid();
        long inside = resolve(f[0], opt, user, self);
        long outside = f.length > 1 ? resolve(f[1], opt, user, self) : self;
        long count = 1;
        if (f.length > 2 && !f[2].isEmpty()) count = Num.parse(f[2], opt + ": the count in " + Quote.of(v), 0, 0xffffffffL);
        return new IdMap(inside, outside, count, newIdMap);
    }

    /** A purely numeric string is tried as a name first, then as a number, as nsjail does. */
    private static long resolve(String id, String opt, boolean user, long self) throws CliException {
        if (id.isEmpty()) return self;
        long byName = user ? Libc.uidOfUser(id) : Libc.gidOfGroup(id);
        if (byName >= 0) return byName;
        try {
            long n = Long.parseLong(id);
            if (n >= 0 && n <= 0xfffffffeL) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new CliException(opt + ": no such " + (user ? "user" : "group") + ": " + Quote.of(id), false);
    }
}
