package org.jnsjail.unotify;

/**
 * What lstat(2) found at a path: unotify.Stat.Path.Type, numbered as in unotify.proto. UNKNOWN is a
 * file type lstat does not name (or a path that could not be looked at); NONEXISTENT means lstat failed.
 */
enum PathType {
    UNKNOWN, NONEXISTENT, REGULAR, DIR, CHR, BLK, FIFO, LINK, SOCK;

    private static final int S_IFMT = 0170000;

    /** The type from st_mode's S_IFMT bits (inode(7)). */
    static PathType ofMode(int stMode) {
        return switch (stMode & S_IFMT) {
            case 0100000 -> REGULAR;
            case 0040000 -> DIR;
            case 0020000 -> CHR;
            case 0060000 -> BLK;
            case 0010000 -> FIFO;
            case 0120000 -> LINK;
            case 0140000 -> SOCK;
            default -> UNKNOWN;
        };
    }

    /** exists_in_jail / exists_in_main: an inode was found (stats.cc derives them the same way). */
    boolean exists() {
        return this != NONEXISTENT && this != UNKNOWN;
    }
}
