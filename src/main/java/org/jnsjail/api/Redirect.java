package org.jnsjail.api;

import java.io.File;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one of a jail's standard streams comes from or goes to, as {@link ProcessBuilder.Redirect}
 * says it for a process, plus a file descriptor of this JVM. Files are opened by this JVM, with its
 * own permissions, before the jail starts: the path is the host's, not one inside the jail.
 *
 * @see JailBuilder#redirectInput(Redirect)
 * @see JailBuilder#redirectOutput(Redirect)
 * @see JailBuilder#redirectError(Redirect)
 */
public sealed interface Redirect permits Redirect.Pipe, Redirect.Inherit, Redirect.Discard, Redirect.Read,
        Redirect.Write, Redirect.Fd {

    /** A pipe to this JVM: {@link JailProcess#getOutputStream()}, {@code getInputStream()} or {@code getErrorStream()}. */
    Redirect PIPE = new Pipe();
    /** This JVM's own stdin, stdout or stderr. */
    Redirect INHERIT = new Inherit();
    /** /dev/null: output is thrown away, input is empty. */
    Redirect DISCARD = new Discard();

    /**
     * Input read from a file.
     *
     * @param file the host's file
     * @return the redirect
     */
    static Redirect from(Path file) {
        return new Read(file);
    }

    /**
     * Output written to a file, created if missing (0666 less the umask) and truncated.
     *
     * @param file the host's file
     * @return the redirect
     */
    static Redirect to(Path file) {
        return new Write(file, false);
    }

    /**
     * Output appended to a file, created if missing.
     *
     * @param file the host's file
     * @return the redirect
     */
    static Redirect appendTo(Path file) {
        return new Write(file, true);
    }

    /**
     * An open file descriptor of this JVM (one it inherited, say): the jail gets a copy of it at
     * the stream's number, and the caller keeps its own.
     *
     * @param fd the file descriptor, 0 or more
     * @return the redirect
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    static Redirect fd(int fd) {
        return new Fd(fd);
    }

    /**
     * The same redirect as a {@link ProcessBuilder.Redirect}: PIPE, INHERIT, DISCARD, from, to and
     * appendTo.
     *
     * @param r a process redirect
     * @return the jail's redirect
     */
    static Redirect of(ProcessBuilder.Redirect r) {
        Objects.requireNonNull(r, "redirect");
        File f = r.file();
        return switch (r.type()) {
            case PIPE -> PIPE;
            case INHERIT -> INHERIT;
            case READ -> from(f.toPath());
            case WRITE -> to(f.toPath());
            case APPEND -> appendTo(f.toPath());
        };
    }

    /** A pipe to this JVM ({@link #PIPE}). */
    record Pipe() implements Redirect {}

    /** This JVM's own stream ({@link #INHERIT}). */
    record Inherit() implements Redirect {}

    /** /dev/null ({@link #DISCARD}). */
    record Discard() implements Redirect {}

    /**
     * Input from a file.
     *
     * @param file the host's file
     */
    record Read(Path file) implements Redirect {
        /** Checks the file. @throws NullPointerException if it is null */
        public Read {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * Output to a file.
     *
     * @param file the host's file
     * @param append append rather than truncate
     */
    record Write(Path file, boolean append) implements Redirect {
        /** Checks the file. @throws NullPointerException if it is null */
        public Write {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * A file descriptor of this JVM.
     *
     * @param fd its number
     */
    record Fd(int fd) implements Redirect {
        /** Checks the number. @throws IllegalArgumentException if it is negative */
        public Fd {
            if (fd < 0) throw new IllegalArgumentException("a file descriptor is 0 or more, not " + fd);
        }
    }
}
