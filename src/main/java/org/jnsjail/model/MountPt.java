package org.jnsjail.model;

/**
 * One entry of the jail's mount list, nsjail's MountPt message: a mount, a bind mount, a symlink
 * ({@code isSymlink}: {@code src} is the link target) or a file made from {@code srcContent}.
 * {@code isDir} null means "decide by nsjail's heuristic"; {@code prefixSrcEnv}/{@code prefixDstEnv}
 * name environment variables whose value prefixes src/dst (an unset one is an error here).
 */
public record MountPt(String src, String dst, String fstype, String options, boolean isBind, boolean rw,
        Boolean isDir, boolean mandatory, boolean isSymlink, boolean nosuid, boolean nodev, boolean noexec,
        byte[] srcContent, String prefixSrcEnv, String prefixDstEnv) {

    public MountPt {
        src = src == null ? "" : src;
        dst = dst == null ? "" : dst;
        fstype = fstype == null ? "" : fstype;
        options = options == null ? "" : options;
        prefixSrcEnv = prefixSrcEnv == null ? "" : prefixSrcEnv;
        prefixDstEnv = prefixDstEnv == null ? "" : prefixDstEnv;
    }

    /** A read-only (unless rw) recursive bind mount, as -R/-B make. */
    public static MountPt bind(String src, String dst, boolean rw) {
        return new MountPt(src, dst, "", "", true, rw, null, true, false, false, false, false, null, "", "");
    }

    /** A filesystem mount, as -m makes. */
    public static MountPt fs(String src, String dst, String fstype, String options, boolean rw, Boolean isDir) {
        return new MountPt(src, dst, fstype, options, false, rw, isDir, true, false, false, false, false, null, "", "");
    }

    /** A symlink at dst pointing to target, as -s makes. */
    public static MountPt symlink(String target, String dst) {
        return new MountPt(target, dst, "", "", false, true, null, true, true, false, false, false, null, "", "");
    }

    public MountPt withMandatory(boolean m) {
        return new MountPt(src, dst, fstype, options, isBind, rw, isDir, m, isSymlink, nosuid, nodev, noexec,
                srcContent, prefixSrcEnv, prefixDstEnv);
    }

    public MountPt withFlags(boolean nosuid, boolean nodev, boolean noexec) {
        return new MountPt(src, dst, fstype, options, isBind, rw, isDir, mandatory, isSymlink, nosuid, nodev,
                noexec, srcContent, prefixSrcEnv, prefixDstEnv);
    }
}
