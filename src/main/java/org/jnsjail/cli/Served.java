package org.jnsjail.cli;

import java.util.List;

import org.jnsjail.model.Caller;
import org.jnsjail.server.Handler;
import org.jnsjail.server.ServerCommand;
import org.jnsjail.args.CliException;
import org.jnsjail.args.CommandLine;
import org.jnsjail.args.HelpRequested;
import org.jnsjail.args.Mode;

/**
 * A resident server's requests: the command line parsed and logged exactly as {@link Main} does for
 * a cold run, for the client's {@link Caller}; what Main would not run as one -Mo jail of its own
 * (another mode, --daemon, and what is shared by a whole supervisor) is handed back to run cold.
 */
final class Served implements Handler {
    @Override
    public Parsed parse(List<String> argv, Caller caller) {
        String[] args = argv.toArray(String[]::new);
        if (ServerCommand.isServerCommand(args)) return new Parsed.Cold("--server commands run in the client");
        CommandLine.Run run;
        try {
            run = CommandLine.parse(args, caller);
        } catch (HelpRequested h) {
            return new Parsed.Done(h.text(), 0);
        } catch (CliException e) {
            org.jnsjail.log.Log.fatal(e.getMessage() + (e.showUsage() ? " (see --help)" : ""));
            return new Parsed.Done("", 255);
        } catch (RuntimeException e) {
            org.jnsjail.log.Log.fatal("internal error: " + org.jnsjail.log.Quote.describe(e));
            return new Parsed.Done("", 255);
        }
        if (run.daemon()) return new Parsed.Cold("--daemon detaches the supervisor itself");
        if (run.dumpPlan()) return new Parsed.Cold("--dump_plan shows a cold run's plan");
        if (run.mode() != Mode.ONCE) return new Parsed.Cold("mode " + run.mode() + " keeps its own supervisor");
        if (run.spec().seccompUnotify()) {
            return new Parsed.Cold("--seccomp_unotify reports once per supervisor, at its exit");
        }
        if (run.spec().net().userNet() != null) return new Parsed.Cold("user_net's budgets are per supervisor");
        if (run.spec().skipSetsid()) return new Parsed.Cold("--skip_setsid: the jail would share the client's session");
        Main.logSummary(run);
        return new Parsed.Once(run.spec(), run.forwardSignals(), run.statusFile(), run.statusFd());
    }
}
