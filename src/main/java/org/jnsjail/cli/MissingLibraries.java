package org.jnsjail.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * jnsjail.jar finds protobuf (needed for -C) through its manifest's Class-Path, in a lib/ directory
 * beside it; a jar copied alone loads until the first config, then a class is missing. This names what
 * is missing and where, in one line, instead of the JVM's NoClassDefFoundError.
 */
final class MissingLibraries {
    private MissingLibraries() {}

    static boolean isMissingClass(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NoClassDefFoundError || c instanceof ClassNotFoundException) return true;
        }
        return false;
    }

    static String describe(Throwable t) {
        String cls = null;
        for (Throwable c = t; c != null && cls == null; c = c.getCause()) {
            if (c instanceof NoClassDefFoundError || c instanceof ClassNotFoundException) cls = c.getMessage();
        }
        String what = cls == null ? "a class" : "class " + cls.replace('/', '.');
        Path jar = ownJar();
        if (jar == null) return "Couldn't load " + what + " (is the class path complete?)";
        List<String> missing = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp != null) {
                for (String e : cp.trim().split("\\s+")) {
                    if (!e.isEmpty() && !Files.isRegularFile(jar.resolveSibling(e))) missing.add(e);
                }
            }
        } catch (java.io.IOException e) {
            // fall through: say what we know
        }
        Path dir = jar.getParent();
        if (missing.isEmpty()) return "Couldn't load " + what + " (" + jar + " and its lib/ look complete)";
        return "Couldn't load " + what + ": " + jar.getFileName() + " needs " + String.join(", ", missing) + " in "
                + dir + " (copy the lib/ directory that ./build makes in target/ next to the jar)";
    }

    /** The jar this class was loaded from, or null when it is not a jar (a classes directory). */
    private static Path ownJar() {
        try {
            var src = MissingLibraries.class.getProtectionDomain().getCodeSource();
            if (src == null) return null;
            Path p = Path.of(src.getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
