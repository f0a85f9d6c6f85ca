package org.jnsjail.seccomp;

/** A lexed token; {@code number} is the u64 value of a NUMBER, {@code text} the lexeme. */
record Token(Tok kind, String text, long number, SourceLoc loc) {}
