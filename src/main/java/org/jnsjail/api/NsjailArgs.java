package org.jnsjail.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jnsjail.args.CliException;
import org.jnsjail.args.CommandLine;
import org.jnsjail.args.HelpRequested;
import org.jnsjail.args.Mode;
import org.jnsjail.args.ParseEffects;
import org.jnsjail.log.Log;
import org.jnsjail.model.Caller;
import org.jnsjail.sys.HostInfo;

/**
 * nsjail's command-line options and config files (protobuf text or JSON, as {@code -C} reads them)
 * as a {@link JailBuilder}: the same jail the command line would run, to adjust further and start
 * from Java. Reading has no side effect: logging is not changed and nothing is printed; what the
 * command line would warn about goes to jnsjail's log ({@link Jails#setLogger}, silent by default).
 *
 * <p>The options describe one jail. Options of the command line's supervisor have no meaning here
 * and are refused: a mode other than {@code -Mo} ({@code -Ml}, {@code -Mr}, {@code -Me}, {@code --port}),
 * {@code --daemon}, {@code --status_file} and {@code --status_fd} (the result is
 * {@link JailProcess#result()}), {@code --forward_signals}, {@code --seccomp_unotify},
 * {@code --dump_plan}, {@code --help} and {@code --version}. The logging options ({@code -l}, {@code -L},
 * {@code -v}, {@code -q}, {@code -Q} and a config's {@code log_*} fields) are read and not applied:
 * the library logs through {@link Jails#setLogger}. Relative paths are relative to this JVM's working
 * directory, and {@code -E VAR} and {@code --keep_env} take this JVM's environment.
 */
public final class NsjailArgs {
    private NsjailArgs() {}

    /**
     * Reads nsjail's options, e.g. {@code parse("--chroot", "/", "-t", "2", "--", "/bin/echo", "hi")}.
     * The command after {@code --} may be left out and given with {@link JailBuilder#command} later.
     *
     * @param args the options and the command, as after {@code nsjail} on a command line
     * @return a builder of that jail (its streams are {@link Redirect#PIPE}s, as any builder's)
     * @throws JailException (step {@link JailException.Step#SPEC}) for an unknown option, a bad
     *     value, an unreadable config or policy file, or an option that has no meaning here
     */
    public static JailBuilder parse(String... args) throws JailException {
        Objects.requireNonNull(args, "args");
        for (String a : args) Objects.requireNonNull(a, "an argument is null");
        CommandLine.Run run;
        ParseEffects fx = ParseEffects.collected();
        try {
            run = CommandLine.parse(args.clone(), Caller.self(), HostInfo.get(), fx, true);
        } catch (CliException e) {
            throw new JailException(JailException.Step.SPEC, 0, e.getMessage(), e);
        } catch (HelpRequested e) {
            throw refused("--help and --version print text; they describe no jail");
        }
        List<String> refusals = new ArrayList<>();
        if (run.mode() != Mode.ONCE) refusals.add("mode " + run.mode() + " (only -Mo: one jail per start)");
        if (run.daemon()) refusals.add("--daemon");
        if (run.wantsStatus()) refusals.add("--status_file/--status_fd (see JailProcess.result())");
        if (run.forwardSignals()) refusals.add("--forward_signals (see JailProcess.sendSignal)");
        if (run.spec().seccompUnotify()) refusals.add("--seccomp_unotify");
        if (run.dumpPlan()) refusals.add("--dump_plan");
        if (!refusals.isEmpty()) throw refused("not supported by the Java API: " + String.join(", ", refusals));
        for (String w : fx.warnings()) Log.warn(w);
        return JailBuilder.of(run.spec(), run.noCommand());
    }

    /**
     * Reads an nsjail config file (protobuf text format, or JSON), as {@code parse("-C", file)}.
     *
     * @param file the config
     * @return a builder of that jail; the command is the config's {@code exec_bin}, if it has one
     * @throws JailException (step {@link JailException.Step#SPEC}) if it cannot be read or is not valid
     */
    public static JailBuilder parseConfig(Path file) throws JailException {
        return parse("-C", Objects.requireNonNull(file, "file").toString());
    }

    private static JailException refused(String what) {
        return new JailException(JailException.Step.SPEC, 0, what, null);
    }
}
