package org.jnsjail.mount;

import org.jnsjail.model.SetupStep;

import org.jnsjail.log.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.MountPt;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.Step;

import static org.jnsjail.sys.Fcntl.AT_EMPTY_PATH;
import static org.jnsjail.sys.Fcntl.O_CREAT;
import static org.jnsjail.sys.Fcntl.O_DIRECTORY;
import static org.jnsjail.sys.Fcntl.O_EXCL;
import static org.jnsjail.sys.Fcntl.O_NONBLOCK;
import static org.jnsjail.sys.Fcntl.O_PATH;
import static org.jnsjail.sys.Fcntl.O_RDONLY;
import static org.jnsjail.sys.Fcntl.O_WRONLY;
import static org.jnsjail.sys.Fcntl.RESOLVE_BENEATH;
import static org.jnsjail.sys.Fcntl.RESOLVE_IN_ROOT;
import static org.jnsjail.sys.Fcntl.RESOLVE_NO_MAGICLINKS;
import static org.jnsjail.sys.Fcntl.RESOLVE_NO_SYMLINKS;
import static org.jnsjail.sys.Fcntl.RESOLVE_NO_XDEV;
import static org.jnsjail.sys.MountFlag.AT_RECURSIVE;
import static org.jnsjail.sys.MountFlag.FSCONFIG_SET_FLAG;
import static org.jnsjail.sys.MountFlag.FSCONFIG_SET_STRING;
import static org.jnsjail.sys.MountFlag.MNT_DETACH;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NODEV;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NOEXEC;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NOSUID;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_RDONLY;
import static org.jnsjail.sys.MountFlag.MOVE_MOUNT_F_EMPTY_PATH;
import static org.jnsjail.sys.MountFlag.MOVE_MOUNT_T_EMPTY_PATH;
import static org.jnsjail.sys.MountFlag.MS_NODEV;
import static org.jnsjail.sys.MountFlag.MS_NOEXEC;
import static org.jnsjail.sys.MountFlag.MS_NOSUID;
import static org.jnsjail.sys.MountFlag.MS_PRIVATE;
import static org.jnsjail.sys.MountFlag.MS_RDONLY;
import static org.jnsjail.sys.MountFlag.OPEN_TREE_CLONE;

/**
 * Builds the mount operations for a jail, run inside its fresh mount namespace.
 *
 * <p>How the host stays untouched (where nsjail creates work dirs under /run/user or /tmp and
 * mount points inside the --chroot directory): a private tmpfs ("scratch") is mounted on an
 * existing directory of our own mount namespace and pivot_root(2) makes it the root, with the old
 * root at /old. Mount sources are then reached through the old root, so the scratch mount shadows
 * no source, and nothing is mounted under a source. The jail's root is assembled at /new; every
 * host bind is made read-only (recursively, mount_setattr(2) AT_RECURSIVE) before it is attached,
 * so the setup itself cannot write to the host either. A mount point missing inside a host bind
 * is an error rather than a mkdir on the host. Finally pivot_root(".", ".") into /new and a lazy
 * unmount drop the scratch and the old root (pivot_root(2), NOTES).
 *
 * <p>How no jail can redirect the set-up (a jail sharing a writable bind with this one can swap a
 * directory for a symlink between two of its steps): nothing is done by path. The stub keeps fds in
 * numbered slots. Every lookup is one openat2(2) from a slot: mount targets from the jail's root with
 * RESOLVE_IN_ROOT (a symlink inside the jail is followed as the jail will see it, and never leads
 * out of it), bind sources from the old root the same way; the directories that mount points are
 * created in are looked up from the fd of the jail-owned file system they belong to with
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV, so mkdirat/openat/symlinkat can only ever
 * create in a file system this plan made, whatever was renamed meanwhile. Mounts are made with
 * open_tree(2) or fsopen(2)/fsmount(2), attached with move_mount(2) and sealed with mount_setattr(2),
 * all by fd (openat2(2), RESOLVE_* flags; mount_namespaces(7)). No magic link is ever followed.
 */
public final class MountPlanner {
    private MountPlanner() {}

    /** Directories tried, in order, as the place for the scratch tmpfs (it hides them only in the jail's namespace). */
    static final List<String> SCRATCH_CANDIDATES = List.of("/tmp", "/mnt", "/run", "/dev", "/var/tmp", "/root",
            "/home", "/opt", "/srv", "/media", "/usr", "/etc");
    static final String OLD = "/old";
    static final String NEW = "/new";
    /** nsjail's root tmpfs size (16 MiB). */
    static final String ROOT_TMPFS_OPTIONS = "size=16777216";

