package org.jnsjail.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Kafel's syscall tables (copied verbatim from kafel, wrong MIPS numbers included, because arg names
 * and sizes decide both compile success and comparison width). Loaded lazily, one arch at a time.
 */
public final class SyscallTable {
    /** One syscall argument; {@code size} 8 means a 64-bit comparison, 2 or 4 a 32-bit one. */
    public record Arg(String name, int size) {}

    /** One table entry. */
    public record Syscall(String name, int nr, List<Arg> args) {}

    private static final String RESOURCE = "syscalls.tsv";
    private static final AtomicReferenceArray<SyscallTable> CACHE =
            new AtomicReferenceArray<>(Arch.values().length);

    private final Arch arch;
    private final Map<String, Syscall> byName;
    private final Map<Integer, Syscall> byNr;
    private final List<Syscall> all;

    private SyscallTable(Arch arch, List<Syscall> entries) {
        this.arch = arch;
        this.all = Collections.unmodifiableList(entries);
        this.byName = HashMap.newHashMap(entries.size());
        this.byNr = HashMap.newHashMap(entries.size());
        for (Syscall s : entries) {
            byName.putIfAbsent(s.name(), s); // kafel: linear strcmp, first match wins
            byNr.putIfAbsent(s.nr(), s);
        }
    }

    /** The table for {@code arch}, parsed on first use only. */
    public static SyscallTable of(Arch arch) {
        SyscallTable t = CACHE.get(arch.ordinal());
        if (t == null) {
            t = load(arch);
            if (!CACHE.compareAndSet(arch.ordinal(), null, t)) {
                t = CACHE.get(arch.ordinal());
            }
        }
        return t;
    }

    public Arch arch() {
        return arch;
    }

    /** Entry by kernel name, or null. */
    public Syscall byName(String name) {
        return byName.get(name);
    }

    /** Entry by number, or null. */
    public Syscall byNumber(int nr) {
        return byNr.get(nr);
    }

    public List<Syscall> all() {
        return all;
    }

    // Plain indexOf scanning: this runs on every jail start-up, so no regex and no other arch parsed.
    private static SyscallTable load(Arch arch) {
        String prefix = arch.kafelName + "\t";
        List<Syscall> out = new ArrayList<>(512);
        try (InputStream in = SyscallTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    out.add(parseLine(line, prefix.length()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SyscallTable(arch, out);
    }

    private static Syscall parseLine(String line, int start) {
        int t1 = line.indexOf('\t', start);
        String name = line.substring(start, t1);
        int t2 = line.indexOf('\t', t1 + 1);
        int nr = Integer.parseUnsignedInt(line, t1 + 1, t2 < 0 ? line.length() : t2, 10);
        List<Arg> args = new ArrayList<>(6);
        int pos = t2 + 1;
        while (t2 >= 0 && pos <= line.length()) {
            int end = line.indexOf('\t', pos);
            if (end < 0) {
                end = line.length();
            }
            int colon = line.indexOf(':', pos);
            if (colon < 0 || colon > end) {
                break; // "-" marks the end of the argument list
            }
            args.add(new Arg(line.substring(pos, colon), Integer.parseInt(line, colon + 1, end, 10)));
            pos = end + 1;
        }
        return new Syscall(name, nr, List.copyOf(args));
    }
}
