/**
 * jnsjail: Linux process isolation, command-line and config-file compatible with Google's nsjail,
 * as a library. Only {@link org.jnsjail.api} is exported: the builder and process of a jail, its
 * result and its exception, and reading nsjail's options and config files. Everything else (the
 * supervisor, the exec stub's protocol, the kernel bindings, the command line) is internal.
 *
 * <p>jnsjail calls libc through java.lang.foreign: run with {@code --enable-native-access=org.jnsjail}
 * (on the class path, {@code ALL-UNNAMED}), else the JDK warns at the first call.
 */
module org.jnsjail {
    requires com.google.protobuf;
    requires com.google.protobuf.util;
    // protobuf-java-util's JsonFormat reads JSON config files with Gson, which an automatic module
    // cannot require: on the module path, add it (--add-modules com.google.gson) to read those.
    // sun.misc.Signal: SIGINT, SIGTERM and SIGUSR1 of the command line's supervisor
    requires jdk.unsupported;

    exports org.jnsjail.api;

    // protobuf reads and builds the generated messages by reflection
    opens org.jnsjail.config.proto to com.google.protobuf, com.google.protobuf.util;
    opens org.jnsjail.unotify.proto to com.google.protobuf, com.google.protobuf.util;
}
