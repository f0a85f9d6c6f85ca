package org.jnsjail.args;

/** nsjail's run modes (-M): a server with a jail per TCP connection, one jail, one jail again and again, or in place. */
public enum Mode { LISTEN, ONCE, RERUN, EXECVE }
