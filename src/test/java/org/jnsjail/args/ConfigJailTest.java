package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.JailStatus;
import org.jnsjail.supervisor.Spawner;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.junit.jupiter.api.Test;

/** A config run end to end: parsed by the CLI, started through the API (Main would halt the JVM). */
class ConfigJailTest {
    @Test
    void hostnameFromConfig() throws Exception {
        String cfg = ConfigMergeTest.res("real-jail.cfg");
        JailSpec spec = CommandLine.parse(new String[] {"-C", cfg, "--", "/bin/hostname"}).spec();
        int[] p = Libc.pipe2(Fcntl.O_CLOEXEC);
        String out;
        JailStatus st;
        try {
            try (JailHandle h = Spawner.get().start(spec, new JailIo(0, p[1], 2))) {
                Libc.close(p[1]);
                p[1] = -1;
                // A second fd on the pipe's read end, so the stream owns (and closes) its own.
                try (InputStream in = new FileInputStream("/proc/self/fd/" + p[0])) {
                    out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                st = h.waitFor();
            }
        } finally {
            Libc.close(p[0]);
            if (p[1] >= 0) Libc.close(p[1]);
        }
        assertEquals("CFGHOST\n", out);
        assertEquals(0, st.code(), st.describe());
    }
}
