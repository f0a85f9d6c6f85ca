package org.jnsjail.args;

import org.jnsjail.model.MountPt;
import org.jnsjail.log.Quote;

/**
 * The mount options' values (-R, -B, -T, -m, -s), split on ':' as nsjail does: a missing dst
 * means dst = src, and -m joins everything after the third ':' back into the options, so overlay
 * "lowerdir=a:b" survives.
 */
final class MountSpecs {
    private MountSpecs() {}

    static MountPt bindRo(String v, String opt) throws CliException {
        String[] f = split(v, 2, opt);
        return MountPt.bind(f[0], f.length > 1 ? f[1] : f[0], false);
    }

    static MountPt bindRw(String v, String opt) throws CliException {
        String[] f = split(v, 3, opt);
        MountPt m = MountPt.bind(f[0], f.length > 1 ? f[1] : f[0], true);
        if (f.length > 2 && !f[2].isEmpty()) {
            m = new MountPt(m.src(), m.dst(), "", f[2], true, true, null, true, false, false, false, false, null, "", "");
        }
        return m;
    }

    static MountPt tmpfs(String v, String opt) throws CliException {
        if (v.isEmpty()) throw new CliException(opt + ": empty mount point", false);
        return MountPt.fs("", v, "tmpfs", "size=4194304", true, true);
    }

    static MountPt mount(String v, String opt) throws CliException {
        String[] f = v.split(":", 4);
        if (f.length < 3) throw new CliException(opt + " wants 'src:dst:fstype[:options]', not " + Quote.of(v), false);
        String dst = f[1].isEmpty() ? f[0] : f[1];
        if (dst.isEmpty()) throw new CliException(opt + " " + Quote.of(v) + ": empty mount point", false);
        if (f[2].isEmpty()) throw new CliException(opt + " " + Quote.of(v) + ": empty file system type", false);
        String src = f[0]; // "none" kept, as nsjail shows it; the planner mounts it as the source "none"
        return MountPt.fs(src, dst, f[2], f.length > 3 ? f[3] : "", true, null);
    }

    static MountPt symlink(String v, String opt) throws CliException {
        String[] f = split(v, 2, opt);
        return MountPt.symlink(f[0], f.length > 1 ? f[1] : f[0]);
    }

    private static String[] split(String v, int max, String opt) throws CliException {
        String[] f = v.split(":", -1);
        // std::getline drops one trailing empty field
        if (f.length > 1 && f[f.length - 1].isEmpty()) f = java.util.Arrays.copyOf(f, f.length - 1);
        if (f.length > max) throw new CliException(opt + " " + Quote.of(v) + ": too many ':' fields (paths with ':' are not expressible)", false);
        if (f.length == 0 || f[0].isEmpty()) throw new CliException(opt + " " + Quote.of(v) + ": empty source", false);
        for (int i = 1; i < Math.min(f.length, 2); i++) {
            if (f[i].isEmpty()) f[i] = f[0];
        }
        return f;
    }
}