    /** The stub's fd slots (exec_stub.c SLOT_MAX): fixed ones, then one per jail-owned mount. */
    static final int HOST_ROOT = 0, SCRATCH = 1, NEW_DIR = 2, JAIL_ROOT = 3, TARGET = 4, SOURCE = 5, TREE = 6, DIR = 7,
            FIRST_KEPT = 8, SLOT_MAX = 4096;
    /** Creating: never leave the jail-owned file system, never follow any symlink. */
    static final long RESOLVE_OWNED = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    /** Mount targets (from the jail's root) and sources (from the old root): symlinks followed as inside that root. */
    static final long RESOLVE_ROOTED = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    static final long TREE_FLAGS = OPEN_TREE_CLONE | AT_EMPTY_PATH;
    static final long MOVE_FLAGS = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;

    /**
     * Where a jail path's contents come from while the tree is being built; {@code slot} holds the
     * mount of a jail-owned layer (mount points are created through it), -1 for a host bind.
     */
    private record Layer(String dst, String hostSrc, boolean jailOwned, int slot) {}

    /** A mount whose final flags are applied once every mount exists (it may hold later mount points). */
    private record Deferred(int slot, long attrs, String what, int flags) {}

    /** The plan under construction and its slot allocation. */
    private static final class Ctx {
        final List<Op> ops = new ArrayList<>();
        final List<Layer> layers = new ArrayList<>();
        final List<Deferred> deferred = new ArrayList<>();
        final HostFs fs;
        final List<MountPt> mounts;
        /** Where host paths inside mount options (block devices, overlay dirs) are during set-up. */
        final String oldRoot;
        int nextSlot = FIRST_KEPT;

        Ctx(HostFs fs, List<MountPt> mounts, String oldRoot) {
            this.fs = fs;
            this.mounts = mounts;
            this.oldRoot = oldRoot;
        }

        int keptSlot(String what) throws JailFailure {
            if (nextSlot >= SLOT_MAX) throw new JailFailure(SetupStep.MOUNT, what + ": too many mounts (at most " + (SLOT_MAX - FIRST_KEPT) + ")");
            return nextSlot++;
        }
    }

