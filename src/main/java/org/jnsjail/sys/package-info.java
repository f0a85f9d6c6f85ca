/**
 * FFM bindings to libc and raw syscalls, and the kernel constants they take.
 *
 * <p>Owns: every native call jnsjail makes from Java (java.lang.foreign, no JNI), errno capture,
 * and loading the exec stub into a sealed memfd. May not touch: policy. Nothing here decides what
 * a jail looks like; callers pass every value.
 */
package org.jnsjail.sys;
