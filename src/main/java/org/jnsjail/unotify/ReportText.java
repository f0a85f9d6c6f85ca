package org.jnsjail.unotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.TextFormat;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.unotify.proto.UnotifyProto.Stat;

/**
 * The report: a {@link Snapshot} as a unotify.Stat message in protobuf text format, filled as
 * nsjail's stats.cc fills it (so protobuf-java's printer gives the text nsjail's C++
 * TextFormat::PrintToString gives), and the report file.
 *
 * <p>The only class that touches protobuf: it is loaded when a non-empty report is printed, so a
 * jail that is not traced never loads protobuf.
 */
final class ReportText {
    private ReportText() {}

    static String render(Snapshot s) {
        Stat.Builder b = Stat.newBuilder();
        for (Snapshot.FsAccess f : s.fs()) {
            Stat.Path.Builder p = path(f.path()).setCount(f.count());
            for (Snapshot.SyscallCount c : f.syscalls()) p.addSyscall(syscall(c));
            b.addFsAccess(p);
        }
        for (Snapshot.NetAccess a : s.net()) {
            NetInfo n = a.net();
            Stat.NetResource.Builder r = Stat.NetResource.newBuilder()
                    .setType(Stat.NetResource.Type.forNumber(n.type().ordinal()));
            if (!n.endpoint().isEmpty()) r.setEndpoint(n.endpoint());
            if (n.hasPort()) r.setPort(n.port());
            if (n.socketPath() != null) r.setSocketPath(path(n.socketPath()));
            r.setCount(a.count());
            for (Snapshot.SyscallCount c : a.syscalls()) r.addSyscall(syscall(c));
            b.addNetAccess(r);
        }
        return cEscapeCompatible(TextFormat.printer().printToString(b.build()));
    }

    /**
     * protobuf-java writes BEL, BS, FF and VT inside strings as \a \b \f \v; C++ (absl::CEscape)
     * writes them in octal like every other control byte. Backslashes occur only inside strings in
     * the text format, and each starts a two-character escape or an octal one, so a scan that skips
     * over each escape rewrites exactly those four.
     */
    static String cEscapeCompatible(String text) {
        if (text.indexOf('\\') < 0) return text;
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                b.append(c);
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'a' -> b.append("\\007");
                case 'b' -> b.append("\\010");
                case 'f' -> b.append("\\014");
                case 'v' -> b.append("\\013");
                default -> b.append(c).append(e);
            }
        }
        return b.toString();
    }

    /** stats.cc fillPathInfoPb: types and exists_* always set, mode only when known. */
    private static Stat.Path.Builder path(PathInfo p) {
        Stat.Path.Builder b = Stat.Path.newBuilder()
                .setPath(p.path())
                .setJailType(Stat.Path.Type.forNumber(p.jailType().ordinal()))
                .setMainType(Stat.Path.Type.forNumber(p.mainType().ordinal()))
                .setExistsInJail(p.jailType().exists())
                .setExistsInMain(p.mainType().exists());
        if (p.mode() != OpenMode.UNSPECIFIED) b.setMode(Stat.Path.Mode.forNumber(p.mode().ordinal()));
        return b;
    }

    /** The argument string is the only args element, and absent when empty. */
    private static Stat.Syscall syscall(Snapshot.SyscallCount c) {
        Stat.Syscall.Builder b = Stat.Syscall.newBuilder().setName(c.name()).setCount(c.count());
        if (!c.args().isEmpty()) b.addArgs(c.args());
        return b.build();
    }

    /** Writes the report to {@code file} (O_CREAT|O_WRONLY|O_TRUNC, 0644, as nsjail's writeBufToFile). */
    static void write(String file, String text) throws ErrnoException {
        int fd = Libc.open(file, Sysno.O_CREAT | Sysno.O_WRONLY | Sysno.O_TRUNC | Sysno.O_CLOEXEC, 0644);
        try (Arena a = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment m = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            Libc.writeFully(fd, m.asSlice(0, bytes.length));
        } finally {
            Libc.close(fd);
        }
    }
}
