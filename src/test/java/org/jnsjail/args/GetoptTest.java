package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GetoptTest {

    private static ParsedArgs parse(String... argv) throws UsageException {
        return Getopt.parse(argv, false);
    }

    private static ParsedArgs posix(String... argv) throws UsageException {
        return Getopt.parse(argv, true);
    }

    private static String error(String... argv) {
        return assertThrows(UsageException.class, () -> Getopt.parse(argv, false)).getMessage();
    }

    /** Options as "spelledAs=value" strings for compact assertions. */
    private static List<String> opts(ParsedArgs p) {
        List<String> out = new ArrayList<>();
        for (ParsedOption o : p.options()) {
            out.add(o.opt().name() + (o.value() == null ? "" : "=" + o.value()));
        }
        return out;
    }

    @Test
    void empty() throws Exception {
        ParsedArgs p = parse();
        assertEquals(List.of(), p.options());
        assertEquals(List.of(), p.command());
    }

    @Test
    void longWithSeparateAndAttachedValue() throws Exception {
        ParsedArgs p = parse("--chroot", "/", "--hostname=box", "--", "/bin/sh");
        assertEquals(List.of("CHROOT=/", "HOSTNAME=box"), opts(p));
        assertEquals(List.of("/bin/sh"), p.command());
        assertEquals("--chroot", p.options().get(0).spelledAs());
        assertEquals("--hostname", p.options().get(1).spelledAs());
    }

    @Test
    void attachedValueMayBeEmptyOrContainEquals() throws Exception {
        assertEquals(List.of("ENV=A=b=c", "HOSTNAME="), opts(parse("--env=A=b=c", "--hostname=")));
    }

    @Test
    void shortOptionsAndClusters() throws Exception {
        assertEquals(List.of("MODE=o"), opts(parse("-Mo")));
        assertEquals(List.of("DISABLE_CLONE_NEWNET", "VERBOSE"), opts(parse("-Nv")));
        assertEquals(List.of("TIME_LIMIT=5"), opts(parse("-t5")));
        assertEquals(List.of("TIME_LIMIT=5"), opts(parse("-t", "5")));
        ParsedArgs p = parse("-NeM", "l", "x");
        assertEquals(List.of("DISABLE_CLONE_NEWNET", "KEEP_ENV", "MODE=l"), opts(p));
        assertEquals(List.of("x"), p.command());
        assertEquals(List.of("-N", "-e", "-M"), spelled(p));
        // the argument swallows the rest of the cluster, letters included
        assertEquals(List.of("VERBOSE", "CHROOT=dv"), opts(parse("-vcdv")));
        assertEquals(List.of("MODE=listen"), opts(parse("-Mlisten")));
    }

    private static List<String> spelled(ParsedArgs p) {
        List<String> out = new ArrayList<>();
        for (ParsedOption o : p.options()) {
            out.add(o.spelledAs());
        }
        return out;
    }

    @Test
    void separateArgumentMayLookLikeAnOption() throws Exception {
        assertEquals(List.of("TIME_LIMIT=-1"), opts(parse("-t", "-1")));
        assertEquals(List.of("NICE_LEVEL=-5"), opts(parse("--nice_level", "-5")));
        ParsedArgs p = parse("-c", "--", "x");
        assertEquals(List.of("CHROOT=--"), opts(p));
        assertEquals(List.of("x"), p.command());
        assertEquals(List.of("HOSTNAME=--chroot"), opts(parse("--hostname", "--chroot")));
        assertEquals(List.of("HOSTNAME=-"), opts(parse("-H", "-")));
        assertEquals(List.of("HOSTNAME="), opts(parse("-H", "")));
    }

    @Test
    void permutationKeepsScanningAfterTheCommand() throws Exception {
        // nsjail's documented behaviour: -e after the command is still an option
        ParsedArgs p = parse("--chroot", "/", "/bin/echo", "-e", "hi");
        assertEquals(List.of("CHROOT=/", "KEEP_ENV"), opts(p));
        assertEquals(List.of("/bin/echo", "hi"), p.command());
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        ParsedArgs p = parse("--chroot", "/", "--", "/bin/echo", "-e", "hi", "--", "--chroot");
        assertEquals(List.of("CHROOT=/"), opts(p));
        assertEquals(List.of("/bin/echo", "-e", "hi", "--", "--chroot"), p.command());
    }

    @Test
    void nonOptionsBeforeDoubleDashComeFirst() throws Exception {
        ParsedArgs p = parse("a", "-v", "b", "--", "-c", "d");
        assertEquals(List.of("VERBOSE"), opts(p));
        assertEquals(List.of("a", "b", "-c", "d"), p.command());
    }

    @Test
    void loneDashIsACommandWord() throws Exception {
        ParsedArgs p = parse("-", "-v", "-");
        assertEquals(List.of("VERBOSE"), opts(p));
        assertEquals(List.of("-", "-"), p.command());
        assertEquals(List.of(""), parse("").command());
    }

    @Test
    void posixlyCorrectStopsAtFirstNonOption() throws Exception {
        ParsedArgs p = posix("--chroot", "/", "/bin/echo", "-e", "hi");
        assertEquals(List.of("CHROOT=/"), opts(p));
        assertEquals(List.of("/bin/echo", "-e", "hi"), p.command());
        p = posix("-v", "-", "-e");
        assertEquals(List.of("VERBOSE"), opts(p));
        assertEquals(List.of("-", "-e"), p.command());
        p = posix("-v", "--", "--", "-e");
        assertEquals(List.of("VERBOSE"), opts(p));
        assertEquals(List.of("--", "-e"), p.command());
        // the option argument is not a non-option
        p = posix("-c", "/", "-v", "x");
        assertEquals(List.of("CHROOT=/", "VERBOSE"), opts(p));
        assertEquals(List.of("x"), p.command());
    }

    @Test
    void defaultParseReadsTheEnvironment() throws Exception {
        ParsedArgs p = Getopt.parse(new String[] {"x", "-v"});
        if (System.getenv("POSIXLY_CORRECT") == null) {
            assertEquals(List.of("VERBOSE"), opts(p));
            assertEquals(List.of("x"), p.command());
        } else {
            assertEquals(List.of(), opts(p));
            assertEquals(List.of("x", "-v"), p.command());
        }
    }

    @Test
    void uniquePrefixes() throws Exception {
        assertEquals("option '--disable_clone_newn' is ambiguous; possibilities: '--disable_clone_newnet'"
                + " '--disable_clone_newns'", error("--disable_clone_newn"));
        ParsedArgs p = parse("--chro", "/", "--hostn=h", "--disable_clone_newne");
        assertEquals(List.of("CHROOT=/", "HOSTNAME=h", "DISABLE_CLONE_NEWNET"), opts(p));
        assertEquals(List.of("--chro", "--hostn", "--disable_clone_newne"), spelled(p));
        assertEquals(List.of("SECCOMP_UNOTIFY_REPORT=f"), opts(parse("--seccomp_unotify_r", "f")));
    }

    @Test
    void exactMatchWinsOverLongerNames() throws Exception {
        assertEquals(List.of("MOUNT=a:b:c:d"), opts(parse("--mount", "a:b:c:d")));
        assertEquals(List.of("LOG=f"), opts(parse("--log", "f")));
        assertEquals(List.of("BINDMOUNT=x"), opts(parse("--bindmount", "x")));
        assertEquals(List.of("USER=u"), opts(parse("--user", "u")));
        assertEquals(List.of("ENV=X"), opts(parse("--env", "X")));
        assertEquals(List.of("RW"), opts(parse("--rw")));
        assertEquals(List.of("CAP=CAP_NET_RAW"), opts(parse("--cap", "CAP_NET_RAW")));
        assertEquals(List.of("PORT=1"), opts(parse("--port", "1")));
        assertEquals(List.of("SECCOMP_UNOTIFY"), opts(parse("--seccomp_unotify")));
        assertEquals(List.of("MACVLAN_IFACE=eth0"), opts(parse("--iface", "eth0")));
    }

    @Test
    void aliasesResolveToTheirTarget() throws Exception {
        ParsedArgs p = parse("--iface=eth0", "--iface_vs_ip", "1.2.3.4", "--iface_vs_nm=255.0.0.0",
                "--iface_vs_gw=1.1.1.1");
        assertEquals(List.of("MACVLAN_IFACE=eth0", "MACVLAN_VS_IP=1.2.3.4", "MACVLAN_VS_NM=255.0.0.0",
                "MACVLAN_VS_GW=1.1.1.1"), opts(p));
        assertEquals("--iface", p.options().get(0).spelledAs());
        // a prefix matching only one option's names (alias included) is not ambiguous
        assertEquals(List.of("MACVLAN_VS_IP=x"), opts(parse("--iface_vs_i", "x")));
        assertEquals(List.of("MACVLAN_VS_IP=x"), opts(parse("--macvlan_vs_i", "x")));
    }

    @Test
    void legacyOptions() throws Exception {
        assertEquals(List.of("TMPFS_SIZE=8388608", "PIVOT_ROOT_ONLY", "ENABLE_CLONE_NEWCGROUP"),
                opts(parse("--tmpfs_size", "8388608", "--pivot_root_only", "--enable_clone_newcgroup")));
    }

    @Test
    void ambiguousPrefix() {
        String m = error("--c", "/");
        assertTrue(m.startsWith("option '--c' is ambiguous; possibilities: '--"), m);
        assertTrue(m.contains(" '--config'") && m.contains(" '--chroot'") && m.contains(" '--cgroup_mem_max'")
                && m.contains(" '--cap'") && m.contains(" '--cwd'"), m);
        assertFalse(m.contains("--help"), m);
        // the word is quoted whole, as glibc does
        assertTrue(error("--c=/").startsWith("option '--c=/' is ambiguous; possibilities:"));
        assertEquals("option '--iface_vs' is ambiguous; possibilities: '--iface_vs_ip' '--iface_vs_nm'"
                + " '--iface_vs_gw'", error("--iface_vs"));
        assertEquals("option '--rlimit_m' is ambiguous; possibilities: '--rlimit_memlock' '--rlimit_msgqueue'",
                error("--rlimit_m", "1"));
    }

    @Test
    void ambiguityListsAliasesOfOtherOptionsButNotOfTheFirst() {
        // iface_no_lo comes first; iface_own, macvlan_iface's alias "iface" and the iface_vs_* aliases follow
        String m = error("--ifa");
        assertEquals("option '--ifa' is ambiguous; possibilities: '--iface_no_lo' '--iface_own' '--iface'"
                + " '--iface_vs_ip' '--iface_vs_nm' '--iface_vs_gw'", m);
    }

    @Test
    void unknownOptions() {
        assertEquals("unrecognized option '--foo'", error("--foo"));
        assertEquals("unrecognized option '--foo=bar'", error("--foo=bar"));
        assertEquals("unrecognized option '--chrootx'", error("--chrootx", "/"));
        assertEquals("unrecognized option '---v'", error("---v"));
        assertEquals("invalid option -- 'z'", error("-z"));
        assertEquals("invalid option -- 'z'", error("-vz"));
        assertEquals("invalid option -- ':'", error("-:"));
        assertEquals("invalid option -- '-'", error("-v-"));
        assertEquals("invalid option -- '\u00e9'", error("-\u00e9"));
        assertEquals("invalid option -- '\uD83D\uDE00'", error("-\uD83D\uDE00"));
    }

    @Test
    void errorStopsAtTheFirstProblem() {
        assertEquals("invalid option -- 'z'", error("-z", "--foo"));
        assertEquals("unrecognized option '--foo'", error("x", "--foo", "-z"));
    }

    @Test
    void missingArguments() {
        assertEquals("option requires an argument -- 't'", error("-t"));
        assertEquals("option requires an argument -- 'M'", error("-vM"));
        assertEquals("option '--chroot' requires an argument", error("--chroot"));
        // glibc names the table entry, not the prefix the user typed
        assertEquals("option '--chroot' requires an argument", error("--chro"));
        assertEquals("option '--iface' requires an argument", error("--iface"));
    }

    @Test
    void noArgumentOptionGivenAValue() {
        assertEquals("option '--verbose' doesn't allow an argument", error("--verbose=1"));
        assertEquals("option '--help' doesn't allow an argument", error("--he=x"));
        assertEquals("option '--rw' doesn't allow an argument", error("--rw="));
    }

    @Test
    void emptyLongNameIsAmbiguous() {
        // "--=x": an empty name is a prefix of every option, as in glibc
        assertTrue(error("--=x").startsWith("option '--=x' is ambiguous; possibilities: '--help' '--mode'"));
    }

    @Test
    void helpIsAnOrdinaryOption() throws Exception {
        ParsedArgs p = parse("-h", "--help", "-?", "-v?", "--he");
        assertEquals(List.of("HELP", "HELP", "HELP", "VERBOSE", "HELP", "HELP"), opts(p));
        assertEquals(List.of(false, false, true, false, true, false), questionMarks(p));
        assertEquals(List.of("-h", "--help", "-?", "-v", "-?", "--he"), spelled(p));
    }

    private static List<Boolean> questionMarks(ParsedArgs p) {
        List<Boolean> out = new ArrayList<>();
        for (ParsedOption o : p.options()) {
            out.add(o.isQuestionMark());
        }
        return out;
    }

    @Test
    void repeatedOptionsKeepOrder() throws Exception {
        ParsedArgs p = parse("-R", "/a", "--bindmount_ro=/b", "-R/c", "-E", "A=1", "--env", "B", "--", "x");
        assertEquals(List.of("BINDMOUNT_RO=/a", "BINDMOUNT_RO=/b", "BINDMOUNT_RO=/c", "ENV=A=1", "ENV=B"), opts(p));
        assertEquals(List.of("x"), p.command());
    }

    @Test
    void everyOptionParsesByEveryName() throws Exception {
        for (Opt o : Opt.values()) {
            for (String name : o.aliases().isEmpty() ? List.of(o.longName()) : allNames(o)) {
                ParsedArgs p = o.hasArg() ? parse("--" + name, "v") : parse("--" + name);
                assertEquals(1, p.options().size(), name);
                assertEquals(o, p.options().get(0).opt(), name);
                assertEquals(o.hasArg() ? "v" : null, p.options().get(0).value(), name);
                assertEquals(List.of(), p.command(), name);
                if (o.hasArg()) {
                    assertEquals("v", parse("--" + name + "=v").options().get(0).value());
                }
            }
            if (o.shortOpt() != 0) {
                ParsedArgs p = o.hasArg() ? parse("-" + o.shortOpt(), "v") : parse("-" + o.shortOpt());
                assertEquals(o, p.options().get(0).opt());
                assertEquals(o.hasArg() ? "v" : null, p.options().get(0).value());
            }
        }
    }

    private static List<String> allNames(Opt o) {
        List<String> l = new ArrayList<>();
        l.add(o.longName());
        l.addAll(o.aliases());
        return l;
    }

    @Test
    void resultListsAreImmutable() throws Exception {
        ParsedArgs p = parse("-v", "x");
        assertThrows(UnsupportedOperationException.class, () -> p.command().add("y"));
        assertThrows(UnsupportedOperationException.class, () -> p.options().clear());
    }

    @Test
    void realisticNsjailCommandLine() throws Exception {
        ParsedArgs p = parse("-Ml", "--port", "9000", "--chroot", "/", "-R", "/bin", "-T", "/tmp",
                "--rlimit_as", "max", "--cgroup_pids_max=16", "--", "/bin/sh", "-i");
        assertEquals(List.of("MODE=l", "PORT=9000", "CHROOT=/", "BINDMOUNT_RO=/bin", "TMPFSMOUNT=/tmp",
                "RLIMIT_AS=max", "CGROUP_PIDS_MAX=16"), opts(p));
        assertEquals(List.of("/bin/sh", "-i"), p.command());
    }
}
