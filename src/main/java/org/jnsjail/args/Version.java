package org.jnsjail.args;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * --version (jnsjail extension) and the version line of -v: jnsjail's version (the pom's, put into
 * version.properties at build time), the nsjail it follows, and the Java runtime. Read only when asked.
 */
public final class Version {
    private Version() {}

    /** The upstream nsjail whose behaviour is jnsjail's specification (docs/compatibility.md). */
    public static final String NSJAIL = "nsjail d6454b4 (2026-06-18, 75 commits after 3.6)";

    /** jnsjail's own version, e.g. "0.1.0-SNAPSHOT"; "unknown" when the build did not record it. */
    public static String jnsjail() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The Java runtime: version, vendor, home. */
    public static String java() {
        return "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")";
    }

    /** One line, for -v. */
    public static String line() {
        return "jnsjail " + jnsjail() + ", following " + NSJAIL + ", on " + java();
    }

    /** What --version prints. */
    public static String text() {
        return "jnsjail " + jnsjail() + "\n"
                + "follows " + NSJAIL + ": its options, config files, exit codes and log lines\n"
                + java() + "\n";
    }
}
