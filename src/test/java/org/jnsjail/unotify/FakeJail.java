package org.jnsjail.unotify;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A {@link JailView} over a made-up address space, cwd, fds and file system. */
final class FakeJail implements JailView {
    final Map<Long, byte[]> memory = new HashMap<>();
    final Map<Long, long[]> pointerArrays = new HashMap<>();
    final Map<String, PathType> jailFs = new HashMap<>();
    final Map<String, PathType> hostFs = new HashMap<>();
    final Map<Integer, String> dirfds = new HashMap<>();
    final Map<Integer, String> sockets = new HashMap<>();
    String cwd = "/home/user";

    FakeJail str(long addr, String s) {
        memory.put(addr, s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    FakeJail bytes(long addr, byte[] b) {
        memory.put(addr, b);
        return this;
    }

    FakeJail jail(String path, PathType t) {
        jailFs.put(path, t);
        return this;
    }

    FakeJail host(String path, PathType t) {
        hostFs.put(path, t);
        return this;
    }

    @Override
    public byte[] readString(long addr) {
        if (addr == 0) return NULL_POINTER;
        byte[] b = memory.get(addr);
        if (b == null) return INVALID_POINTER;
        int n = 0;
        while (n < b.length && n < LiveJail.MAX_STRING && b[n] != 0) n++;
        return java.util.Arrays.copyOf(b, n);
    }

    @Override
    public long[] readPointers(long addr, boolean compat) {
        long[] p = pointerArrays.get(addr);
        if (p == null) return new long[0];
        int n = 0;
        while (n < p.length && n < LiveJail.MAX_POINTERS && p[n] != 0) n++;
        return java.util.Arrays.copyOf(p, n);
    }

    @Override
    public int read(long addr, byte[] dst, int len) {
        byte[] b = memory.get(addr);
        if (b == null) return -1;
        int n = Math.min(len, b.length);
        System.arraycopy(b, 0, dst, 0, n);
        return n;
    }

    @Override
    public byte[] dirLink(int dirfd) {
        String s = dirfd == ArgDecoder.AT_FDCWD ? cwd : dirfds.get(dirfd);
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public PathType jailType(byte[] absPath) {
        return jailFs.getOrDefault(new String(absPath, StandardCharsets.UTF_8), PathType.NONEXISTENT);
    }

    @Override
    public PathType hostType(byte[] path) {
        return hostFs.getOrDefault(new String(path, StandardCharsets.UTF_8), PathType.NONEXISTENT);
    }

    @Override
    public String socketKind(int fd) {
        return sockets.getOrDefault(fd, "");
    }
}
