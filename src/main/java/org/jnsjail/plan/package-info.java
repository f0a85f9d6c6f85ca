/**
 * The plan: the flat list of operations the exec stub runs between clone() and execve().
 *
 * <p>Owns: {@link org.jnsjail.plan.PlanBuilder}, which turns a {@link org.jnsjail.model.JailSpec}
 * into the ordered operations nsjail performs (the operations themselves and their encoding are the
 * stub package's). Pure data: may not make syscalls or touch files.
 */
package org.jnsjail.plan;
