package org.jnsjail.unotify;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {
    private static PathInfo p(String path, OpenMode m, String extra) {
        return new PathInfo(path, PathType.REGULAR, PathType.REGULAR, m, extra);
    }

    @Test
    void pathsMergeOnPathTypesAndModeAndSyscallsOnNameAndArgs() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(p("/a", OpenMode.RDONLY, "O_CLOEXEC")), null));
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(p("/a", OpenMode.RDONLY, "O_CLOEXEC")), null));
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(p("/a", OpenMode.RDONLY, "")), null));
        s.add(new Observation("stat", "", List.of(p("/a", OpenMode.UNSPECIFIED, "")), null));
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(p("/a", OpenMode.WRONLY, "")), null));
        Snapshot snap = s.drain();
        assertEquals(3, snap.fs().size());
        Snapshot.FsAccess ro = snap.fs().get(0);
        assertEquals(3, ro.count());
        assertEquals(List.of(new Snapshot.SyscallCount("openat", "dirfd=AT_FDCWD mode_extra=O_CLOEXEC ", 2),
                new Snapshot.SyscallCount("openat", "dirfd=AT_FDCWD ", 1)), ro.syscalls());
        assertEquals(OpenMode.UNSPECIFIED, snap.fs().get(1).path().mode());
        assertEquals(OpenMode.WRONLY, snap.fs().get(2).path().mode());
        assertTrue(s.drain().isEmpty(), "drain clears");
    }

    @Test
    void twoPathsOfOneSyscallAreTwoEntries() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        s.add(new Observation("rename", "", List.of(p("/a", OpenMode.UNSPECIFIED, ""), p("/b", OpenMode.UNSPECIFIED, "")), null));
        Snapshot snap = s.drain();
        assertEquals(List.of("/a", "/b"), snap.fs().stream().map(f -> f.path().path()).toList());
    }

    @Test
    void netMergesOnFamilyEndpointPortAndSocketPath() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        s.add(new Observation("connect", "type=SOCK_STREAM (IPPROTO_TCP) ", List.of(), new NetInfo(NetType.IPV4, "1.2.3.4", 80, null)));
        s.add(new Observation("connect", "type=SOCK_STREAM (IPPROTO_TCP) ", List.of(), new NetInfo(NetType.IPV4, "1.2.3.4", 80, null)));
        s.add(new Observation("sendto", "type=SOCK_DGRAM (IPPROTO_UDP) flags=0 ", List.of(), new NetInfo(NetType.IPV4, "1.2.3.4", 80, null)));
        s.add(new Observation("connect", "", List.of(), new NetInfo(NetType.IPV4, "1.2.3.4", -1, null)));
        s.add(new Observation("connect", "", List.of(), new NetInfo(NetType.IPV4, "1.2.3.4", 443, null)));
        PathInfo sp1 = PathInfo.of("/s", PathType.SOCK, PathType.NONEXISTENT);
        PathInfo sp2 = PathInfo.of("/s", PathType.NONEXISTENT, PathType.NONEXISTENT);
        s.add(new Observation("connect", "", List.of(), new NetInfo(NetType.UNIX, "/s", -1, sp1)));
        s.add(new Observation("bind", "", List.of(), new NetInfo(NetType.UNIX, "/s", -1, sp2)));
        Snapshot snap = s.drain();
        assertEquals(4, snap.net().size());
        assertEquals(3, snap.net().get(0).count());
        assertEquals(2, snap.net().get(0).syscalls().size());
        Snapshot.NetAccess unix = snap.net().get(3);
        assertEquals(2, unix.count(), "socket paths merge on the path alone");
        assertEquals(PathType.SOCK, unix.net().socketPath().jailType(), "the first observation's attributes stay");
    }

    @Test
    void observationsWithoutResourcesLeaveNoTrace() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        s.add(new Observation("socket", "domain=AF_INET ", List.of(), null));
        assertTrue(s.isEmpty());
    }

    @Test
    void theByteBudgetDropsNewEntriesButKeepsCounting() {
        Stats s = new Stats(1000);
        for (int i = 0; i < 100; i++) {
            s.add(new Observation("stat", "", List.of(p("/file" + i, OpenMode.UNSPECIFIED, "")), null));
        }
        s.add(new Observation("stat", "", List.of(p("/file0", OpenMode.UNSPECIFIED, "")), null));
        Snapshot snap = s.drain();
        assertTrue(snap.fs().size() < 100 && !snap.fs().isEmpty(), "some entries: " + snap.fs().size());
        assertEquals(100 - snap.fs().size(), snap.dropped());
        assertEquals(2, snap.fs().get(0).count(), "an existing entry keeps counting");
    }

    @Test
    void concurrentAddsAreAllCounted() throws Exception {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        Thread[] ts = new Thread[8];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    s.add(new Observation("stat", "", List.of(p("/f" + (i % 10), OpenMode.UNSPECIFIED, "")), null));
                    s.add(new Observation("stat", "", List.of(p("/t" + id, OpenMode.UNSPECIFIED, "")), null));
                }
            });
        }
        for (Thread t : ts) t.join();
        Snapshot snap = s.drain();
        assertEquals(18, snap.fs().size());
        assertEquals(160_000, snap.fs().stream().mapToLong(Snapshot.FsAccess::count).sum());
    }
}
