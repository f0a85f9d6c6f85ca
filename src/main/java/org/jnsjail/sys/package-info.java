/**
 * FFM bindings to libc and raw syscalls, and the kernel constants they take.
 *
 * <p>Owns: every native call jnsjail makes from Java (java.lang.foreign, no JNI) and errno capture.
 * May not touch: policy, or any other package of jnsjail (this is the bottom layer). Nothing here decides what
 * a jail looks like; callers pass every value.
 */
package org.jnsjail.sys;
