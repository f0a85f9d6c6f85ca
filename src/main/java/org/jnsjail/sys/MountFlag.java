package org.jnsjail.sys;

/** mount(2) flags (linux/mount.h), mount_setattr(2) attributes, and the new mount API's flags. */
public final class MountFlag {
    private MountFlag() {}

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096,
            MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_RELATIME = 1 << 21,
            MS_NOSYMFOLLOW = 256;

    public static final long MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
            MOUNT_ATTR_NOEXEC = 0x8;
    public static final int AT_RECURSIVE = 0x8000;
    public static final int MNT_DETACH = 2;
    /** open_tree(2): a detached copy of the tree (with AT_RECURSIVE: of its submounts too). */
    public static final int OPEN_TREE_CLONE = 1;
    /** move_mount(2): the source / the destination is the fd itself. */
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    /** fsconfig(2) commands the stub passes on: a bare flag, or a key with a string value. */
    public static final int FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1;
}
