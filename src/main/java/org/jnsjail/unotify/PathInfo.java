package org.jnsjail.unotify;

/**
 * One path a syscall named, as the report shows it.
 *
 * @param path      absolute path (made absolute against the caller's cwd or dirfd, not normalised)
 * @param jailType  lstat of the path inside the jail's root
 * @param mainType  lstat of the same path on the host
 * @param mode      O_ACCMODE of an open, UNSPECIFIED otherwise
 * @param modeExtra the other open flags by name ("O_CREAT|O_CLOEXEC"), "" if none
 */
record PathInfo(String path, PathType jailType, PathType mainType, OpenMode mode, String modeExtra) {
    public PathInfo {
        if (path == null || jailType == null || mainType == null || mode == null || modeExtra == null) {
            throw new NullPointerException();
        }
    }

    /** A path without open flags. */
    public static PathInfo of(String path, PathType jailType, PathType mainType) {
        return new PathInfo(path, jailType, mainType, OpenMode.UNSPECIFIED, "");
    }

    PathInfo withOpenFlags(OpenFlags.Decoded flags) {
        return new PathInfo(path, jailType, mainType, flags.mode(), flags.extra());
    }
}
