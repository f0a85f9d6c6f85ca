package org.jnsjail.unotify;

/**
 * open(2) flags as the report shows them: the access mode, and the other flags by name in nsjail's
 * order ("mode_extra"). Values are the x86 ones (asm-generic/fcntl.h as used by x86_64 and i386).
 */
final class OpenFlags {
    private OpenFlags() {}

    /** The access mode and the named extra flags ("" when none). */
    record Decoded(OpenMode mode, String extra) {}

    private static final int O_ACCMODE = 03;
    /** i386's O_LARGEFILE. On x86_64 glibc defines O_LARGEFILE as 0 (the kernel implies it), so nsjail never names it there. */
    static final int O_LARGEFILE_32 = 0100000;

    private record Flag(String name, int value) {}

    /**
     * nsjail's order. O_SYNC and O_TMPFILE are multi-bit (O_SYNC = __O_SYNC|O_DSYNC, O_TMPFILE =
     * __O_TMPFILE|O_DIRECTORY): they are named only when all their bits are set, so O_DIRECTORY
     * alone is not reported as O_TMPFILE.
     */
    private static final Flag[] FLAGS = {
        new Flag("O_CREAT", 0100), new Flag("O_EXCL", 0200), new Flag("O_NOCTTY", 0400),
        new Flag("O_TRUNC", 01000), new Flag("O_APPEND", 02000), new Flag("O_NONBLOCK", 04000),
        new Flag("O_DSYNC", 010000), new Flag("FASYNC", 020000), new Flag("O_DIRECT", 040000),
        new Flag("O_LARGEFILE", 0), new Flag("O_DIRECTORY", 0200000), new Flag("O_NOFOLLOW", 0400000),
        new Flag("O_NOATIME", 01000000), new Flag("O_CLOEXEC", 02000000), new Flag("O_SYNC", 04010000),
        new Flag("O_PATH", 010000000), new Flag("O_TMPFILE", 020200000),
    };

    /** Decodes {@code flags} as given by a 64-bit (compat false) or 32-bit (compat true) caller. */
    static Decoded decode(int flags, boolean compat) {
        OpenMode mode = switch (flags & O_ACCMODE) {
            case 0 -> OpenMode.RDONLY;
            case 1 -> OpenMode.WRONLY;
            case 2 -> OpenMode.RDWR;
            default -> OpenMode.UNSPECIFIED;
        };
        StringBuilder b = new StringBuilder();
        for (Flag f : FLAGS) {
            int v = f.name.equals("O_LARGEFILE") ? (compat ? O_LARGEFILE_32 : 0) : f.value;
            if (v != 0 && (flags & v) == v) {
                if (!b.isEmpty()) b.append('|');
                b.append(f.name);
            }
        }
        return new Decoded(mode, b.toString());
    }

    /** access(2)/faccessat(2) mode: "F_OK", or R_OK|W_OK|X_OK in that order ("" for other bits only). */
    static String accessMode(int mode) {
        if (mode == 0) return "F_OK";
        StringBuilder b = new StringBuilder();
        if ((mode & 4) != 0) b.append("R_OK|");
        if ((mode & 2) != 0) b.append("W_OK|");
        if ((mode & 1) != 0) b.append("X_OK|");
        if (!b.isEmpty()) b.setLength(b.length() - 1);
        return b.toString();
    }
}
