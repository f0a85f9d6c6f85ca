package org.jnsjail.unotify;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgDecoderTest {
    private static final long P1 = 0x1000, P2 = 0x2000, P3 = 0x3000, ARR = 0x4000;

    private static long[] args(long... a) {
        long[] out = new long[6];
        System.arraycopy(a, 0, out, 0, a.length);
        return out;
    }

    private static Observation decode(TracedSyscall sc, FakeJail j, long... a) {
        return ArgDecoder.decode(sc, args(a), false, j);
    }

    @Test
    void openatRelativeToCwdWithFlags() {
        FakeJail j = new FakeJail().str(P1, "notes.txt").jail("/home/user/notes.txt", PathType.REGULAR);
        Observation o = decode(TracedSyscall.OPENAT, j, -100 & 0xffffffffL, P1, 01 | 0100 | 01000 | 02000000, 0644);
        assertEquals("openat", o.syscall());
        assertEquals("dirfd=AT_FDCWD ", o.args());
        assertEquals(List.of(new PathInfo("/home/user/notes.txt", PathType.REGULAR, PathType.NONEXISTENT,
                OpenMode.WRONLY, "O_CREAT|O_TRUNC|O_CLOEXEC")), o.paths());
        assertNull(o.net());
    }

    @Test
    void openatRelativeToADirfd() {
        FakeJail j = new FakeJail().str(P1, "b").host("/etc/b", PathType.DIR);
        j.dirfds.put(3, "/etc/");
        Observation o = decode(TracedSyscall.OPENAT, j, 3, P1, 0);
        assertEquals("dirfd=3 ", o.args());
        assertEquals(new PathInfo("/etc/b", PathType.NONEXISTENT, PathType.DIR, OpenMode.RDONLY, ""), o.paths().get(0));
    }

    @Test
    void relativePathKeptWhenTheDirectoryIsUnknown() {
        FakeJail j = new FakeJail().str(P1, "x/../y");
        assertEquals("x/../y", decode(TracedSyscall.OPENAT, j, 7, P1, 0).paths().get(0).path());
        j.cwd = null;
        assertEquals("x/../y", decode(TracedSyscall.NEWSTAT, j, P1).paths().get(0).path());
    }

    @Test
    void displayNamesAndNoArgs() {
        FakeJail j = new FakeJail().str(P1, "/etc/passwd");
        Observation o = decode(TracedSyscall.NEWSTAT, j, P1, P2);
        assertEquals("stat", o.syscall());
        assertEquals("", o.args());
        assertEquals("lstat", decode(TracedSyscall.NEWLSTAT, j, P1).syscall());
        assertEquals(OpenMode.UNSPECIFIED, o.paths().get(0).mode());
    }

    @Test
    void modesOwnersAndAccess() {
        FakeJail j = new FakeJail().str(P1, "/d");
        assertEquals("mode=0755 ", decode(TracedSyscall.MKDIR, j, P1, 0755).args());
        assertEquals("dirfd=AT_FDCWD mode=00 ", decode(TracedSyscall.MKDIRAT, j, -100, P1, 0).args());
        assertEquals("owner=-1 group=1000 ", decode(TracedSyscall.CHOWN, j, P1, 0xffffffffL, 1000).args());
        assertEquals("dirfd=AT_FDCWD owner=0 group=0 ", decode(TracedSyscall.FCHOWNAT, j, -100, P1, 0, 0, 0x100).args());
        assertEquals("mode=R_OK|X_OK ", decode(TracedSyscall.ACCESS_, j, P1, 5).args());
        assertEquals("dirfd=AT_FDCWD mode=F_OK ", decode(TracedSyscall.FACCESSAT, j, -100, P1, 0).args());
        assertEquals("mode=037777777777 ", decode(TracedSyscall.CHMOD, j, P1, -1).args());
    }

    @Test
    void twoPaths() {
        FakeJail j = new FakeJail().str(P1, "/a").str(P2, "b");
        j.dirfds.put(5, "/tmp");
        Observation o = decode(TracedSyscall.RENAMEAT2, j, -100, P1, 5, P2, 1);
        assertEquals("dirfd=AT_FDCWD dirfd=5 ", o.args());
        assertEquals(List.of("/a", "/tmp/b"), o.paths().stream().map(PathInfo::path).toList());
        // symlinkat(target, newdirfd, linkpath): the target is relative to the cwd, not to newdirfd
        Observation s = decode(TracedSyscall.SYMLINKAT, j, P2, 5, P2);
        assertEquals(List.of("/home/user/b", "/tmp/b"), s.paths().stream().map(PathInfo::path).toList());
        assertEquals("dirfd=5 ", s.args());
    }

    @Test
    void execveArgvAndEnvp() {
        FakeJail j = new FakeJail().str(P1, "/bin/sh").str(P2, "sh").str(P3, "-c");
        j.pointerArrays.put(ARR, new long[] {P2, P3, 0x9999, 0, P2});
        j.pointerArrays.put(ARR + 8, new long[] {P3});
        Observation o = decode(TracedSyscall.EXECVE, j, P1, ARR, ARR + 8);
        assertEquals("argv[0]=sh argv[1]=-c argv[2]=<invalid_ptr> envp[0]=-c ", o.args());
        assertEquals("/bin/sh", o.paths().get(0).path());
        assertEquals("", decode(TracedSyscall.EXECVE, j, P1, 0, 0).args(), "NULL argv and envp");
    }

    @Test
    void execveatDirfdComesFirst() {
        FakeJail j = new FakeJail().str(P1, "/bin/true").str(P2, "true");
        j.pointerArrays.put(ARR, new long[] {P2});
        Observation o = decode(TracedSyscall.EXECVEAT, j, -100, P1, ARR, 0, 0x1000);
        assertEquals("dirfd=AT_FDCWD argv[0]=true ", o.args());
    }

    @Test
    void badPointers() {
        FakeJail j = new FakeJail();
        Observation o = decode(TracedSyscall.OPENAT, j, -100, 0xdead0000L, 0);
        assertEquals(new PathInfo("<invalid_ptr>", PathType.NONEXISTENT, PathType.NONEXISTENT, OpenMode.RDONLY, ""),
                o.paths().get(0));
        assertEquals("NULL", decode(TracedSyscall.NEWSTAT, j, 0).paths().get(0).path());
        assertNull(decode(TracedSyscall.CONNECT, j, 3, 0xdead, 16).net());
    }

    @Test
    void connectIpv4OnATcpSocket() {
        FakeJail j = new FakeJail().bytes(P1, new byte[] {2, 0, 0, 9, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
        j.sockets.put(3, "SOCK_STREAM (IPPROTO_TCP)");
        Observation o = decode(TracedSyscall.CONNECT, j, 3, P1, 16);
        assertEquals("type=SOCK_STREAM (IPPROTO_TCP) ", o.args());
        assertEquals(new NetInfo(NetType.IPV4, "127.0.0.1", 9, null), o.net());
        assertTrue(o.paths().isEmpty());
        // a raw socket: no port
        j.sockets.put(4, "SOCK_RAW (IPPROTO_ICMP)");
        assertEquals(-1, decode(TracedSyscall.CONNECT, j, 4, P1, 16).net().port());
        // an fd that is no socket (or unknown): no type, no port
        Observation none = decode(TracedSyscall.CONNECT, j, 9, P1, 16);
        assertEquals("", none.args());
        assertEquals(-1, none.net().port());
    }

    @Test
    void sendtoWithAndWithoutAddress() {
        FakeJail j = new FakeJail().bytes(P1, new byte[] {2, 0, 0, 53, 8, 8, 8, 8});
        j.sockets.put(3, "SOCK_DGRAM (IPPROTO_UDP)");
        Observation o = decode(TracedSyscall.SENDTO, j, 3, P2, 10, 0x4000, P1, 16);
        assertEquals("type=SOCK_DGRAM (IPPROTO_UDP) flags=16384 ", o.args());
        assertEquals(new NetInfo(NetType.IPV4, "8.8.8.8", 53, null), o.net());
        assertNull(decode(TracedSyscall.SENDTO, j, 3, P2, 10, 0, 0, 0).net(), "connected send: no address");
    }

    @Test
    void unixSocketPathIsAlsoAPath() {
        byte[] sa = new byte[2 + 6];
        sa[0] = 1;
        System.arraycopy("sock\0\0".getBytes(), 0, sa, 2, 6);
        FakeJail j = new FakeJail().bytes(P1, sa).jail("/home/user/sock", PathType.SOCK);
        j.sockets.put(3, "SOCK_STREAM");
        NetInfo n = decode(TracedSyscall.CONNECT, j, 3, P1, sa.length).net();
        assertEquals(new NetInfo(NetType.UNIX, "/home/user/sock", -1,
                PathInfo.of("/home/user/sock", PathType.SOCK, PathType.NONEXISTENT)), n);
    }

    @Test
    void socketArgumentsAreDecodedButNameNoResource() {
        Observation o = decode(TracedSyscall.SOCKET, new FakeJail(), 10, 2 | 02000000, 17);
        assertEquals("socket", o.syscall());
        assertEquals("domain=AF_INET6 type=SOCK_DGRAM|SOCK_CLOEXEC protocol=IPPROTO_UDP ", o.args());
        assertTrue(!o.recordsSomething());
    }

    @Test
    void openat2ReadsOpenHow() {
        byte[] how = new byte[24];
        how[0] = 2;                 // O_RDWR
        how[2] = (byte) 0x08;       // 0x80000 = O_CLOEXEC (02000000)
        how[16] = 0x10;             // RESOLVE_IN_ROOT
        FakeJail j = new FakeJail().str(P1, "/f").bytes(P2, how);
        Observation o = decode(TracedSyscall.OPENAT2, j, -100, P1, P2, 24);
        assertEquals("dirfd=AT_FDCWD resolve=16 ", o.args());
        assertEquals(OpenMode.RDWR, o.paths().get(0).mode());
        assertEquals("O_CLOEXEC", o.paths().get(0).modeExtra());
        // unreadable open_how: no mode at all
        assertEquals(OpenMode.UNSPECIFIED, decode(TracedSyscall.OPENAT2, j, -100, P1, 0x77, 24).paths().get(0).mode());
    }

    @Test
    void thirtyTwoBitCallersHaveTheirHighBitsIgnored() {
        FakeJail j = new FakeJail().str(P1, "/x");
        Observation o = ArgDecoder.decode(TracedSyscall.OPEN, args(0xffffffff00000000L | P1, 0100000), true, j);
        assertEquals("/x", o.paths().get(0).path());
        assertEquals("O_LARGEFILE", o.paths().get(0).modeExtra());
    }
}
