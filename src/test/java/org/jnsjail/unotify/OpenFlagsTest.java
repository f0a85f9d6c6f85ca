package org.jnsjail.unotify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpenFlagsTest {
    private static void check(int flags, OpenMode mode, String extra) {
        OpenFlags.Decoded d = OpenFlags.decode(flags, false);
        assertEquals(mode, d.mode(), "mode of 0" + Integer.toOctalString(flags));
        assertEquals(extra, d.extra(), "extra of 0" + Integer.toOctalString(flags));
    }

    @Test
    void accessModes() {
        check(0, OpenMode.RDONLY, "");
        check(1, OpenMode.WRONLY, "");
        check(2, OpenMode.RDWR, "");
        check(3, OpenMode.UNSPECIFIED, "");
    }

    @Test
    void extraFlagsInNsjailsOrder() {
        // what cat(1) does: O_RDONLY|O_CLOEXEC
        check(02000000, OpenMode.RDONLY, "O_CLOEXEC");
        // a shell's "> file": O_WRONLY|O_CREAT|O_TRUNC
        check(01 | 0100 | 01000, OpenMode.WRONLY, "O_CREAT|O_TRUNC");
        check(02 | 0100 | 0200 | 0400 | 02000 | 04000, OpenMode.RDWR, "O_CREAT|O_EXCL|O_NOCTTY|O_APPEND|O_NONBLOCK");
        check(020000 | 040000 | 01000000 | 0400000, OpenMode.RDONLY, "FASYNC|O_DIRECT|O_NOFOLLOW|O_NOATIME");
        check(010000000 | 02000000, OpenMode.RDONLY, "O_CLOEXEC|O_PATH");
    }

    @Test
    void multiBitFlagsNeedAllTheirBits() {
        // ls(1) opening a directory: O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY is not O_TMPFILE
        check(04000 | 02000000 | 0200000, OpenMode.RDONLY, "O_NONBLOCK|O_DIRECTORY|O_CLOEXEC");
        check(020200000 | 02, OpenMode.RDWR, "O_DIRECTORY|O_TMPFILE");
        check(010000, OpenMode.RDONLY, "O_DSYNC");
        check(04010000 | 01, OpenMode.WRONLY, "O_DSYNC|O_SYNC");
    }

    @Test
    void largeFileOnlyNamedForThirtyTwoBitCallers() {
        assertEquals("", OpenFlags.decode(0100000, false).extra());
        assertEquals("O_LARGEFILE|O_CLOEXEC", OpenFlags.decode(0100000 | 02000000, true).extra());
    }

    @Test
    void accessModeStrings() {
        assertEquals("F_OK", OpenFlags.accessMode(0));
        assertEquals("R_OK", OpenFlags.accessMode(4));
        assertEquals("W_OK|X_OK", OpenFlags.accessMode(3));
        assertEquals("R_OK|W_OK|X_OK", OpenFlags.accessMode(7));
        assertEquals("", OpenFlags.accessMode(8));
        assertEquals("R_OK", OpenFlags.accessMode(4 | 16));
    }
}
