package org.jnsjail.seccomp;

/**
 * One classic BPF instruction (struct sock_filter). Fields are ints for convenience; the record
 * enforces the struct's ranges (u16 code, u8 jt/jf).
 */
public record BpfInsn(int code, int jt, int jf, int k) {
    // Opcode pieces from linux/bpf_common.h.
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    public static final int W = 0x00, H = 0x08, B = 0x10;
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
            LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    public static final int K = 0x00, X = 0x08, A = 0x10;
    public static final int TAX = 0x00, TXA = 0x80;

    public BpfInsn {
        if ((code & ~0xffff) != 0 || (jt & ~0xff) != 0 || (jf & ~0xff) != 0) {
            throw new IllegalArgumentException("field out of range: " + code + "," + jt + "," + jf);
        }
    }

    static BpfInsn stmt(int code, int k) {
        return new BpfInsn(code, 0, 0, k);
    }

    static BpfInsn jump(int code, int k, int jt, int jf) {
        return new BpfInsn(code, jt, jf, k);
    }

    int cls() {
        return code & 0x07;
    }

    boolean isRet() {
        return cls() == RET;
    }

    boolean isConditionalJump() {
        return cls() == JMP && (code & 0xf0) != JA;
    }
}