    /**
     * @param mounts the jail's mount list, in order; an entry with dst "/" first makes the root
     * @param rootRw leave the tmpfs root writable (--rw)
     * @param noPivotRoot use move_mount onto / + chroot(2) instead of pivot_root(2) (for initramfs)
     * @param env the supervisor's environment, for prefix_src_env / prefix_dst_env
     * @param cwd the jail's working directory, entered last
     */
    public static List<Op> plan(List<MountPt> mounts, boolean rootRw, boolean noPivotRoot, String cwd,
            Map<String, String> env, HostFs hostFs, List<String> warnings) throws JailFailure {
        HostFs fs = new ProcMountsOnce(hostFs); // mountinfo is read once per plan, not once per bind
        List<MountPt> resolved = new ArrayList<>(mounts.size());
        for (MountPt m : mounts) resolved.add(resolvePrefixes(m, env));

        String scratch = chooseScratch(resolved, fs, noPivotRoot);
        Ctx c = new Ctx(fs, resolved, noPivotRoot ? "" : OLD);
        List<Op> ops = c.ops;

        ops.add(openAt(HOST_ROOT, -1, "/", O_PATH | O_DIRECTORY, 0, "open the root directory '/'"));
        ops.add(Op.of("make the mount tree private: mount_setattr('/', AT_RECURSIVE, MS_PRIVATE)",
                new Step.SetattrAt(HOST_ROOT, AT_EMPTY_PATH | AT_RECURSIVE, 0, 0, MS_PRIVATE)));
        String what = "mount the scratch tmpfs on '" + scratch + "'";
        group(ops, 0, openAt(TARGET, HOST_ROOT, rel(scratch), O_PATH | O_DIRECTORY, RESOLVE_ROOTED, what),
                fsMount(SCRATCH, "tmpfs", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "tmpfs", "size=16777216,mode=0700", what),
                move(SCRATCH, TARGET, what));
        ops.add(mkdirAt(SCRATCH, NEW.substring(1), 0700, "scratch " + NEW + ": mkdir('" + scratch + NEW + "')"));
        ops.add(openAt(NEW_DIR, SCRATCH, NEW.substring(1), O_PATH | O_DIRECTORY, RESOLVE_OWNED,
                "open '" + scratch + NEW + "'"));
        if (!noPivotRoot) {
            ops.add(mkdirAt(SCRATCH, OLD.substring(1), 0700, "scratch " + OLD + ": mkdir('" + scratch + OLD + "')"));
            // pivot_root(2) takes paths: "." is the scratch mount itself (its fd is our cwd) and "old"
            // a name in it, in a tmpfs that only this process can reach (our own mount namespace).
            String pivot = "pivot_root('" + scratch + "', '" + scratch + OLD + "')";
            ops.add(Op.of(pivot, new Step.Fchdir(SCRATCH)));
            ops.add(Op.of(pivot, new Step.PivotRoot(".", OLD.substring(1))));
        }

        int first = 0;
        if (!resolved.isEmpty() && Paths2.normalize(resolved.getFirst().dst()).equals("/")
                && !resolved.getFirst().isSymlink() && resolved.getFirst().isBind()) {
            // The root is a bind (--chroot): no tmpfs under it.
            MountPt root = resolved.getFirst();
            String src = Paths2.normalize(root.src());
            checkBindSource(root, src, fs, true);
            String rootWhat = describe(root);
            long attrs = attrs(root, root.rw());
            List<Op> g = new ArrayList<>(bindTree(JAIL_ROOT, src, AT_RECURSIVE, rootWhat));
            if (attrs != 0) g.add(setattr(JAIL_ROOT, attrs, true, rootWhat));
            g.add(move(JAIL_ROOT, NEW_DIR, rootWhat));
            group(ops, 0, g.toArray(Op[]::new));
            c.layers.add(new Layer("/", src, false, -1));
            coverHostProc(c, src, "/", 0);
            first = 1;
        } else {
            group(ops, 0, fsMount(JAIL_ROOT, "tmpfs", 0, "tmpfs", ROOT_TMPFS_OPTIONS, "mount the root tmpfs"),
                    move(JAIL_ROOT, NEW_DIR, "mount the root tmpfs"));
            c.layers.add(new Layer("/", null, true, JAIL_ROOT));
            if (!rootRw) c.deferred.add(new Deferred(JAIL_ROOT, MOUNT_ATTR_RDONLY, "remount '/' read-only", 0));
        }

        for (int i = first; i < resolved.size(); i++) {
            MountPt m = resolved.get(i);
            int mark = ops.size(), layerMark = c.layers.size(), deferMark = c.deferred.size();
            try {
                addMount(c, m, i);
            } catch (SkipMount e) {
                // A non-mandatory mount that cannot be made: one warning, and the jail goes on without it.
                ops.subList(mark, ops.size()).clear();
                c.layers.subList(layerMark, c.layers.size()).clear();
                c.deferred.subList(deferMark, c.deferred.size()).clear();
                warnings.add(e.getMessage());
                continue;
            }
            // One mount, one warning: after a failed step of a non-mandatory mount the rest is skipped.
            for (int k = mark + 1; k < ops.size(); k++) ops.set(k, ops.get(k).withFlags(Op.CHAINED));
        }

        // Seal jail-owned mounts, innermost (latest) first, each by its own fd: a mount stacked on
        // the same mount point later is not the one sealed.
        for (int i = c.deferred.size() - 1; i >= 0; i--) {
            Deferred d = c.deferred.get(i);
            // A non-mandatory mount that failed has warned once already; its seal has nothing to seal.
            int skip = (d.flags() & Op.WARN) != 0 ? Op.IF_FILLED : 0;
            ops.add(setattr(d.slot(), d.attrs(), false, d.what()).withFlags(d.flags() | skip));
        }

        if (noPivotRoot) {
            ops.add(Op.of("chdir('" + scratch + NEW + "')", new Step.Fchdir(JAIL_ROOT)));
            ops.add(Op.of("move the new root onto '/'", new Step.MoveMount(JAIL_ROOT, HOST_ROOT, MOVE_FLAGS)));
            ops.add(Op.of("chroot('.')", new Step.Chroot(".")));
            if (first == 1 && Paths2.isUnder(scratch, Paths2.normalize(resolved.getFirst().src()))) {
                // The recursive root bind copied the scratch mount along; drop that copy so the jail
                // sees the host directory underneath (no user mount lies there: see chooseScratch).
                // umount2(2) takes only a path: "." once the copy's root is our cwd.
                String inJail = scratch.substring(Paths2.normalize(resolved.getFirst().src()).length());
                if (!inJail.startsWith("/")) inJail = "/" + inJail;
                String d = "detach the scratch copy at '" + inJail + "'";
                group(ops, Op.IGNORE, openAt(TARGET, JAIL_ROOT, rel(inJail), O_PATH | O_DIRECTORY,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, d),
                        Op.of(d, new Step.Fchdir(TARGET)),
                        Op.of(d, new Step.Umount2(".", MNT_DETACH)));
            }
        } else {
            ops.add(Op.of("chdir('" + NEW + "')", new Step.Fchdir(JAIL_ROOT)));
            ops.add(Op.of("pivot_root('.', '.')", new Step.PivotRoot(".", ".")));
            ops.add(Op.of("detach the old root", new Step.Umount2(".", MNT_DETACH)));
        }
        ops.add(Op.of("close the file system set-up's fds", new Step.CloseSlots()));
        // From here on "/" is the jail's root: these paths resolve inside it, as the jail sees them.
        ops.add(Op.of("chdir('/')", new Step.Chdir("/")));
        if (!Paths2.normalize(cwd).equals("/")) ops.add(Op.of("chdir(" + Quote.of(cwd) + ")", new Step.Chdir(cwd)));
        return ops;
    }

