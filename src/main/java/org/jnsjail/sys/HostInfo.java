package org.jnsjail.sys;

import java.io.IOException;

/**
 * Facts about the supervisor's own process that plans depend on, read once: ids, capability sets
 * and the highest capability the kernel knows.
 */
public record HostInfo(int uid, int gid, int euid, int egid, int capLastCap, long capPermitted, long capEffective,
        long nofileHard) {

    private static volatile HostInfo cached;

    public static HostInfo get() {
        HostInfo h = cached;
        if (h == null) cached = h = read();
        return h;
    }

    private static HostInfo read() {
        int last = 40;
        try {
            last = Integer.parseInt(readProc("/proc/sys/kernel/cap_last_cap").trim());
        } catch (IOException | NumberFormatException e) {
            // keep the CAP_CHECKPOINT_RESTORE-era default
        }
        long prm = 0, eff = 0;
        int[] uids = null, gids = null;
        try {
            // One read gives ids and capabilities (proc(5), /proc/pid/status), with no native call.
            for (String line : readProc("/proc/self/status").split("\n")) {
                if (line.startsWith("CapPrm:")) prm = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                else if (line.startsWith("CapEff:")) eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                else if (line.startsWith("Uid:")) uids = ids(line);
                else if (line.startsWith("Gid:")) gids = ids(line);
            }
        } catch (IOException | NumberFormatException e) {
            // fall back to the syscalls below; no capabilities known: plans then assume none
        }
        if (uids == null || gids == null) {
            uids = new int[] {Libc.getuid(), Libc.geteuid()};
            gids = new int[] {Libc.getgid(), Libc.getegid()};
        }
        long nofileHard = RLimit.RLIM_INFINITY;
        try {
            for (String line : readProc("/proc/self/limits").split("\n")) {
                if (!line.startsWith("Max open files")) continue;
                String[] f = line.substring(14).trim().split("\\s+");
                nofileHard = f[1].equals("unlimited") ? RLimit.RLIM_INFINITY : Long.parseLong(f[1]);
            }
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // unknown: treated as unlimited
        }
        return new HostInfo(uids[0], gids[0], uids[1], gids[1], last, prm, eff, nofileHard);
    }

    /** "Uid:\treal\teffective\tsaved\tfs" → {real, effective}. */
    private static int[] ids(String line) {
        String[] f = line.substring(4).trim().split("\\s+");
        return new int[] {Integer.parseUnsignedInt(f[0]), Integer.parseUnsignedInt(f[1])};
    }

    /**
     * Reads a procfs file whole, read(2) until it returns 0. Files.readString trusts st_size, which
     * procfs reports as 0 (or a page), and was seen returning "4" for cap_last_cap's "40\n". Plain
     * syscalls rather than a FileInputStream: a server reads several of a client's files per request,
     * and the stream's descriptor, cleaner and buffers cost more than the reads.
     */
    public static String readProc(String path) throws IOException {
        int fd;
        try {
            fd = Libc.open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            throw new IOException(e.getMessage());
        }
        try {
            return new String(Libc.readAll(fd), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (ErrnoException e) {
            throw new IOException(path + ": " + e.getMessage());
        } finally {
            Libc.close(fd);
        }
    }

    /** Every capability the kernel knows, as a mask. */
    public long fullCapSet() {
        return capLastCap >= 63 ? -1L : (1L << (capLastCap + 1)) - 1;
    }
}
