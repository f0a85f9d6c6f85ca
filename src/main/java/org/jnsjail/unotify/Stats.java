package org.jnsjail.unotify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe aggregation of observations, keyed as nsjail's unotify/stats.cc keys them: a path
 * entry per (path, jail type, host type, mode), a network entry per (family, endpoint, port if any,
 * AF_UNIX path if any), and under each a count per (syscall name, argument string), where a path's
 * open flags other than the access mode are appended to the argument string as "mode_extra=... ".
 * Entries keep first-seen order.
 *
 * <p>Unlike nsjail, lookups are hashed (nsjail scans linearly, which a jail touching many distinct
 * paths turns quadratic), and memory is bounded: the strings kept are charged against a byte
 * budget, and an observation that would need a new entry beyond it is counted as dropped instead
 * (existing entries keep counting). All tracer threads share one instance.
 */
final class Stats {
    /** Default budget: far above any real report, well below what could hurt the supervisor. */
    static final long DEFAULT_MAX_BYTES = 64L << 20;
    private static final int ENTRY_OVERHEAD = 128, SYSCALL_OVERHEAD = 96;

    private record FsKey(String path, PathType jailType, PathType mainType, OpenMode mode) {}

    private record NetKey(NetType type, String endpoint, int port, String socketPath) {}

    private record SyscallKey(String name, String args) {}

    private static final class Entry<I> {
        final I info;
        long count;
        final Map<SyscallKey, long[]> syscalls = new LinkedHashMap<>();

        Entry(I info) {
            this.info = info;
        }
    }

    private final long maxBytes;
    private final Map<FsKey, Entry<PathInfo>> fs = new LinkedHashMap<>();
    private final Map<NetKey, Entry<NetInfo>> net = new LinkedHashMap<>();
    private long bytes;
    private long dropped;

    Stats(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Records every path and the address of one observation. */
    synchronized void add(Observation o) {
        for (PathInfo p : o.paths()) {
            String args = p.modeExtra().isEmpty() ? o.args() : o.args() + "mode_extra=" + p.modeExtra() + " ";
            FsKey k = new FsKey(p.path(), p.jailType(), p.mainType(), p.mode());
            count(fs, k, p, 2L * p.path().length(), new SyscallKey(o.syscall(), args));
        }
        NetInfo n = o.net();
        if (n != null) {
            NetKey k = new NetKey(n.type(), n.endpoint(), n.port(), n.socketPath() == null ? null : n.socketPath().path());
            long size = 2L * n.endpoint().length() + (n.socketPath() == null ? 0 : 2L * n.socketPath().path().length());
            count(net, k, n, size, new SyscallKey(o.syscall(), o.args()));
        }
    }

    private <K, I> void count(Map<K, Entry<I>> map, K key, I info, long infoBytes, SyscallKey sk) {
        Entry<I> e = map.get(key);
        long need = 0;
        if (e == null) need += ENTRY_OVERHEAD + infoBytes;
        if (e == null || !e.syscalls.containsKey(sk)) {
            need += SYSCALL_OVERHEAD + 2L * (sk.name().length() + sk.args().length());
        }
        if (need > 0 && bytes + need > maxBytes) {
            dropped++;
            return;
        }
        bytes += need;
        if (e == null) {
            e = new Entry<>(info);
            map.put(key, e);
        }
        e.count++;
        e.syscalls.computeIfAbsent(sk, x -> new long[1])[0]++;
    }

    synchronized boolean isEmpty() {
        return fs.isEmpty() && net.isEmpty() && dropped == 0;
    }

    /** The statistics so far, then cleared (a report empties them, so each report is printed once). */
    synchronized Snapshot drain() {
        List<Snapshot.FsAccess> f = new ArrayList<>(fs.size());
        for (Entry<PathInfo> e : fs.values()) f.add(new Snapshot.FsAccess(e.info, e.count, syscalls(e)));
        List<Snapshot.NetAccess> n = new ArrayList<>(net.size());
        for (Entry<NetInfo> e : net.values()) n.add(new Snapshot.NetAccess(e.info, e.count, syscalls(e)));
        Snapshot s = new Snapshot(f, n, dropped);
        fs.clear();
        net.clear();
        bytes = 0;
        dropped = 0;
        return s;
    }

    private static List<Snapshot.SyscallCount> syscalls(Entry<?> e) {
        List<Snapshot.SyscallCount> out = new ArrayList<>(e.syscalls.size());
        for (Map.Entry<SyscallKey, long[]> s : e.syscalls.entrySet()) {
            out.add(new Snapshot.SyscallCount(s.getKey().name(), s.getKey().args(), s.getValue()[0]));
        }
        return out;
    }
}