    /** Adds the operations for one mount after the root. */
    private static void addMount(Ctx c, MountPt m, int i) throws JailFailure {
        List<Op> ops = c.ops;
        String dst = Paths2.normalize(m.dst());
        if (m.dst().isEmpty()) throw new JailFailure(SetupStep.MOUNT, "mount #" + i + ": 'dst' is empty");
        int flags = m.mandatory() ? 0 : Op.WARN;
        String what = describe(m);

        if (m.isSymlink()) {
            ensureParents(c, dst, what, flags);
            Layer l = requireCreatable(c.layers, dst, what, flags);
            int dir = dirSlot(c, l, parentOf(dst), "symlink('" + m.src() + "', '" + dst + "')", flags);
            ops.add(Op.of("symlink('" + m.src() + "', '" + dst + "')", new Step.SymlinkAt(m.src(), dir, leafOf(dst)))
                    .withFlags(flags));
            return;
        }
        if (m.srcContent() != null) {
            // The content goes to a file in the scratch tmpfs (only this process reaches it), whose bind is the mount.
            String file = "content." + i;
            ops.add(Op.of("write the content of '" + dst + "'",
                    new Step.WriteAt(SCRATCH, file, O_WRONLY | O_CREAT | O_EXCL, 0644, m.srcContent())).withFlags(flags));
            ensureMountPoint(c, dst, false, what, flags);
            int slot = c.keptSlot(what);
            ops.add(openAt(SOURCE, SCRATCH, file, O_PATH, RESOLVE_OWNED, what).withFlags(flags));
            ops.add(Op.of(what, new Step.OpenTree(slot, SOURCE, TREE_FLAGS)).withFlags(flags));
            long attrs = attrs(m, m.rw());
            if (attrs != 0) ops.add(setattr(slot, attrs, false, what).withFlags(flags));
            ops.add(target(dst, what).withFlags(flags));
            ops.add(move(slot, TARGET, what).withFlags(flags));
            c.layers.add(new Layer(dst, null, true, slot));
            return;
        }
        if (m.isBind()) {
            String src = Paths2.normalize(m.src());
            if (!checkBindSource(m, src, c.fs, m.mandatory())) throw new SkipMount(describe(m) + ": source " + Quote.of(src) + " does not exist or is not a directory; skipped (mandatory:false)");
            boolean isDir = m.isDir() != null ? m.isDir() : c.fs.kind(src) == HostFs.Kind.DIRECTORY;
            ensureMountPoint(c, dst, isDir, what, flags);
            // -B src:dst:options: a bind has no file-system data, but the generic words
            // (ro, nosuid, nodev, noexec) apply, as with nsjail's new mount API.
            MountOptions bo = MountOptions.parse(m.options());
            if (!bo.data().isEmpty()) {
                throw new JailFailure(SetupStep.MOUNT, what + ": a bind mount takes only ro/rw/nosuid/nodev/noexec options, not '"
                        + bo.data() + "'");
            }
            long attrs = attrs(m, m.rw() && (bo.flags() & MS_RDONLY) == 0) | mountAttrs(bo.flags());
            for (Op op : bindTree(TREE, src, AT_RECURSIVE, what)) ops.add(op.withFlags(flags));
            // Host trees are sealed at once, recursively and before they are attached: the setup never writes to the host.
            if (attrs != 0) ops.add(setattr(TREE, attrs, true, what).withFlags(flags));
            ops.add(target(dst, what).withFlags(flags));
            ops.add(move(TREE, TARGET, what).withFlags(flags));
            c.layers.add(new Layer(dst, src, false, -1));
            coverHostProc(c, src, dst, flags);
            return;
        }
        // A new file system (tmpfs, proc, sysfs, overlay, ...): jail-owned, sealed at the end.
        MountOptions mo = MountOptions.parse(m.options());
        boolean isDir = m.isDir() == null || m.isDir();
        ensureMountPoint(c, dst, isDir, what, flags);
        String src = m.src().isEmpty() ? "none" : m.src();
        // A block device or other host path, and overlayfs' directories: looked up by the kernel as
        // given (the user's host paths, like bind sources: see docs/security.md).
        if (src.startsWith("/")) src = c.oldRoot + src;
        int slot = c.keptSlot(what);
        ops.add(fsMount(slot, m.fstype(), mountAttrs(mo.flags()), src, rewriteOverlayDirs(m.fstype(), mo.data(), c.oldRoot),
                what).withFlags(flags));
        ops.add(target(dst, what).withFlags(flags));
        ops.add(move(slot, TARGET, what).withFlags(flags));
        long attrs = attrs(m, m.rw() && (mo.flags() & MS_RDONLY) == 0) | mountAttrs(mo.flags());
        if (attrs != 0) c.deferred.add(new Deferred(slot, attrs, what, flags));
        c.layers.add(new Layer(dst, null, true, slot));
    }

