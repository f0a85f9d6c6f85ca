package org.jnsjail.mount;

import org.jnsjail.log.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jnsjail.api.JailException;
import org.jnsjail.api.MountPt;
import org.jnsjail.plan.Op;
import org.jnsjail.plan.OpCode;

import static org.jnsjail.sys.MountFlag.AT_RECURSIVE;
import static org.jnsjail.sys.MountFlag.MNT_DETACH;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NODEV;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NOEXEC;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_NOSUID;
import static org.jnsjail.sys.MountFlag.MOUNT_ATTR_RDONLY;
import static org.jnsjail.sys.MountFlag.MS_BIND;
import static org.jnsjail.sys.MountFlag.MS_MOVE;
import static org.jnsjail.sys.MountFlag.MS_NODEV;
import static org.jnsjail.sys.MountFlag.MS_NOEXEC;
import static org.jnsjail.sys.MountFlag.MS_NOSUID;
import static org.jnsjail.sys.MountFlag.MS_PRIVATE;
import static org.jnsjail.sys.MountFlag.MS_RDONLY;
import static org.jnsjail.sys.MountFlag.MS_REC;

/**
 * Builds the mount operations for a jail, run inside its fresh mount namespace.
 *
 * <p>How the host stays untouched (where nsjail creates work dirs under /run/user or /tmp and
 * mount points inside the --chroot directory): a private tmpfs ("scratch") is mounted on an
 * existing directory of our own mount namespace and pivot_root(2) makes it the root, with the old
 * root at /old. Mount sources are then reached through /old, so the scratch mount shadows no
 * source, and nothing is mounted under a source. The jail's root is assembled at /new; every
 * host bind is made read-only (recursively, mount_setattr(2) AT_RECURSIVE) right after it is
 * created, so the setup itself cannot write to the host either. A mount point missing inside a
 * host bind is an error rather than a mkdir on the host. Finally pivot_root(".", ".") into /new
 * and a lazy unmount drop the scratch and the old root (pivot_root(2), NOTES).
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

    /** Where a jail path's contents come from while the tree is being built. */
    private record Layer(String dst, String hostSrc, boolean jailOwned) {}

    /** A mount whose final flags are applied once every mount exists (it may hold later mount points). */
    private record Deferred(String target, long attrs, String what, int flags) {}

    /**
     * @param mounts the jail's mount list, in order; an entry with dst "/" first makes the root
     * @param rootRw leave the tmpfs root writable (--rw)
     * @param noPivotRoot use MS_MOVE + chroot(2) instead of pivot_root(2) (for initramfs)
     * @param env the supervisor's environment, for prefix_src_env / prefix_dst_env
     * @param cwd the jail's working directory, entered last
     */
    public static List<Op> plan(List<MountPt> mounts, boolean rootRw, boolean noPivotRoot, String cwd,
            Map<String, String> env, HostFs hostFs, List<String> warnings) throws JailException {
        HostFs fs = new ProcMountsOnce(hostFs); // mountinfo is read once per plan, not once per bind
        List<MountPt> resolved = new ArrayList<>(mounts.size());
        for (MountPt m : mounts) resolved.add(resolvePrefixes(m, env));

        String scratch = chooseScratch(resolved, fs, noPivotRoot);
        String oldRoot = noPivotRoot ? "" : OLD;
        String newRoot = noPivotRoot ? scratch + NEW : NEW;
        List<Op> ops = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        List<Deferred> deferred = new ArrayList<>();

        ops.add(Op.of(OpCode.MOUNT, "make the mount tree private: mount('/', MS_REC|MS_PRIVATE)",
                new long[] {MS_REC | MS_PRIVATE}, "", "/", "", ""));
        ops.add(Op.of(OpCode.MOUNT, "mount the scratch tmpfs on " + Quote.of(scratch), new long[] {MS_NOSUID | MS_NODEV},
                "tmpfs", scratch, "tmpfs", "size=16777216,mode=0700"));
        ops.add(mkdir(scratch + NEW, 0700, "scratch " + NEW));
        if (!noPivotRoot) {
            ops.add(mkdir(scratch + OLD, 0700, "scratch " + OLD));
            ops.add(Op.of(OpCode.PIVOT_ROOT, "pivot_root(" + Quote.of(scratch) + ", " + Quote.of(scratch + OLD) + ")", new long[0],
                    scratch, scratch + OLD));
            ops.add(Op.of(OpCode.CHDIR, "chdir('/')", new long[0], "/"));
        }
        String contentDir = noPivotRoot ? scratch : "";

        int first = 0;
        if (!resolved.isEmpty() && Paths2.normalize(resolved.getFirst().dst()).equals("/")
                && !resolved.getFirst().isSymlink() && resolved.getFirst().isBind()) {
            // The root is a bind (--chroot): no tmpfs under it.
            MountPt root = resolved.getFirst();
            String src = Paths2.normalize(root.src());
            checkBindSource(root, src, fs, true);
            ops.add(Op.of(OpCode.MOUNT, describe(root), new long[] {MS_BIND | MS_REC}, hostSource(oldRoot, src), newRoot,
                    "", ""));
            long attrs = attrs(root, root.rw());
            if (attrs != 0) ops.add(setattr(newRoot, attrs, true, describe(root)));
            coverHostProc(ops, src, "/", newRoot, resolved, fs, 0);
            layers.add(new Layer("/", src, false));
            first = 1;
        } else {
            ops.add(Op.of(OpCode.MOUNT, "mount the root tmpfs", new long[] {0}, "tmpfs", newRoot, "tmpfs",
                    ROOT_TMPFS_OPTIONS));
            layers.add(new Layer("/", null, true));
            if (!rootRw) deferred.add(new Deferred(newRoot, MOUNT_ATTR_RDONLY, "remount '/' read-only", 0));
        }

        for (int i = first; i < resolved.size(); i++) {
            MountPt m = resolved.get(i);
            int mark = ops.size();
            try {
                addMount(ops, layers, deferred, m, i, newRoot, oldRoot, contentDir, fs, resolved);
            } catch (SkipMount e) {
                // A non-mandatory mount that cannot be made: one warning, and the jail goes on without it.
                ops.subList(mark, ops.size()).clear();
                warnings.add(e.getMessage());
            }
        }

        // Seal jail-owned mounts, innermost (latest) first.
        for (int i = deferred.size() - 1; i >= 0; i--) {
            Deferred d = deferred.get(i);
            ops.add(setattr(d.target(), d.attrs(), false, d.what()).withFlags(d.flags()));
        }

        if (noPivotRoot) {
            ops.add(Op.of(OpCode.CHDIR, "chdir(" + Quote.of(newRoot) + ")", new long[0], newRoot));
            ops.add(Op.of(OpCode.MOUNT, "move the new root onto '/'", new long[] {MS_MOVE}, ".", "/", "", ""));
            ops.add(Op.of(OpCode.CHROOT, "chroot('.')", new long[0], "."));
            if (first == 1 && Paths2.isUnder(scratch, Paths2.normalize(resolved.getFirst().src()))) {
                // The recursive root bind copied the scratch mount along; drop that copy so the jail
                // sees the host directory underneath (no user mount lies there: see chooseScratch).
                String inJail = scratch.substring(Paths2.normalize(resolved.getFirst().src()).length());
                if (!inJail.startsWith("/")) inJail = "/" + inJail;
                ops.add(Op.of(OpCode.UMOUNT2, "detach the scratch copy at " + Quote.of(inJail), new long[] {MNT_DETACH},
                        inJail).withFlags(Op.IGNORE));
            }
        } else {
            ops.add(Op.of(OpCode.CHDIR, "chdir(" + Quote.of(NEW) + ")", new long[0], NEW));
            ops.add(Op.of(OpCode.PIVOT_ROOT, "pivot_root('.', '.')", new long[0], ".", "."));
            ops.add(Op.of(OpCode.UMOUNT2, "detach the old root", new long[] {MNT_DETACH}, "."));
        }
        ops.add(Op.of(OpCode.CHDIR, "chdir('/')", new long[0], "/"));
        if (!Paths2.normalize(cwd).equals("/")) ops.add(Op.of(OpCode.CHDIR, "chdir(" + Quote.of(cwd) + ")", new long[0], cwd));
        return ops;
    }

    /** Adds the operations for one mount after the root. */
    private static void addMount(List<Op> ops, List<Layer> layers, List<Deferred> deferred, MountPt m, int i,
            String newRoot, String oldRoot, String contentDir, HostFs fs, List<MountPt> allMounts) throws JailException {
            String dst = Paths2.normalize(m.dst());
            if (m.dst().isEmpty()) throw new JailException("mount #" + i + ": 'dst' is empty");
            String target = Paths2.join(newRoot, dst);
            int flags = m.mandatory() ? 0 : Op.WARN;
            String what = describe(m);

            if (m.isSymlink()) {
                ensureParents(ops, layers, dst, newRoot, fs, what, flags);
                requireCreatable(layers, dst, what, flags);
                ops.add(Op.of(OpCode.SYMLINK, "symlink(" + Quote.of(m.src()) + ", " + Quote.of(dst) + ")", new long[0], m.src(), target)
                        .withFlags(flags));
                return;
            }
            if (m.srcContent() != null) {
                String file = contentDir + "/content." + i;
                ops.add(Op.of(OpCode.WRITE_FILE, "write the content of " + Quote.of(dst),
                        new long[] {org.jnsjail.sys.Fcntl.O_WRONLY | org.jnsjail.sys.Fcntl.O_CREAT
                                | org.jnsjail.sys.Fcntl.O_TRUNC, 0644}, file, m.srcContent()).withFlags(flags));
                ensureMountPoint(ops, layers, dst, false, newRoot, fs, what, flags);
                ops.add(Op.of(OpCode.MOUNT, what, new long[] {MS_BIND}, file, target, "", "").withFlags(flags));
                long attrs = attrs(m, m.rw());
                if (attrs != 0) ops.add(setattr(target, attrs, false, what).withFlags(flags));
                layers.add(new Layer(dst, null, true));
                return;
            }
            if (m.isBind()) {
                String src = Paths2.normalize(m.src());
                if (!checkBindSource(m, src, fs, m.mandatory())) throw new SkipMount(describe(m) + ": source " + Quote.of(src) + " does not exist or is not a directory; skipped (mandatory:false)");
                boolean isDir = m.isDir() != null ? m.isDir() : fs.kind(src) == HostFs.Kind.DIRECTORY;
                ensureMountPoint(ops, layers, dst, isDir, newRoot, fs, what, flags);
                ops.add(Op.of(OpCode.MOUNT, what, new long[] {MS_BIND | MS_REC}, hostSource(oldRoot, src), target, "", "")
                        .withFlags(flags));
                // -B src:dst:options: a bind has no file-system data, but the generic words
                // (ro, nosuid, nodev, noexec) apply, as with nsjail's new mount API.
                MountOptions bo = MountOptions.parse(m.options());
                if (!bo.data().isEmpty()) {
                    throw new JailException(what + ": a bind mount takes only ro/rw/nosuid/nodev/noexec options, not '"
                            + bo.data() + "'");
                }
                long attrs = attrs(m, m.rw() && (bo.flags() & MS_RDONLY) == 0) | mountAttrs(bo.flags());
                // Host trees are sealed at once and recursively: the setup never writes to the host.
                if (attrs != 0) ops.add(setattr(target, attrs, true, what).withFlags(flags));
                coverHostProc(ops, src, dst, newRoot, allMounts, fs, flags);
                layers.add(new Layer(dst, src, false));
                return;
            }
            // A new file system (tmpfs, proc, sysfs, overlay, ...): jail-owned, sealed at the end.
            MountOptions mo = MountOptions.parse(m.options());
            boolean isDir = m.isDir() == null || m.isDir();
            ensureMountPoint(ops, layers, dst, isDir, newRoot, fs, what, flags);
            String src = m.src().isEmpty() ? "none" : m.src();
            if (src.startsWith("/")) src = oldRoot + src; // a block device or other host path
            ops.add(Op.of(OpCode.MOUNT, what, new long[] {mo.flags() & ~MS_RDONLY}, src, target, m.fstype(),
                    rewriteOverlayDirs(m.fstype(), mo.data(), oldRoot)).withFlags(flags));
            long attrs = attrs(m, m.rw() && (mo.flags() & MS_RDONLY) == 0) | mountAttrs(mo.flags());
            if (attrs != 0) deferred.add(new Deferred(target, attrs, what, flags));
            layers.add(new Layer(dst, null, true));
            }

    /** The ops for --disable_clone_newns: no mounts, only chroot(2) to the root bind's source. */
    public static List<Op> planWithoutMountNs(List<MountPt> mounts, String cwd) {
        List<Op> ops = new ArrayList<>();
        for (MountPt m : mounts) {
            if (m.isBind() && Paths2.normalize(m.dst()).equals("/")) {
                ops.add(Op.of(OpCode.CHROOT, "chroot(" + Quote.of(m.src()) + ")", new long[0], m.src()));
                ops.add(Op.of(OpCode.CHDIR, "chdir('/')", new long[0], "/"));
                break;
            }
        }
        ops.add(Op.of(OpCode.CHDIR, "chdir(" + Quote.of(cwd) + ")", new long[0], cwd));
        return ops;
    }

    static MountPt resolvePrefixes(MountPt m, Map<String, String> env) throws JailException {
        String src = m.src(), dst = m.dst();
        if (!m.prefixSrcEnv().isEmpty()) {
            String v = env.get(m.prefixSrcEnv());
            if (v == null) throw new JailException("mount " + Quote.of(m.dst()) + ": prefix_src_env variable '"
                    + m.prefixSrcEnv() + "' is not set");
            src = v + src;
        }
        if (!m.prefixDstEnv().isEmpty()) {
            String v = env.get(m.prefixDstEnv());
            if (v == null) throw new JailException("mount " + Quote.of(m.dst()) + ": prefix_dst_env variable '"
                    + m.prefixDstEnv() + "' is not set");
            dst = v + dst;
        }
        if (src.equals(m.src()) && dst.equals(m.dst())) return m;
        return new MountPt(src, dst, m.fstype(), m.options(), m.isBind(), m.rw(), m.isDir(), m.mandatory(),
                m.isSymlink(), m.nosuid(), m.nodev(), m.noexec(), m.srcContent(), "", "");
    }

    private static String chooseScratch(List<MountPt> mounts, HostFs fs, boolean noPivotRoot) throws JailException {
        for (String c : SCRATCH_CANDIDATES) {
            if (fs.kind(c) != HostFs.Kind.DIRECTORY) continue;
            if (noPivotRoot && shadowsSource(c, mounts)) continue;
            return c;
        }
        throw new JailException("no directory to build the jail's root on: none of " + SCRATCH_CANDIDATES
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

    private static boolean checkBindSource(MountPt m, String src, HostFs fs, boolean mandatory) throws JailException {
        HostFs.Kind k = fs.kind(src);
        String problem = null;
        if (k == HostFs.Kind.MISSING) problem = "does not exist";
        else if (m.isDir() != null && m.isDir() && k != HostFs.Kind.DIRECTORY) problem = "is not a directory";
        if (problem == null) return true;
        if (mandatory) throw new JailException(describe(m) + ": source " + Quote.of(src) + " " + problem);
        return false;
    }

    /** Makes sure dst can be a mount point: parents exist, then the leaf (directory or empty file). */
    private static void ensureMountPoint(List<Op> ops, List<Layer> layers, String dst, boolean isDir, String newRoot,
            HostFs fs, String what, int flags) throws JailException {
        ensureParents(ops, layers, dst, newRoot, fs, what, flags);
        ensurePath(ops, layers, dst, isDir, newRoot, fs, what, flags);
    }

    private static void ensureParents(List<Op> ops, List<Layer> layers, String dst, String newRoot, HostFs fs,
            String what, int flags) throws JailException {
        for (String a : Paths2.ancestors(dst)) ensurePath(ops, layers, a, true, newRoot, fs, what, flags);
    }

    private static void ensurePath(List<Op> ops, List<Layer> layers, String path, boolean isDir, String newRoot,
            HostFs fs, String what, int flags) throws JailException {
        if (path.equals("/")) return;
        Layer l = layerOf(layers, path);
        String target = Paths2.join(newRoot, path);
        if (!l.jailOwned()) {
            String host = hostPath(l, path);
            if (fs.kind(host) != HostFs.Kind.MISSING) return;
            String msg = what + ": mount point " + Quote.of(path) + " does not exist in " + Quote.of(l.hostSrc())
                    + ", and jnsjail does not create files on the host";
            if (flags == 0) throw new JailException(msg);
            throw new SkipMount(msg + "; skipped (mandatory:false)");
        }
        ops.add((isDir ? mkdir(target, 0711, what) : Op.of(OpCode.CREATE_FILE, what + ": create the mount point",
                new long[] {0644}, target)).withFlags(Op.EXIST_OK | flags));
    }

    private static void requireCreatable(List<Layer> layers, String dst, String what, int flags) throws JailException {
        Layer l = layerOf(layers, dst);
        if (l.jailOwned()) return;
        String msg = what + ": " + Quote.of(dst) + " would be created in " + Quote.of(l.hostSrc())
                + " on the host; jnsjail does not create files on the host (mount a tmpfs there first)";
        if (flags == 0) throw new JailException(msg);
        throw new SkipMount(msg + "; skipped (mandatory:false)");
    }

    /**
     * A recursive bind brings along the host's procfs mounts below its source (e.g. /proc under
     * --chroot /). Unless the jail mounts a procfs of its own there, an empty read-only tmpfs covers
     * each one, so the host's processes stay out of sight even with --disable_proc (nsjail shows them).
     * Covering rather than unmounting: mounts copied from a more privileged namespace are locked
     * together (mount_namespaces(7), "Restrictions on mount namespaces").
     */
    private static void coverHostProc(List<Op> ops, String src, String dst, String newRoot, List<MountPt> mounts,
            HostFs fs, int flags) {
        for (String p : fs.procMounts()) {
            String hostPath = Paths2.normalize(p);
            if (!Paths2.isUnder(hostPath, src)) continue;
            String rel = src.equals("/") ? hostPath : hostPath.substring(src.length());
            String inJail = Paths2.normalize(dst + "/" + rel);
            boolean ownProc = false;
            for (MountPt m : mounts) {
                if (!m.isBind() && m.fstype().equals("proc") && Paths2.normalize(m.dst()).equals(inJail)) ownProc = true;
            }
            if (ownProc) continue;
            ops.add(Op.of(OpCode.MOUNT, "cover the host's procfs at " + Quote.of(inJail),
                    new long[] {MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC}, "none", Paths2.join(newRoot, inJail),
                    "tmpfs", "size=4096,mode=0555").withFlags(flags));
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
    private static final class SkipMount extends JailException {
        private static final long serialVersionUID = 1L;

        SkipMount(String message) {
            super(message);
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

    /** A host path as seen during set-up: under /old after the first pivot_root, else unchanged. */
    private static String hostSource(String oldRoot, String src) {
        if (oldRoot.isEmpty()) return src;
        return src.equals("/") ? oldRoot : oldRoot + src;
    }

    private static Op mkdir(String path, int mode, String what) {
        return Op.of(OpCode.MKDIR, what + ": mkdir(" + Quote.of(path) + ")", new long[] {mode}, path).withFlags(Op.EXIST_OK);
    }

    private static Op setattr(String target, long attrs, boolean recursive, String what) {
        return Op.of(OpCode.MOUNT_SETATTR, what + ": set its final flags", new long[] {recursive ? AT_RECURSIVE : 0,
                attrs, 0, 0}, target);
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
