package org.jnsjail.unotify;

/** The O_ACCMODE part of open flags: unotify.Stat.Path.Mode, numbered as in unotify.proto. */
enum OpenMode {
    /** No open flags were involved (stat, mkdir, ...), or O_ACCMODE was 3. */
    UNSPECIFIED, RDONLY, WRONLY, RDWR
}