    /** A detached copy of the host tree at {@code src}, looked up once from the old root. */
    private static List<Op> bindTree(int slot, String src, long recursive, String what) {
        if (src.equals("/")) return List.of(Op.of(what, new Step.OpenTree(slot, HOST_ROOT, TREE_FLAGS | recursive)));
        return List.of(openAt(SOURCE, HOST_ROOT, rel(src), O_PATH, RESOLVE_ROOTED, what),
                Op.of(what, new Step.OpenTree(slot, SOURCE, TREE_FLAGS | recursive)));
    }

    /** Looks up a mount point inside the jail's root, into the TARGET slot. */
    private static Op target(String dst, String what) {
        if (dst.equals("/")) return openAt(TARGET, JAIL_ROOT, ".", O_PATH, RESOLVE_ROOTED, what);
        return openAt(TARGET, JAIL_ROOT, rel(dst), O_PATH, RESOLVE_ROOTED, what);
    }

    /** Adds ops that all fail together: the first carries {@code flags}, the others are chained to it. */
    private static void group(List<Op> ops, int flags, Op... group) {
        for (int i = 0; i < group.length; i++) ops.add(group[i].withFlags(i == 0 ? flags : flags | Op.CHAINED));
    }

    /**
     * The ops for --disable_clone_newns: no mounts, only chroot(2) to the root bind's source, looked
     * up once (a host path: there is no new root to stay in) and entered by fd.
     */
    public static List<Op> planWithoutMountNs(List<MountPt> mounts, String cwd) {
        List<Op> ops = new ArrayList<>();
        for (MountPt m : mounts) {
            if (m.isBind() && Paths2.normalize(m.dst()).equals("/")) {
                String what = "chroot(" + Quote.of(m.src()) + ")";
                group(ops, 0, openAt(HOST_ROOT, -1, m.src(), O_PATH | O_DIRECTORY, 0, what),
                        Op.of(what, new Step.Fchdir(HOST_ROOT)),
                        Op.of(what, new Step.Chroot(".")));
                ops.add(Op.of("close the file system set-up's fds", new Step.CloseSlots()));
                ops.add(Op.of("chdir('/')", new Step.Chdir("/")));
                break;
            }
        }
        ops.add(Op.of("chdir(" + Quote.of(cwd) + ")", new Step.Chdir(cwd)));
        return ops;
    }

    /**
     * The host paths a jail's mounts take in when it is set up (bind sources, the --chroot): a jail
     * readied ahead of its start holds what they were then (a bind pins its source), so the
     * supervisor checks that none was replaced meanwhile.
     */
    public static List<String> hostSources(List<MountPt> mounts, Map<String, String> env) throws JailFailure {
        List<String> out = new ArrayList<>();
        for (MountPt m : mounts) {
            if (!m.isBind() || m.isSymlink() || m.srcContent() != null) continue;
            out.add(Paths2.normalize(resolvePrefixes(m, env).src()));
        }
        return out;
    }

