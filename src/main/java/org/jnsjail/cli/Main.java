package org.jnsjail.cli;

import org.jnsjail.api.JailException;
import org.jnsjail.api.Jails;
import org.jnsjail.log.Log;
import org.jnsjail.supervisor.Listener;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.supervisor.Standalone;

/** The nsjail command: a thin layer over {@link org.jnsjail.api}. Exit codes as nsjail's. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int rc;
        try {
            rc = run(args);
        } catch (Throwable t) {
            // Never a stack trace: one line, 255.
            Log.fatal(MissingLibraries.isMissingClass(t) ? MissingLibraries.describe(t)
                    : "internal error: " + org.jnsjail.log.Quote.describe(t));
            rc = 255;
        }
        System.out.flush();
        Runtime.getRuntime().halt(rc);
    }

    static int run(String[] args) {
        // The main thread lives as long as the JVM: jails it creates keep their parent-death signal armed.
        Spawner.get().adoptCurrentThread();
        CommandLine.Run run;
        try {
            run = CommandLine.parse(args);
        } catch (HelpRequested h) {
            System.out.print(Help.usage());
            return 0;
        } catch (CliException e) {
            Log.fatal(e.getMessage() + (e.showUsage() ? " (see --help)" : ""));
            return 255;
        }
        if (run.daemon()) {
            // nsjail picks its default log file while parsing, before daemon(3), so a failure to open it shows here.
            if (!Log.hasSink()) Log.toFile(Daemon.DEFAULT_LOG);
            if (!Daemon.isDetachedCopy()) {
                java.util.List<Integer> keep = new java.util.ArrayList<>(run.spec().passFds());
                keep.add(Log.sinkFd());
                try {
                    Daemon.detach(keep);
                    return 0;
                } catch (java.io.IOException | org.jnsjail.sys.ErrnoException e) {
                    Log.fatal("daemon: " + e.getMessage());
                    return 255;
                }
            }
        }
        for (String line : run.summary()) {
            Log.log(line.charAt(0) == 'W' ? Log.Level.WARNING : Log.Level.INFO, line.substring(1));
        }
        int rc = switch (run.mode()) {
            case ONCE -> Standalone.runOnce(run.spec(), run.forwardSignals());
            case RERUN -> Standalone.rerun(run.spec(), run.forwardSignals());
            case EXECVE -> {
                try {
                    Jails.execInPlace(run.spec());
                    yield 255;
                } catch (JailException e) {
                    Log.fatal(e.getMessage());
                    yield 255;
                }
            }
            case LISTEN -> Listener.run(run.spec(), run.listen());
        };
        // nsjail prints the report once the supervisor is done with every jail.
        if (run.spec().seccompUnotify()) org.jnsjail.unotify.Unotify.report(run.unotifyReport());
        // Every jail is gone: the cgroup parents jnsjail created (when missing) go too, if empty.
        org.jnsjail.cgroup.Cgroups.removeCreatedParents();
        return rc;
    }
}
