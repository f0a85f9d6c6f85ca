package org.jnsjail.seccomp;

/**
 * One resolved filter for one arch: syscall number, condition ({@link RBool#TRUE} if unconditional),
 * action, and where it was written (policy name, "@main" for top-level statements).
 */
record Rule(int nr, RBool cond, Action action, String policy, SourceLoc loc) {}