    static MountPt resolvePrefixes(MountPt m, Map<String, String> env) throws JailFailure {
        String src = m.src(), dst = m.dst();
        if (!m.prefixSrcEnv().isEmpty()) {
            String v = env.get(m.prefixSrcEnv());
            if (v == null) throw new JailFailure(SetupStep.MOUNT, "mount " + Quote.of(m.dst()) + ": prefix_src_env variable '"
                    + m.prefixSrcEnv() + "' is not set");
            src = v + src;
        }
        if (!m.prefixDstEnv().isEmpty()) {
            String v = env.get(m.prefixDstEnv());
            if (v == null) throw new JailFailure(SetupStep.MOUNT, "mount " + Quote.of(m.dst()) + ": prefix_dst_env variable '"
                    + m.prefixDstEnv() + "' is not set");
            dst = v + dst;
        }
        if (src.equals(m.src()) && dst.equals(m.dst())) return m;
        return new MountPt(src, dst, m.fstype(), m.options(), m.isBind(), m.rw(), m.isDir(), m.mandatory(),
                m.isSymlink(), m.nosuid(), m.nodev(), m.noexec(), m.srcContent(), "", "");
    }

    private static String chooseScratch(List<MountPt> mounts, HostFs fs, boolean noPivotRoot) throws JailFailure {
        for (String c : SCRATCH_CANDIDATES) {
            if (fs.kind(c) != HostFs.Kind.DIRECTORY) continue;
            if (noPivotRoot && shadowsSource(c, mounts)) continue;
            return c;
        }
        throw new JailFailure(SetupStep.MOUNT, "no directory to build the jail's root on: none of " + SCRATCH_CANDIDATES
                + " exists" + (noPivotRoot ? " outside the mount sources" : ""));
    }

    /**
     * Without the first pivot_root, a scratch mount on a source's subtree would hide it, and one
     * under a mount point would be detached together with the user's mount there.
     */
    private static boolean shadowsSource(String dir, List<MountPt> mounts) {
        for (MountPt m : mounts) {
            String d = Paths2.normalize(m.dst());
            if (!d.equals("/") && (Paths2.isUnder(d, dir) || Paths2.isUnder(dir, d))) return true;
            if (m.isSymlink() || m.src().isEmpty() || !m.src().startsWith("/")) continue;
            String s = Paths2.normalize(m.src());
            if (!s.equals("/") && Paths2.isUnder(s, dir)) return true;
        }
        return false;
    }

    private static boolean checkBindSource(MountPt m, String src, HostFs fs, boolean mandatory) throws JailFailure {
        HostFs.Kind k = fs.kind(src);
        String problem = null;
        if (k == HostFs.Kind.MISSING) problem = "does not exist";
        else if (m.isDir() != null && m.isDir() && k != HostFs.Kind.DIRECTORY) problem = "is not a directory";
        if (problem == null) return true;
        if (mandatory) throw new JailFailure(SetupStep.MOUNT, describe(m) + ": source " + Quote.of(src) + " " + problem);
        return false;
    }

    /** Makes sure dst can be a mount point: parents exist, then the leaf (directory or empty file). */
    private static void ensureMountPoint(Ctx c, String dst, boolean isDir, String what, int flags) throws JailFailure {
        ensureParents(c, dst, what, flags);
        ensurePath(c, dst, isDir, what, flags);
    }

    private static void ensureParents(Ctx c, String dst, String what, int flags) throws JailFailure {
        for (String a : Paths2.ancestors(dst)) ensurePath(c, a, true, what, flags);
    }

    /**
     * Inside a host bind the path must exist (nothing is created on the host); inside a jail-owned
     * file system it is created by name in its parent directory, looked up from that file system's fd.
     */
    private static void ensurePath(Ctx c, String path, boolean isDir, String what, int flags) throws JailFailure {
        if (path.equals("/")) return;
        Layer l = layerOf(c.layers, path);
        if (!l.jailOwned()) {
            String host = hostPath(l, path);
            if (c.fs.kind(host) != HostFs.Kind.MISSING) return;
            String msg = what + ": mount point " + Quote.of(path) + " does not exist in " + Quote.of(l.hostSrc())
                    + ", and jnsjail does not create files on the host";
            if (flags == 0) throw new JailFailure(SetupStep.MOUNT, msg);
            throw new SkipMount(msg + "; skipped (mandatory:false)");
        }
        if (path.equals(l.dst())) return; // the layer's own root: it exists
        int dir = dirSlot(c, l, parentOf(path), what, flags);
        c.ops.add((isDir ? mkdirAt(dir, leafOf(path), 0711, what + ": mkdir('" + path + "')")
                : Op.of(what + ": create the mount point '" + path + "'",
                        new Step.WriteAt(dir, leafOf(path), O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK, 0644, new byte[0])))
                .withFlags(Op.EXIST_OK | flags));
    }

