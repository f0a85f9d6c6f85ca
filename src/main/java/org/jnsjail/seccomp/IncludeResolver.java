package org.jnsjail.seccomp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an {@code #include}d file. Called with {@code searchPath + "/" + name} for each search path in
 * order, like Kafel's fopen loop; returns empty when there is no such file.
 */
@FunctionalInterface
public interface IncludeResolver {
    Optional<String> read(String path);

    /** Reads regular files from the filesystem (UTF-8; one char per byte, as Kafel reads bytes). */
    static IncludeResolver filesystem() {
        return path -> {
            Path p = Path.of(path);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            try {
                return Optional.of(Files.readString(p, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                return Optional.empty();
            } catch (UncheckedIOException e) {
                return Optional.empty();
            }
        };
    }

    /** In-memory files keyed by {@code searchPath/name}, for tests and embedded policies. */
    static IncludeResolver of(Map<String, String> files) {
        Map<String, String> copy = Map.copyOf(files);
        return path -> Optional.ofNullable(copy.get(path));
    }
}
