package org.jnsjail.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.TimeZone;

import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;

/**
 * The log, in nsjail's format: INFO lines are {@code [I][time] msg}; the other levels carry the pid,
 * {@code [W][time][pid] msg}. Levels as nsjail: DEBUG (-v), INFO (default), WARNING (-q),
 * ERROR (config only), FATAL (-Q).
 */
public final class Log {
    private Log() {}

    public enum Level { DEBUG, INFO, WARNING, ERROR, FATAL }

    private static volatile Level level = Level.INFO;
    private static volatile OutputStream sink;
    private static volatile int sinkFd = -1;

    public static void setLevel(Level l) {
        level = l;
    }

    public static Level level() {
        return level;
    }

    /** -l: append to a file (0640); if it can't be opened, keep logging to stderr, as nsjail. */
    public static void toFile(String path) {
        try {
            sink = new FileOutputStream(path, true);
            sinkFd = -1;
        } catch (IOException e) {
            warn("Couldn't open logfile " + Quote.of(path) + ": " + Quote.reason(e));
        }
    }

    /** -L: log to this file descriptor. */
    public static void toFd(int fd) {
        sinkFd = fd;
        sink = null;
    }

    /** Back to the default sink, System.err (for embedders that load several configs). */
    public static void toStderr() {
        sink = null;
        sinkFd = -1;
    }

    /** Whether -l/-L (or a config) chose where the log goes; -d logs to /var/log/nsjail.log otherwise. */
    public static boolean hasSink() {
        return sink != null || sinkFd >= 0;
    }

    /** The -L fd, or -1: a re-executed daemon must keep it open. */
    public static int sinkFd() {
        return sinkFd;
    }

    public static boolean enabled(Level l) {
        return l.ordinal() >= level.ordinal();
    }

    public static void debug(String msg) {
        log(Level.DEBUG, msg);
    }

    public static void info(String msg) {
        log(Level.INFO, msg);
    }

    public static void warn(String msg) {
        log(Level.WARNING, msg);
    }

    public static void error(String msg) {
        log(Level.ERROR, msg);
    }

    public static void fatal(String msg) {
        log(Level.FATAL, msg);
    }

    public static void log(Level l, String msg) {
        if (!enabled(l)) return;
        StringBuilder b = new StringBuilder(msg.length() + 48);
        b.append('[').append("DIWEF".charAt(l.ordinal())).append("][");
        timestamp(b, System.currentTimeMillis());
        b.append(']');
        if (l != Level.INFO) b.append('[').append(Pid.PID).append(']');
        // One event, one line: a newline inside a value (a path, a policy name) is shown escaped.
        b.append(' ').append(msg.indexOf('\n') < 0 ? msg : msg.replace("\n", "\\n")).append('\n');
        write(b.toString());
    }

    /** The pid, looked up once and only when a line needs it. */
    private static final class Pid {
        static final long PID = ProcessHandle.current().pid();
    }

    /** Help text and other unprefixed output that goes to the log. */
    public static void plain(String text) {
        write(text.endsWith("\n") ? text : text + "\n");
    }

    private static synchronized void write(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int fd = sinkFd;
        if (fd >= 0) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(bytes.length);
                m.copyFrom(MemorySegment.ofArray(bytes));
                Libc.writeFully(fd, m);
                return;
            } catch (ErrnoException e) {
                // fall back to stderr below
            }
        }
        OutputStream out = sink;
        try {
            if (out != null) {
                out.write(bytes);
                out.flush();
                return;
            }
        } catch (IOException e) {
            // fall back to stderr
        }
        PrintStream err = System.err;
        err.write(bytes, 0, bytes.length);
        err.flush();
    }

    /** %FT%T%z, computed by hand: java.time's formatters cost start-up time. */
    static void timestamp(StringBuilder b, long millis) {
        int offMs = TimeZone.getDefault().getOffset(millis);
        long t = Math.floorDiv(millis + offMs, 1000L);
        long days = Math.floorDiv(t, 86400L);
        int secs = (int) Math.floorMod(t, 86400L);
        // civil-from-days (proleptic Gregorian)
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) y++;
        b.append(y).append('-');
        two(b, m);
        b.append('-');
        two(b, d);
        b.append('T');
        two(b, secs / 3600);
        b.append(':');
        two(b, secs / 60 % 60);
        b.append(':');
        two(b, secs % 60);
        int offMin = offMs / 60000;
        b.append(offMin < 0 ? '-' : '+');
        offMin = Math.abs(offMin);
        two(b, offMin / 60);
        two(b, offMin % 60);
    }

    private static void two(StringBuilder b, long v) {
        if (v < 10) b.append('0');
        b.append(v);
    }
}
