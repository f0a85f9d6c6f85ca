package org.jnsjail.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

import org.jnsjail.config.proto.NsjailConfigProto;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.jnsjail.args.Opt;

/**
 * The man page and the bash completion (issue 20 items 4 and 5): generated at build time from the
 * option table and the config schema, so every option and every config field is in them; the page
 * renders without a groff warning; the completion completes names and fixed value sets.
 */
class DocsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    /** The build's output directory (surefire names the client in it). */
    private static Path buildDir() {
        String client = System.getProperty("jnsjail.client");
        if (client == null) Assumptions.abort("not run by the build (no jnsjail.client property)");
        return Path.of(client).getParent();
    }

    private static String manPage() throws IOException {
        return Docs.manPage(Files.readString(ROOT.resolve("src/main/proto/config.proto")),
                Files.readString(ROOT.resolve("README.md")));
    }

    @Test
    void theBuildWroteThemAndTheyAreCurrent() throws IOException {
        Path dir = buildDir();
        assertEquals(manPage(), Files.readString(dir.resolve("man/jnsjail.1")));
        assertEquals(Docs.bashCompletion(), Files.readString(dir.resolve("completion/jnsjail")));
    }

    @Test
    void everyOptionAndAliasIsInBoth() throws IOException {
        String man = manPage(), comp = Docs.bashCompletion();
        for (Opt o : Opt.values()) {
            for (String n : o.names()) {
                assertTrue(man.contains("\\fB\\-\\-" + n.replace("-", "\\-") + "\\fR"), "man page lacks --" + n);
                assertTrue(java.util.regex.Pattern.compile("[ '|]--" + n + "[ '|)]").matcher(comp).find(),
                        "completion lacks --" + n);
            }
            if (o.shortOpt() != 0) assertTrue(man.contains("\\fB\\-" + o.shortOpt() + "\\fR"), "man page lacks -" + o.shortOpt());
        }
        for (String s : List.of("\\-\\-server\\fR", "\\-\\-server_dir", "\\-\\-server_idle_timeout")) {
            assertTrue(man.contains(s), s);
        }
    }

    @Test
    void everyConfigFieldWithTypeAndDefault() throws IOException {
        String man = manPage();
        List<Descriptor> all = new ArrayList<>(NsjailConfigProto.getDescriptor().getMessageTypes());
        for (int i = 0; i < all.size(); i++) all.addAll(all.get(i).getNestedTypes());
        int fields = 0;
        for (Descriptor d : all) {
            assertTrue(man.contains(".SS message " + d.getName() + "\n"), "no section for " + d.getName());
            for (FieldDescriptor f : d.getFields()) {
                String head = "\\fB" + f.getName() + "\\fR \\fI" + Docs.typeOf(f) + "\\fR\n";
                assertTrue(man.contains(head), "no entry for " + d.getName() + "." + f.getName());
                fields++;
            }
        }
        assertTrue(fields > 150, "only " + fields + " fields");
        assertTrue(man.contains("\\fBtime_limit\\fR \\fIuint32\\fR\ndefault: 600. Field 11."), "time_limit's default");
        assertTrue(man.contains("\\fBinit\\fR \\fIbool\\fR\ndefault: false. Field 1002; jnsjail extension."), "init");
        assertTrue(man.contains(".SH EXIT STATUS") && man.contains(".SH EXAMPLES"), "sections");
        assertTrue(man.contains("jnsjail \\-Mo \\-\\-chroot / \\-\\- /bin/echo \"ABC\""), "README examples");
    }

    @Test
    void rendersWithoutWarnings() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/groff"))) Assumptions.abort("groff is not installed");
        Path f = Files.createTempFile("jnsjail", ".1");
        try {
            Files.writeString(f, manPage());
            Process p = new ProcessBuilder("/usr/bin/groff", "-man", "-ww", "-z", "-Tutf8", f.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertEquals("", out);
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void completionCompletes() throws Exception {
        Path f = Files.createTempFile("jnsjail", ".bash");
        try {
            Files.writeString(f, Docs.bashCompletion());
            String script = ". " + f + "\n"
                    + "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _jnsjail;"
                    + " echo \"${COMPREPLY[*]}\"; }\n"
                    + "t jnsjail --chr\nt jnsjail -M ''\nt jnsjail --cap CAP_NET_R\nt jnsjail --rlimit_as ''\n"
                    + "t jnsjail --server ''\nt jnsjail --macvlan_vs_mo=b\nt jnsjail --stat\nt jnsjail --time_limit ''\n";
            Process p = new ProcessBuilder("bash", "--norc", "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(List.of("--chroot", "l o e r", "CAP_NET_RAW", "max hard def soft inf", "start stop status",
                    "bridge", "--status_file --status_fd", ""), out.lines().toList(), out);
        } finally {
            Files.delete(f);
        }
    }
}