    /**
     * The slot of directory {@code dir} of jail-owned layer {@code l}: the layer's own slot, or DIR
     * filled by a lookup beneath it that follows no symlink and crosses no mount.
     */
    private static int dirSlot(Ctx c, Layer l, String dir, String what, int flags) {
        if (dir.equals(l.dst())) return l.slot();
        String rel = l.dst().equals("/") ? dir.substring(1) : dir.substring(l.dst().length() + 1);
        c.ops.add(openAt(DIR, l.slot(), rel, O_PATH | O_DIRECTORY, RESOLVE_OWNED, what).withFlags(flags));
        return DIR;
    }

    private static Layer requireCreatable(List<Layer> layers, String dst, String what, int flags) throws JailFailure {
        Layer l = layerOf(layers, dst);
        if (l.jailOwned() && !l.dst().equals(dst)) return l;
        String msg = l.jailOwned() ? what + ": " + Quote.of(dst) + " is a mount point"
                : what + ": " + Quote.of(dst) + " would be created in " + Quote.of(l.hostSrc())
                + " on the host; jnsjail does not create files on the host (mount a tmpfs there first)";
        if (flags == 0) throw new JailFailure(SetupStep.MOUNT, msg);
        throw new SkipMount(msg + "; skipped (mandatory:false)");
    }

    /**
     * A recursive bind brings along the host's procfs mounts below its source (e.g. /proc under
     * --chroot /). Unless the jail mounts a procfs of its own there, an empty read-only tmpfs covers
     * each one, so the host's processes stay out of sight even with --disable_proc (nsjail shows them).
     * Covering rather than unmounting: mounts copied from a more privileged namespace are locked
     * together (mount_namespaces(7), "Restrictions on mount namespaces").
     */
    private static void coverHostProc(Ctx c, String src, String dst, int flags) {
        for (String p : c.fs.procMounts()) {
            String hostPath = Paths2.normalize(p);
            if (!Paths2.isUnder(hostPath, src)) continue;
            String rel = src.equals("/") ? hostPath : hostPath.substring(src.length());
            String inJail = Paths2.normalize(dst + "/" + rel);
            boolean ownProc = false;
            for (MountPt m : c.mounts) {
                if (!m.isBind() && m.fstype().equals("proc") && Paths2.normalize(m.dst()).equals(inJail)) ownProc = true;
            }
            if (ownProc) continue;
            String what = "cover the host's procfs at '" + inJail + "'";
            c.ops.add(fsMount(TREE, "tmpfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                    "none", "ro,size=4096,mode=0555", what).withFlags(flags));
            c.ops.add(target(inJail, what).withFlags(flags));
            c.ops.add(move(TREE, TARGET, what).withFlags(flags));
        }
    }

    /** Delegates to a HostFs, asking it for the host's procfs mounts at most once. */
    private static final class ProcMountsOnce implements HostFs {
        private final HostFs fs;
        private List<String> procMounts;

        ProcMountsOnce(HostFs fs) {
            this.fs = fs;
        }

        @Override
        public Kind kind(String path) {
            return fs.kind(path);
        }

        @Override
        public boolean existsNoFollow(String path) {
            return fs.existsNoFollow(path);
        }

        @Override
        public List<String> procMounts() {
            if (procMounts == null) procMounts = fs.procMounts();
            return procMounts;
        }
    }

    /** A non-mandatory mount that cannot be made; the jail goes on without it. */
    private static final class SkipMount extends JailFailure {
        private static final long serialVersionUID = 1L;

        SkipMount(String message) {
            super(SetupStep.MOUNT, message);
        }
    }

    private static Layer layerOf(List<Layer> layers, String path) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (Paths2.isUnder(path, layers.get(i).dst())) return layers.get(i);
        }
        return layers.getFirst();
    }

    private static String hostPath(Layer l, String path) {
        String rel = l.dst().equals("/") ? path : path.substring(l.dst().length());
        return Paths2.normalize(l.hostSrc() + "/" + rel);
    }

    /** A normalised absolute path relative to "/" ("/a/b" → "a/b"; "/" → "."). */
    static String rel(String abs) {
        String n = Paths2.normalize(abs);
        return n.equals("/") ? "." : n.substring(1);
    }

