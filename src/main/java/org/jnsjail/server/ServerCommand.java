package org.jnsjail.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.FsState;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.SelfExec;
import org.jnsjail.sys.UnixSocket;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code nsjail --server start|stop|status [--server_dir DIR] [--server_idle_timeout SECONDS]}:
 * the resident server's life. {@code start} re-executes this JVM in the background (a new session,
 * stdio on /dev/null) and waits until it serves or says why it cannot; nothing else ever starts one.
 */
public final class ServerCommand {
    private ServerCommand() {}

    /** Marks the background copy; a -D property, so nothing the server starts inherits it. */
    static final String RESIDENT = "jnsjail.server.resident";
    /** The fd on which the background copy says "started" or why not, then closes it. */
    static final int STATUS_FD = 3;
    /** Without a request for this long, the server stops (0: never). */
    static final long DEFAULT_IDLE_SECONDS = 3600;

    /** Whether argv is a server command (it must come first, as a subcommand). */
    public static boolean isServerCommand(String[] args) {
        return args.length > 0 && args[0].equals("--server");
    }

    private record Options(String action, ServerDir dir, long idleSeconds) {}

    public static int run(String[] args, Handler handler) {
        Options o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {
            Log.fatal(e.getMessage() + " (see --help)");
            return 255;
        }
        if ("1".equals(System.getProperty(RESIDENT))) return resident(o, handler);
        return switch (o.action()) {
            case "start" -> start(o);
            case "stop" -> stop(o);
            default -> status(o);
        };
    }

