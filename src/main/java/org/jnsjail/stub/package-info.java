/**
 * The exec stub (src/main/c/exec_stub.c), seen from Java: its binary, copied into a sealed memfd
 * and started from one place ({@link org.jnsjail.stub.ExecStub}: resident, or in place of the JVM
 * for -Me), the resident stub that clones every jail ({@link org.jnsjail.stub.ResidentStub}), the
 * operations it runs ({@link org.jnsjail.stub.OpCode}, {@link org.jnsjail.stub.Op}) and their wire
 * encoding ({@link org.jnsjail.stub.Plan}), and the reports it and the jail send back
 * ({@link org.jnsjail.stub.Control}).
 *
 * <p>Owns: the stub's protocol, mirrored by exec_stub.c, and its process. May not touch: what a
 * plan contains (the plan and mount packages decide that) or a jail's lifetime after its exec.
 */
package org.jnsjail.stub;
