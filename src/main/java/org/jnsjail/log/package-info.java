/**
 * nsjail-format logging: {@code [I][2026-11-28T18:58:38+0000] msg}, levels, sinks (-l, -L, -v, -q, -Q).
 * Silent until told where lines go: the CLI sends them to stderr, an embedding program may give a
 * {@link java.lang.System.Logger}.
 *
 * <p>Owns: how and where lines are written: the process's log, and per-request logs that a resident
 * server binds to the threads serving one client. May not touch: anything else; cheap to load.
 */
package org.jnsjail.log;
