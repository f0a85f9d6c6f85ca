package org.jnsjail.unotify;

/**
 * What one syscall argument is, for the generic decoder ({@link ArgDecoder}), which reads the six
 * arguments left to right: a DIRFD applies to the next PATH, FLAGS and OPEN_HOW to the last PATH, an
 * FD's socket kind to the next SOCKADDR, whose length is the argument after it.
 */
enum ArgRole {
    /** Not decoded. */
    SKIP,
    /** char * path: read, made absolute, looked up in the jail and on the host. */
    PATH,
    /** Directory fd for the next PATH: "dirfd=AT_FDCWD" or "dirfd=N". */
    DIRFD,
    /** open(2) flags of the last PATH: its mode and mode_extra. */
    FLAGS,
    /** Permission bits: "mode=0NNN". */
    OCTAL,
    /** access(2) mode: "mode=R_OK|W_OK". */
    ACCESS,
    /** "owner=N". */
    UID,
    /** "group=N". */
    GID,
    /** char *const argv[]: "argv[i]=..." each. */
    ARGV,
    /** char *const envp[]: "envp[i]=..." each. */
    ENVP,
    /** A socket fd: "type=SOCK_STREAM (IPPROTO_TCP)" from the open socket itself. */
    FD,
    /** const struct sockaddr *: the address; its length is the next argument. */
    SOCKADDR,
    /** socklen_t, consumed by SOCKADDR. */
    ADDRLEN,
    /** Integer flags: "flags=N". */
    INT_FLAGS,
    /** socket(2) domain: "domain=AF_INET". */
    DOMAIN,
    /** socket(2) type: "type=SOCK_STREAM|SOCK_CLOEXEC". */
    SOCK_TYPE,
    /** socket(2) protocol: "protocol=IPPROTO_TCP". */
    PROTOCOL,
    /** struct open_how * (openat2(2)): its flags for the last PATH, "resolve=N" when non-zero. */
    OPEN_HOW
}
