package org.jnsjail.cli;

import java.util.HashMap;
import java.util.Map;

import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.log.Log;
import org.jnsjail.server.ServerCommand;
import org.jnsjail.supervisor.Listener;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.supervisor.Standalone;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.RLimit;
import org.jnsjail.supervisor.JailPlans;
import org.jnsjail.args.CliException;
import org.jnsjail.args.CommandLine;
import org.jnsjail.args.HelpRequested;
import org.jnsjail.args.Mode;
import org.jnsjail.args.Version;

/** The nsjail command: a thin layer over {@link org.jnsjail.api}. Exit codes as nsjail's. */
public final class Main {
    private Main() {}

    /**
     * Set by the resident server's client when it runs a request cold: why the server did not take
     * it, logged at -v. Not passed on: the jail's environment is the caller's without it.
     */
    static final String COLD_REASON = "JNSJAIL_COLD_REASON";

    public static void main(String[] args) {
        Log.toStderr(); // nsjail's log; the library alone is silent
        int rc;
        try {
            rc = run(args, caller());
        } catch (Throwable t) {
            // Never a stack trace: one line, 255.
            Log.fatal(MissingLibraries.isMissingClass(t) ? MissingLibraries.describe(t)
                    : "internal error: " + org.jnsjail.log.Quote.describe(t));
            rc = 255;
        }
        System.out.flush();
        Runtime.getRuntime().halt(rc);
    }

    /**
     * This run's caller, read before anything changes: the launcher starts the JVM with
     * -XX:-MaxFDLimit, so RLIMIT_NOFILE is still the caller's; then the JVM's own soft limit is
     * raised to the hard one, as the JVM otherwise does itself (a LISTEN supervisor needs fds).
     */
    private static Caller caller() {
        Caller self = Caller.self();
        Caller.Limit nofile = self.rlimits().get(RLimit.RLIMIT_NOFILE);
        if (nofile != null && nofile.soft() != nofile.hard()) {
            try {
                Libc.setrlimit(RLimit.RLIMIT_NOFILE.resource, nofile.hard(), nofile.hard());
            } catch (ErrnoException e) {
                // keep the caller's: fewer fds, same behaviour
            }
        }
        // -L naming an fd the caller does not have (one the JVM opened for itself) is as a closed one.
        Log.mapFds(n -> self.hasFd(n) ? n : -1);
        if (!self.env().containsKey(COLD_REASON)) return self;
        Map<String, String> env = new HashMap<>(self.env());
        env.remove(COLD_REASON);
        return new Caller(env, self.cwd(), self.rlimits(), self.umask(), self.cgroupFd(), self.fds());
    }

    static int run(String[] args, Caller caller) {
        if (!Log.hasSink()) Log.toStderr();
        if (ServerCommand.isServerCommand(args)) return ServerCommand.run(args, new Served());
        // The main thread lives as long as the JVM: jails it creates keep their parent-death signal armed.
        Spawner.get().adoptCurrentThread();
        CommandLine.Run run;
        try {
            run = CommandLine.parse(args, caller);
        } catch (HelpRequested h) {
            System.out.print(h.text());
            return 0;
        } catch (CliException e) {
            Log.fatal(e.getMessage() + (e.showUsage() ? " (see --help)" : ""));
            return 255;
        }
        if (run.dumpPlan()) {
            // --dump_plan: what a start would run, and nothing started (no daemon, status file or jail).
            try {
                System.out.print(JailPlans.dump(run.spec(), run.mode() == Mode.EXECVE, caller));
                return 0;
            } catch (JailFailure e) {
                Log.fatal(e.getMessage());
                return 255;
            }
        }
        String cold = System.getenv(COLD_REASON);
        if (cold != null) Log.debug("The jnsjail server did not take this run: " + cold);
        if (run.daemon()) {
            // nsjail picks its default log file while parsing, before daemon(3), so a failure to open it shows here.
            if (!Log.hasSink()) Log.toFile(Daemon.DEFAULT_LOG);
            if (!Daemon.isDetachedCopy()) {
                java.util.List<Integer> keep = new java.util.ArrayList<>(run.spec().passFds());
                if (caller.hasFd(Log.sinkFd())) keep.add(Log.sinkFd());
                if (run.statusFd() >= 0) keep.add(run.statusFd());
                try {
                    Daemon.detach(keep, caller.env());
                    return 0;
                } catch (java.io.IOException | org.jnsjail.sys.ErrnoException e) {
                    Log.fatal("daemon: " + org.jnsjail.log.Quote.message(e));
                    return 255;
                }
            }
        }
        org.jnsjail.supervisor.StatusOutput status = null;
        if (run.wantsStatus()) {
            try {
                status = org.jnsjail.supervisor.StatusOutput.open(run.statusFile(), run.statusFd());
            } catch (ErrnoException e) {
                Log.fatal(e.getMessage());
                return 255;
            }
        }
        logSummary(run);
        int rc = switch (run.mode()) {
            case ONCE -> Standalone.runOnce(run.spec(), run.forwardSignals(), status);
            case RERUN -> Standalone.rerun(run.spec(), run.forwardSignals(), status);
            case EXECVE -> {
                try {
                    Spawner.execInPlace(run.spec());
                    yield 255;
                } catch (JailFailure e) {
                    Log.fatal(e.getMessage());
                    yield 255;
                }
            }
            case LISTEN -> Listener.run(run.spec(), run.listen(), status);
        };
        if (status != null) status.close();
        // nsjail prints the report once the supervisor is done with every jail.
        if (run.spec().seccompUnotify()) org.jnsjail.unotify.Unotify.report(run.unotifyReport());
        // Every jail is gone: the cgroup parents jnsjail created (when missing) go too, if empty.
        org.jnsjail.cgroup.Cgroups.removeCreatedParents();
        return rc;
    }

    /** nsjail's start-up summary (logParams), before the mode runs. */
    static void logSummary(CommandLine.Run run) {
        if (Log.enabled(Log.Level.DEBUG)) Log.debug(Version.line());
        for (String line : run.summary()) {
            Log.log(switch (line.charAt(0)) {
                case 'W' -> Log.Level.WARNING;
                case 'D' -> Log.Level.DEBUG;
                default -> Log.Level.INFO;
            }, line.substring(1));
        }
    }
}
