package org.jnsjail.mount;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Read-only questions about the host's file system, injectable for tests. */
public interface HostFs {
    enum Kind { MISSING, DIRECTORY, FILE }

    /** What is at this host path (following symlinks, as mount(2) does). */
    Kind kind(String path);

    /** What is at this host path without following a final symlink. */
    default boolean existsNoFollow(String path) {
        return kind(path) != Kind.MISSING;
    }

    HostFs REAL = new HostFs() {
        @Override
        public Kind kind(String path) {
            Path p = Path.of(path);
            if (Files.isDirectory(p)) return Kind.DIRECTORY;
            return Files.exists(p) ? Kind.FILE : Kind.MISSING;
        }

        @Override
        public boolean existsNoFollow(String path) {
            return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
        }
    };
}
