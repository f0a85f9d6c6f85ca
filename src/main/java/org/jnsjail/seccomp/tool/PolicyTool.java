package org.jnsjail.seccomp.tool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jnsjail.seccomp.Arch;
import org.jnsjail.seccomp.BpfInterpreter;
import org.jnsjail.seccomp.BpfProgram;
import org.jnsjail.seccomp.Explanation;
import org.jnsjail.seccomp.KafelCompiler;
import org.jnsjail.seccomp.KafelException;
import org.jnsjail.seccomp.KafelOptions;
import org.jnsjail.seccomp.PolicyLint;
import org.jnsjail.seccomp.PolicyModel;
import org.jnsjail.seccomp.SeccompData;
import org.jnsjail.seccomp.SyscallTable;

/**
 * Stand-alone Kafel policy tool (deliberately not wired into nsjail's option parser):
 * <pre>
 *   compile  [input] [--arch A]... [-I dir]... [--kill-x32] [-o file]   write struct sock_filter[] bytes
 *   dump     [input] [--arch A]... [-I dir]... [--kill-x32]             print the disassembly
 *   explain  [input] [--arch A] [-I dir]... [--kill-x32] SYSCALL [ARG...]  action and deciding rule
 *   input:   -P FILE | --seccomp_policy FILE | --seccomp_string TEXT (repeatable, joined with "\n")
 * </pre>
 * Prints one line per outcome; exits 255 on any bad input, never with a stack trace. A policy that
 * compiles may still get warnings on stderr ({@link PolicyLint}: a deny rule comparing a 32-bit
 * argument as 64 bits), which change nothing in what it compiles to.
 */
public final class PolicyTool {
    static final int EXIT_BAD = 255;