    private static String parentOf(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    private static String leafOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Op openAt(int slot, int dir, String path, long oflags, long resolve, String what) {
        return Op.of(what, new Step.OpenAt(slot, dir, path, oflags, resolve));
    }

    private static Op mkdirAt(int dir, String name, int mode, String what) {
        return Op.of(what, new Step.MkdirAt(dir, name, mode)).withFlags(Op.EXIST_OK);
    }

    private static Op move(int from, int to, String what) {
        return Op.of(what, new Step.MoveMount(from, to, MOVE_FLAGS));
    }

    private static Op setattr(int slot, long attrs, boolean recursive, String what) {
        return Op.of(what + ": set its final flags",
                new Step.SetattrAt(slot, AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attrs, 0, 0));
    }

    /**
     * A new, detached file system: fsopen(2), then "source" and each comma-separated option through
     * fsconfig(2) ("key=value" a string, a bare word a flag: what mount(2) does with its data, see
     * fs_context.c generic_parse_monolithic), then fsmount(2) with the mount attributes.
     */
    static Op fsMount(int slot, String fstype, long attrs, String source, String options, String what) {
        List<Step.FsConfig> config = new ArrayList<>();
        if (source != null && !source.isEmpty()) config.add(new Step.FsConfig(FSCONFIG_SET_STRING, "source", source));
        for (String o : splitOptions(options)) {
            if (o.isEmpty()) continue;
            int eq = o.indexOf('=');
            config.add(eq < 0 ? new Step.FsConfig(FSCONFIG_SET_FLAG, o, "")
                    : new Step.FsConfig(FSCONFIG_SET_STRING, o.substring(0, eq), o.substring(eq + 1)));
        }
        return Op.of(what, new Step.FsMount(slot, fstype, attrs, config));
    }

    /** Options split at commas, except a backslash-escaped one (overlayfs allows "\," in its directories). */
    static List<String> splitOptions(String options) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < options.length(); i++) {
            char ch = options.charAt(i);
            if (ch == '\\' && i + 1 < options.length()) {
                cur.append(ch).append(options.charAt(++i));
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static long attrs(MountPt m, boolean rw) {
        return (rw ? 0 : MOUNT_ATTR_RDONLY) | (m.nosuid() ? MOUNT_ATTR_NOSUID : 0) | (m.nodev() ? MOUNT_ATTR_NODEV : 0)
                | (m.noexec() ? MOUNT_ATTR_NOEXEC : 0);
    }

    private static long mountAttrs(long msFlags) {
        return ((msFlags & MS_NOSUID) != 0 ? MOUNT_ATTR_NOSUID : 0) | ((msFlags & MS_NODEV) != 0 ? MOUNT_ATTR_NODEV : 0)
                | ((msFlags & MS_NOEXEC) != 0 ? MOUNT_ATTR_NOEXEC : 0);
    }

    /** overlayfs takes host directories inside its options; after the first pivot they live under /old. */
    private static String rewriteOverlayDirs(String fstype, String data, String oldRoot) {
        if (!fstype.equals("overlay") || oldRoot.isEmpty() || data.isEmpty()) return data;
        StringBuilder out = new StringBuilder();
        for (String opt : data.split(",")) {
            if (!out.isEmpty()) out.append(',');
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            if (eq > 0 && (key.equals("lowerdir") || key.equals("upperdir") || key.equals("workdir"))) {
                StringBuilder dirs = new StringBuilder();
                for (String d : opt.substring(eq + 1).split(":")) {
                    if (!dirs.isEmpty()) dirs.append(':');
                    dirs.append(d.startsWith("/") ? oldRoot + d : d);
                }
                out.append(key).append('=').append(dirs);
            } else {
                out.append(opt);
            }
        }
        return out.toString();
    }

    /** nsjail's mount log format. */
    public static String describe(MountPt m) {
        StringBuilder b = new StringBuilder(m.isSymlink() ? "Symlink: " : "Mount: ");
        if (!m.src().isEmpty()) b.append(Quote.of(m.src())).append(" -> ");
        b.append(Quote.of(m.dst())).append(" type:").append(Quote.of(m.fstype())).append(" options:")
                .append(Quote.of(m.options()));
        if (m.isDir() != null) b.append(" dir:").append(m.isDir());
        if (!m.mandatory()) b.append(" mandatory:false");
        if (m.srcContent() != null) b.append(" src_content_len:").append(m.srcContent().length);
        if (m.isSymlink()) b.append(" symlink:true");
        return b.toString();
    }
}
