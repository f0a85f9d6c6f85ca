/**
 * The plan: the flat list of operations the exec stub runs between clone() and execve().
 *
 * <p>Owns: the operation set (mirrored by src/main/c/exec_stub.c), its wire encoding, and
 * {@link org.jnsjail.plan.PlanBuilder}, which turns a {@link org.jnsjail.model.JailSpec} into the
 * ordered operations nsjail performs. Pure data: may not make syscalls or touch files.
 */
package org.jnsjail.plan;