    private static Options options(String[] args) {
        if (args.length < 2 || !List.of("start", "stop", "status").contains(args[1])) {
            throw new IllegalArgumentException("--server needs 'start', 'stop' or 'status'");
        }
        String dir = null;
        long idle = DEFAULT_IDLE_SECONDS;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (a.equals("--server_dir") && v != null) {
                if (!v.startsWith("/")) throw new IllegalArgumentException("--server_dir must be an absolute path: '" + v + "'");
                dir = v;
            } else if (a.equals("--server_idle_timeout") && v != null) {
                try {
                    idle = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    idle = -1;
                }
                if (idle < 0 || idle > 100L * 365 * 86400) {
                    throw new IllegalArgumentException("--server_idle_timeout: not a number of seconds: '" + v + "'");
                }
            } else {
                throw new IllegalArgumentException("--server " + args[1] + ": unknown argument '" + a + "'");
            }
            i++;
        }
        int euid = Libc.geteuid();
        return new Options(args[1], dir != null ? new ServerDir(dir) : ServerDir.forUser(euid, System.getenv()), idle);
    }

    private static int start(Options o) {
        String running = query(o.dir(), Wire.STATUS);
        if (running != null) {
            System.out.println("jnsjail server: already running: " + running);
            return 0;
        }
        try {
            o.dir().prepare(Libc.geteuid());
        } catch (ServerDir.Problem e) {
            Log.fatal(e.getMessage());
            return 255;
        }
        int[] pipe;
        try {
            pipe = Libc.pipe2(Fcntl.O_CLOEXEC);
        } catch (ErrnoException e) {
            Log.fatal("pipe: " + e.getMessage());
            return 255;
        }
        try {
            List<String> opts = new ArrayList<>(List.of("-D" + RESIDENT + "=1"));
            // A request's garbage is small and short-lived: a small young generation, touched at
            // start (AlwaysPreTouch), keeps the resident set flat from the first request on.
            opts.addAll(List.of("-Xmn6m", "-Xms12m", "-Xmx256m", "-XX:+AlwaysPreTouch"));
            // The request path is compiled within its first few dozen requests, not over thousands:
            // the resident set (compiler arenas, code) then stops growing early (measured by
            // bench/server.sh: 100 vs 10,000 requests), and early requests are fast too.
            opts.addAll(List.of("-XX:Tier3InvocationThreshold=20", "-XX:Tier3MinInvocationThreshold=10",
                    "-XX:Tier3CompileThreshold=200"));
            SelfExec.spawn(opts, System.getenv(), List.of(), Map.of(STATUS_FD, pipe[1]));
        } catch (java.io.IOException | ErrnoException e) {
            Log.fatal("Couldn't start the server: " + org.jnsjail.log.Quote.message(e));
            return 255;
        } finally {
            Libc.close(pipe[1]);
        }
        String said = readAll(pipe[0]);
        Libc.close(pipe[0]);
        if (said.startsWith("OK ")) {
            System.out.println("jnsjail server: started, " + said.substring(3).trim());
            return 0;
        }
        Log.fatal(said.isBlank() ? "The server exited before it started serving (see " + o.dir().log() + ")" : said.trim());
        return 255;
    }

    private static int stop(Options o) {
        String said = query(o.dir(), Wire.STOP);
        if (said == null) {
            System.out.println("jnsjail server: not running (no server at " + o.dir().socket() + ")");
            return 0;
        }
        // It stops accepting at once (the socket goes) and ends when its last jail has: wait for
        // that (its lock is free then), so that a start right after this one finds no server.
        System.out.println(said);
        for (int i = 0; i < 400; i++) {
            try {
                int lock = o.dir().tryLock();
                if (lock >= 0) {
                    Libc.close(lock);
                    return 0;
                }
            } catch (ServerDir.Problem e) {
                break;
            }
            sleep(25);
        }
        System.out.println("jnsjail server: still finishing its running jails");
        return 0;
    }

    private static int status(Options o) {
        String said = query(o.dir(), Wire.STATUS);
        if (said == null) {
            System.out.println("jnsjail server: not running (no server at " + o.dir().socket() + ")");
            return 1;
        }
        System.out.println(said);
        return 0;
    }

    /** Sends a control frame; the server's answer, or null when none runs there. */
    private static String query(ServerDir dir, int type) {
        try {
            int fd = UnixSocket.stream();
            try (Channel ch = new Channel(fd)) {
                if (!UnixSocket.connect(fd, dir.socket())) return null;
                if (!ch.send(Wire.frame(type, new byte[0]))) return null;
                Channel.Frame f = ch.read(System.nanoTime() + 10_000_000_000L, 4000, 0, null);
                String text = new String(f.payload(), StandardCharsets.UTF_8);
                if (f.type() == Wire.ERROR) throw new IllegalStateException(text);
                return f.type() == Wire.INFO ? text : "jnsjail server: busy (" + text + ")";
            }
        } catch (ErrnoException | Wire.Malformed | Channel.Gone e) {
            return null;
        }
    }

    /** The background copy: take the lock, bind, say so on the status fd, serve. */
    private static int resident(Options o, Handler handler) {
        int euid = Libc.geteuid();
        Server server;
        int listen;
        try {
            o.dir().check(euid);
            if (o.dir().tryLock() < 0) {
                tell("jnsjail server: another server holds " + o.dir().lock());
                return 255;
            }
            Libc.close(Libc.open(o.dir().log(), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_APPEND | Fcntl.O_NOFOLLOW
                    | Fcntl.O_CLOEXEC, 0600));
            Log.toFile(o.dir().log());
            FsState.chdir("/"); // keep no directory busy; requests use their client's
            Path code = Path.of(ServerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            server = new Server(o.dir(), handler, o.idleSeconds(), Server.Identity.of(code));
            listen = server.bind();
        } catch (ServerDir.Problem e) {
            tell(e.getMessage());
            return 255;
        } catch (Exception e) {
            tell("jnsjail server: " + org.jnsjail.log.Quote.message(e));
            return 255;
        }
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> server.stop());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> server.stop());
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> { });
        Log.info("Started: pid " + ProcessHandle.current().pid() + ", socket " + o.dir().socket() + ", idle timeout "
                + o.idleSeconds() + " s, jnsjail " + server.identity.path());
        tell("OK pid " + ProcessHandle.current().pid() + ", socket " + o.dir().socket());
        try {
            Thread t = Thread.ofPlatform().name("jnsjail-server").start(() -> {
                try {
                    server.serve(listen);
                } catch (Exception e) {
                    Log.error("The server failed: " + org.jnsjail.log.Quote.describe(e));
                }
            });
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Log.info("Stopped: " + server.served.get() + " requests served, " + server.cold.get() + " run cold");
        return 0;
    }

    private static void tell(String line) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length);
            MemorySegment.copy(b, 0, m, JAVA_BYTE, 0, b.length);
            Libc.writeFully(STATUS_FD, m);
        } catch (ErrnoException e) {
            // the starter is gone
        }
        Libc.close(STATUS_FD);
    }

    /** Decoded whole, so a UTF-8 sequence split across two reads stays one character. */
    private static String readAll(int fd) {
        try {
            return new String(Libc.readAll(fd), StandardCharsets.UTF_8);
        } catch (ErrnoException e) {
            return ""; // the starter is gone: it said nothing
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