    private PolicyTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Testable entry point; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return execute(args, out, err);
        } catch (UsageException e) {
            err.println("jnsjail-policy: " + e.getMessage());
            return EXIT_BAD;
        } catch (KafelException e) {
            err.println("Could not compile policy: " + e.getMessage());
            return EXIT_BAD;
        } catch (IOException e) {
            err.println("jnsjail-policy: I/O error: " + org.jnsjail.log.Quote.message(e));
            return EXIT_BAD;
        } catch (RuntimeException e) { // a bug, but still one line and a clean exit status
            err.println("jnsjail-policy: internal error: " + org.jnsjail.log.Quote.describe(e));
            return EXIT_BAD;
        }
    }

    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String msg) {
            super(msg);
        }
    }

    private static final String USAGE = "usage: jnsjail-policy compile|dump|explain "
            + "(-P FILE | --seccomp_string TEXT...) [--arch ARCH]... [-I DIR]... [--kill-x32] [-o FILE] [SYSCALL ARGS...]";

    private static int execute(String[] argv, PrintStream out, PrintStream err) throws UsageException, KafelException,
            IOException {
        if (argv.length == 0 || argv[0].equals("-h") || argv[0].equals("--help")) {
            if (argv.length == 0) {
                throw new UsageException(USAGE);
            }
            out.println(USAGE);
            return 0;
        }
        String cmd = argv[0];
        if (!cmd.equals("compile") && !cmd.equals("dump") && !cmd.equals("explain")) {
            throw new UsageException("unknown command `" + cmd + "'; " + USAGE);
        }
        String file = null;
        List<String> strings = new ArrayList<>();
        Set<Arch> archs = EnumSet.noneOf(Arch.class);
        List<String> includes = new ArrayList<>();
        boolean killX32 = false;
        String output = null;
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "-P", "--seccomp_policy" -> file = value(argv, ++i, a);
                case "--seccomp_string" -> strings.add(value(argv, ++i, a));
                case "--arch" -> {
                    String name = value(argv, ++i, a);
                    Arch arch = Arch.byName(name);
                    if (arch == null) {
                        throw new UsageException("unknown arch `" + name + "' (x86_64, x86, aarch64, arm, mips, mips64, riscv64, m68k)");
                    }
                    archs.add(arch);
                }
                case "-I" -> includes.add(value(argv, ++i, a));
                case "--kill-x32" -> killX32 = true;
                case "-o" -> output = value(argv, ++i, a);
                case "--" -> {
                    for (i++; i < argv.length; i++) {
                        positional.add(argv[i]);
                    }
                }
                default -> {
                    if (a.startsWith("--") || (a.startsWith("-") && !looksNumeric(a))) {
                        throw new UsageException("unknown option `" + a + "'");
                    }
                    positional.add(a);
                }
            }
        }
        if (file != null && !strings.isEmpty()) {
            throw new UsageException("give either a policy file or --seccomp_string, not both");
        }
        if (file == null && strings.isEmpty()) {
            throw new UsageException("no policy given (-P FILE or --seccomp_string TEXT)");
        }
        String text;
        if (file != null) {
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("cannot read policy file `" + file + "'");
            }
            text = Files.readString(p, StandardCharsets.ISO_8859_1);
        } else {
            StringBuilder sb = new StringBuilder();
            for (String s : strings) {
                sb.append(s).append('\n'); // as nsjail joins seccomp_string values
            }
            text = sb.toString();
        }
        KafelOptions opts = KafelOptions.defaults().withSearchPaths(includes).withKillX32(killX32);
        if (!archs.isEmpty()) {
            opts = opts.withTargets(archs);
        }
        if (!cmd.equals("explain") && !positional.isEmpty()) {
            throw new UsageException("unexpected argument `" + positional.get(0) + "'");
        }
        // Lint warnings (stderr) about a policy that compiles: they change nothing in the result.
        for (String w : PolicyLint.check(KafelCompiler.resolve(text, opts))) err.println("jnsjail-policy: " + w);
        return switch (cmd) {
            case "compile" -> compile(text, opts, output, out);
            case "dump" -> {
                BpfProgram prog = KafelCompiler.compile(text, opts);
                out.print(prog.disassemble());
                yield 0;
            }
            default -> explain(text, opts, archs, positional, out);
        };
    }

    private static int compile(String text, KafelOptions opts, String output, PrintStream out) throws KafelException, IOException {
        BpfProgram prog = KafelCompiler.compile(text, opts);
        byte[] bytes = prog.toSockFilterBytes();
        if (output == null) {
            out.println("OK: " + prog.length() + " instructions (" + bytes.length + " bytes) for " + opts.targets());
        } else if (output.equals("-")) {
            OutputStream os = out;
            os.write(bytes);
            os.flush();
        } else {
            Files.write(Path.of(output), bytes);
            out.println("OK: " + prog.length() + " instructions written to " + output);
        }
        return 0;
    }

    private static int explain(String text, KafelOptions opts, Set<Arch> archs, List<String> pos, PrintStream out)
            throws UsageException, KafelException {
        if (archs.size() > 1) {
            throw new UsageException("explain takes one --arch (the arch of the syscall)");
        }
        if (pos.isEmpty()) {
            throw new UsageException("explain needs a syscall name or number");
        }
        if (pos.size() > 7) {
            throw new UsageException("at most 6 syscall arguments");
        }
        Arch arch = archs.isEmpty() ? Arch.X86_64 : archs.iterator().next();
        int nr;
        String sys = pos.get(0);
        if (looksNumeric(sys)) {
            nr = (int) parseU64(sys);
        } else {
            SyscallTable.Syscall s = SyscallTable.of(arch).byName(sys);
            if (s == null) {
                throw new UsageException("unknown syscall `" + sys + "' on " + arch);
            }
            nr = s.nr();
        }
        long[] args = new long[6];
        for (int i = 1; i < pos.size(); i++) {
            args[i - 1] = parseU64(pos.get(i));
        }
        PolicyModel model = KafelCompiler.resolve(text, opts);
        SeccompData data = new SeccompData(nr, arch.audit, 0, args);
        Explanation ex = model.explain(data);
        int bpf = BpfInterpreter.run(model.toBpf(), data);
        SyscallTable.Syscall named = SyscallTable.of(arch).byNumber(nr);
        String what = (named != null ? named.name() : "SYSCALL[" + Integer.toUnsignedString(nr) + "]") + "@" + arch;
        String line = what + " -> " + ex + String.format(" [ret 0x%08x]", ex.ret());
        if (bpf != ex.ret()) { // would be a compiler bug; say so rather than hide it
            line += String.format(" BUT BPF returned 0x%08x", bpf);
        }
        out.println(line);
        return bpf == ex.ret() ? 0 : EXIT_BAD;
    }

    private static String value(String[] argv, int i, String opt) throws UsageException {
        if (i >= argv.length) {
            throw new UsageException("option " + opt + " needs a value");
        }
        return argv[i];
    }

    private static boolean looksNumeric(String s) {
        int i = s.startsWith("-") ? 1 : 0;
        return i < s.length() && Character.isDigit(s.charAt(i));
    }

    /** Decimal, 0x hex or 0b binary; negative decimals wrap mod 2^64 like Kafel's numbers. */
    static long parseU64(String s) throws UsageException {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.startsWith("0b")) {
                return Long.parseUnsignedLong(s.substring(2), 2);
            }
            if (s.startsWith("-")) {
                return -Long.parseUnsignedLong(s.substring(1));
            }
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("bad number `" + s + "'");
        }
    }
}
