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
 *
 * <p>Silent until someone says where lines go: the CLI ({@link #toStderr()}, then -l/-L), or a
 * program embedding jnsjail ({@link #toLogger}: its {@link System.Logger}, which formats and filters
 * the lines itself). A library writes nothing to its host program's stderr by itself.
 *
 * <p>Where lines go and from which level is a {@link Sink}: the process has one, and code running
 * for someone else (a resident server's request) binds its own with {@link #callWith}, so that
 * several requests at once each log to their own client, at their own level, as a cold run would.
 */
public final class Log {
    private Log() {}

    public enum Level { DEBUG, INFO, WARNING, ERROR, FATAL }

    /**
     * One log: its level, its destination (-l file, -L fd, else stderr) and the pid its lines show.
     * A request's sink writes to fds it was given ({@code stderrFd}; -L numbers translated by
     * {@link #mapFds}); it can hold lines back until the request is known to be served
     * ({@link #hold}, {@link #release}, {@link #discard}) and be closed, after which it drops them.
     */
    public static final class Sink {
        private volatile Level level = Level.INFO;
        /** Whether lines go anywhere: false for the process's sink until the CLI or an embedder says where. */
        private volatile boolean on;
        /** An embedder's logger: it gets every line (unformatted) that it finds loggable. */
        private volatile System.Logger logger;
        private OutputStream file;
        private int fd = -1;
        private final int stderrFd;
        private final long pid;
        private java.util.function.IntUnaryOperator fdMap;
        private java.util.List<byte[]> held;
        private boolean closed;
        /** For a {@link #deferred()} sink: where {@link #replay} writes its lines. */
        private final Sink replayTo;

        private Sink(int stderrFd, long pid) {
            this(stderrFd, pid, null);
        }

        private Sink(int stderrFd, long pid, Sink replayTo) {
            this.stderrFd = stderrFd;
            this.pid = pid;
            this.replayTo = replayTo;
            this.on = stderrFd >= 0;
        }

        /**
         * A sink that keeps the lines of work done ahead of time (a jail readied before its peer
         * is known), at the calling thread's level and pid, until {@link #replay} writes them to the
         * calling thread's log, in order, as if they were logged then.
         */
        public static Sink deferred() {
            Sink now = sink();
            Sink d = new Sink(-1, now.pid(), now);
            d.level = now.level;
            d.on = now.on;
            d.logger = now.logger; // an embedder's logger takes lines as they come
            d.held = new java.util.ArrayList<>();
            return d;
        }

        /** A {@link #deferred()} sink's lines, written to the log it was made for; later lines follow at once. */
        public void replay() {
            java.util.List<byte[]> h;
            synchronized (this) {
                h = held;
                held = null;
            }
            if (h != null) for (byte[] b : h) replayTo.write(b);
        }

        /** A request's log: stderr is {@code stderrFd} (this process's number for it), lines show {@code pid}. */
        public static Sink forRequest(int stderrFd, long pid) {
            return new Sink(stderrFd, pid);
        }

        /** The -L fd as the caller numbered it, or -1. */
        public synchronized int requestedFd() {
            return fd;
        }

        /** Translates -L numbers to this process's fds (-1: not open there, so lines fall back to stderr). */
        public synchronized void mapFds(java.util.function.IntUnaryOperator map) {
            fdMap = map;
        }

        /** From now on lines are kept, not written. */
        public synchronized void hold() {
            if (held == null) held = new java.util.ArrayList<>();
        }

        /** Writes what was held, and everything after it. */
        public synchronized void release() {
            java.util.List<byte[]> h = held;
            held = null;
            if (h != null) for (byte[] b : h) emit(b);
        }

        /** Forgets what was held (the request runs elsewhere, which logs it itself); later lines are written. */
        public synchronized void discard() {
            held = null;
        }

        /** Drops every later line and closes the -l file. */
        public synchronized void close() {
            closed = true;
            held = null;
            closeFile();
        }

        private void closeFile() {
            if (file == null) return;
            try {
                file.close();
            } catch (IOException e) {
                // nothing to report it to
            }
            file = null;
        }

        synchronized void write(byte[] bytes) {
            if (closed) return;
            if (held != null) {
                held.add(bytes);
                return;
            }
            emit(bytes);
        }

        private void emit(byte[] bytes) {
            if (replayTo != null) {
                replayTo.write(bytes);
                return;
            }
            int target = fd;
            if (target >= 0 && fdMap != null) target = fdMap.applyAsInt(target);
            if (target >= 0 && writeFd(target, bytes)) return;
            OutputStream out = file;
            try {
                if (out != null) {
                    out.write(bytes);
                    out.flush();
                    return;
                }
            } catch (IOException e) {
                // fall back to stderr
            }
            if (stderrFd >= 0) {
                writeFd(stderrFd, bytes);
                return;
            }
            PrintStream err = System.err;
            err.write(bytes, 0, bytes.length);
            err.flush();
        }

        private static boolean writeFd(int fd, byte[] bytes) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(bytes.length);
                m.copyFrom(MemorySegment.ofArray(bytes));
                Libc.writeFully(fd, m);
                return true;
            } catch (ErrnoException e) {
                return false;
            }
        }

        long pid() {
            return pid >= 0 ? pid : Pid.PID;
        }
    }

    private static final Sink PROCESS = new Sink(-1, -1);
    private static final ScopedValue<Sink> CURRENT = ScopedValue.newInstance();

    private static Sink sink() {
        return CURRENT.orElse(PROCESS);
    }

    /** Runs {@code op} with {@code s} as the log of the calling thread (and of nothing else). */
    public static <R, X extends Throwable> R callWith(Sink s, ScopedValue.CallableOp<R, X> op) throws X {
        return ScopedValue.where(CURRENT, s).call(op);
    }

    public static void setLevel(Level l) {
        sink().level = l;
    }

    public static Level level() {
        return sink().level;
    }

    /** -l: append to a file (0640); if it can't be opened, keep logging to stderr, as nsjail. */
    public static void toFile(String path) {
        Sink s = sink();
        try {
            OutputStream f = new FileOutputStream(path, true);
            synchronized (s) {
                s.closeFile();
                s.file = f;
                s.fd = -1;
                s.logger = null;
                s.on = true;
            }
        } catch (IOException e) {
            warn("Couldn't open logfile " + Quote.of(path) + ": " + Quote.reason(e));
        }
    }

    /** Translates -L numbers of the current sink (see {@link Sink#mapFds}). */
    public static void mapFds(java.util.function.IntUnaryOperator map) {
        sink().mapFds(map);
    }

    /** -L: log to this file descriptor. */
    public static void toFd(int fd) {
        Sink s = sink();
        synchronized (s) {
            s.fd = fd;
            s.closeFile();
            s.logger = null;
            s.on = true;
        }
    }

    /** nsjail's lines on stderr: where the CLI's log goes unless -l or -L say otherwise. */
    public static void toStderr() {
        Sink s = sink();
        synchronized (s) {
            s.fd = -1;
            s.closeFile();
            s.logger = null;
            s.on = true;
        }
    }

    /**
     * An embedder's logger: every line from now on goes to {@code logger} at the matching level
     * (FATAL as ERROR), unformatted, if the logger finds it loggable; null makes the log silent again.
     */
    public static void toLogger(System.Logger logger) {
        Sink s = sink();
        synchronized (s) {
            s.fd = -1;
            s.closeFile();
            s.logger = logger;
            s.on = logger != null;
        }
    }

    /** The {@link System.Logger} level a line of this level is logged at. */
    static System.Logger.Level loggerLevel(Level l) {
        if (l == Level.DEBUG) return System.Logger.Level.DEBUG;
        if (l == Level.INFO) return System.Logger.Level.INFO;
        if (l == Level.WARNING) return System.Logger.Level.WARNING;
        return System.Logger.Level.ERROR;
    }

    /** Whether -l/-L (or a config) chose where the log goes; -d logs to /var/log/nsjail.log otherwise. */
    public static boolean hasSink() {
        Sink s = sink();
        synchronized (s) {
            return s.file != null || s.fd >= 0;
        }
    }

    /** The -L fd, or -1: a re-executed daemon must keep it open. */
    public static int sinkFd() {
        return sink().requestedFd();
    }

    public static boolean enabled(Level l) {
        Sink s = sink();
        if (!s.on) return false;
        System.Logger lg = s.logger;
        return lg != null ? lg.isLoggable(loggerLevel(l)) : l.ordinal() >= s.level.ordinal();
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
        Sink s = sink();
        if (!s.on) return;
        System.Logger lg = s.logger;
        if (lg != null) {
            System.Logger.Level ll = loggerLevel(l);
            if (lg.isLoggable(ll)) lg.log(ll, msg);
            return;
        }
        if (l.ordinal() < s.level.ordinal()) return;
        StringBuilder b = new StringBuilder(msg.length() + 48);
        b.append('[').append("DIWEF".charAt(l.ordinal())).append("][");
        timestamp(b, System.currentTimeMillis());
        b.append(']');
        if (l != Level.INFO) b.append('[').append(s.pid()).append(']');
        // One event, one line: a newline inside a value (a path, a policy name) is shown escaped.
        b.append(' ').append(msg.indexOf('\n') < 0 ? msg : msg.replace("\n", "\\n")).append('\n');
        s.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The pid, looked up once and only when a line needs it. */
    private static final class Pid {
        static final long PID = ProcessHandle.current().pid();
    }

    /** Help text and other unprefixed output that goes to the log. */
    public static void plain(String text) {
        Sink s = sink();
        if (!s.on) return;
        System.Logger lg = s.logger;
        if (lg != null) {
            if (lg.isLoggable(System.Logger.Level.INFO)) lg.log(System.Logger.Level.INFO, text);
            return;
        }
        s.write((text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8));
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
