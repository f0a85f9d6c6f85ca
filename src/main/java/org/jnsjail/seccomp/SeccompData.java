package org.jnsjail.seccomp;

import java.util.Arrays;

/** struct seccomp_data: syscall number, AUDIT_ARCH, instruction pointer and six u64 arguments. */
public record SeccompData(int nr, int arch, long instructionPointer, long[] args) {
    public SeccompData {
        long[] a = new long[6];
        if (args != null) {
            if (args.length > 6) {
                throw new IllegalArgumentException("at most 6 syscall arguments");
            }
            System.arraycopy(args, 0, a, 0, args.length);
        }
        args = a;
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompData d && d.nr == nr && d.arch == arch
                && d.instructionPointer == instructionPointer && Arrays.equals(d.args, args);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * nr + arch) + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "SeccompData[nr=" + Integer.toUnsignedString(nr) + ", arch=0x" + Integer.toHexString(arch)
                + ", args=" + Arrays.toString(args) + "]";
    }
}
