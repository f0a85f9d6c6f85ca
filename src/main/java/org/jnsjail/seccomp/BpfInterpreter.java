package org.jnsjail.seccomp;

import static org.jnsjail.seccomp.BpfInsn.*;

import java.util.List;

import org.jnsjail.sys.Structs;

/**
 * Runs a seccomp classic-BPF program on a {@link SeccompData}, as the kernel would. Programs are
 * validated first like the kernel's bpf_check_classic + seccomp_check_filter: length 1..4096, jumps
 * in range, last instruction a RET, aligned 32-bit loads inside seccomp_data, scratch index < 16, no
 * constant division by zero. Words are read in the byte order of {@code data.arch()} (AUDIT_ARCH LE
 * bit), as the kernel does on that arch.
 */
public final class BpfInterpreter {
    static final int SECCOMP_DATA_SIZE = Structs.SeccompData.SIZE;
    static final int MEM_WORDS = 16;
    private static final int AUDIT_ARCH_LE = 0x40000000;

    private BpfInterpreter() {}

    /** Throws IllegalArgumentException describing the first problem. */
    public static void validate(BpfProgram prog) {
        List<BpfInsn> insns = prog.instructions();
        int n = insns.size();
        if (n == 0 || n > BpfProgram.MAX_INSNS) {
            throw new IllegalArgumentException("bad program length " + n);
        }
        for (int pc = 0; pc < n; pc++) {
            BpfInsn i = insns.get(pc);
            int code = i.code();
            switch (i.cls()) {
                case LD, LDX -> {
                    int mode = code & 0xe0;
                    if (mode == ABS) {
                        if (i.cls() != LD || (code & 0x18) != W || (i.k() & 3) != 0
                                || Integer.compareUnsigned(i.k(), SECCOMP_DATA_SIZE) >= 0) {
                            bad(pc, "invalid absolute load");
                        }
                    } else if (mode == MEM) {
                        checkMem(pc, i.k());
                    } else if (mode != IMM && mode != LEN) {
                        bad(pc, "load mode not allowed in seccomp");
                    }
                }
                case ST, STX -> checkMem(pc, i.k());
                case ALU -> {
                    int op = code & 0xf0;
                    if (op > XOR) {
                        bad(pc, "unknown ALU op");
                    }
                    if ((op == DIV || op == MOD) && (code & X) == 0 && i.k() == 0) {
                        bad(pc, "division by constant zero");
                    }
                }
                case JMP -> {
                    int op = code & 0xf0;
                    if (op == JA) {
                        if (Integer.compareUnsigned(i.k(), n - pc - 1) >= 0) {
                            bad(pc, "JA out of range");
                        }
                    } else if (op == JEQ || op == JGT || op == JGE || op == JSET) {
                        if (pc + 1 + i.jt() >= n || pc + 1 + i.jf() >= n) {
                            bad(pc, "conditional jump out of range");
                        }
                    } else {
                        bad(pc, "unknown jump");
                    }
                }
                case RET -> {
                    int src = code & 0x18;
                    if (src != K && src != A) {
                        bad(pc, "bad RET source");
                    }
                }
                case MISC -> {
                    if ((code & 0xf8) != TAX && (code & 0xf8) != TXA) {
                        bad(pc, "bad MISC op");
                    }
                }
                default -> bad(pc, "unknown class");
            }
        }
        if (!insns.get(n - 1).isRet()) {
            bad(n - 1, "last instruction is not RET");
        }
    }

    /** Validates, then runs. Returns the filter's 32-bit return value. */
    public static int run(BpfProgram prog, SeccompData data) {
        validate(prog);
        return execute(prog.instructions(), data);
    }

    private static int execute(List<BpfInsn> insns, SeccompData data) {
        int[] words = words(data);
        int[] mem = new int[MEM_WORDS];
        boolean[] memSet = new boolean[MEM_WORDS];
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            BpfInsn i = insns.get(pc++);
            int code = i.code();
            int k = i.k();
            switch (i.cls()) {
                case LD -> a = switch (code & 0xe0) {
                    case ABS -> words[k >>> 2];
                    case IMM -> k;
                    case MEM -> readMem(mem, memSet, k, pc - 1);
                    default -> SECCOMP_DATA_SIZE; // LEN
                };
                case LDX -> x = switch (code & 0xe0) {
                    case IMM -> k;
                    case MEM -> readMem(mem, memSet, k, pc - 1);
                    default -> SECCOMP_DATA_SIZE;
                };
                case ST -> {
                    mem[k] = a;
                    memSet[k] = true;
                }
                case STX -> {
                    mem[k] = x;
                    memSet[k] = true;
                }
                case ALU -> {
                    int src = (code & X) != 0 ? x : k;
                    if (((code & 0xf0) == DIV || (code & 0xf0) == MOD) && src == 0) {
                        return 0; // classic BPF aborts the filter with 0 on division by zero
                    }
                    a = switch (code & 0xf0) {
                        case ADD -> a + src;
                        case SUB -> a - src;
                        case MUL -> a * src;
                        case DIV -> Integer.divideUnsigned(a, src);
                        case MOD -> Integer.remainderUnsigned(a, src);
                        case OR -> a | src;
                        case AND -> a & src;
                        case LSH -> src >= 32 || src < 0 ? 0 : a << src;
                        case RSH -> src >= 32 || src < 0 ? 0 : a >>> src;
                        case NEG -> -a;
                        default -> a ^ src; // XOR
                    };
                }
                case JMP -> {
                    int op = code & 0xf0;
                    if (op == JA) {
                        pc += k;
                    } else {
                        int src = (code & X) != 0 ? x : k;
                        boolean c = switch (op) {
                            case JEQ -> a == src;
                            case JGT -> Integer.compareUnsigned(a, src) > 0;
                            case JGE -> Integer.compareUnsigned(a, src) >= 0;
                            default -> (a & src) != 0; // JSET
                        };
                        pc += c ? i.jt() : i.jf();
                    }
                }
                case RET -> {
                    return (code & 0x18) == A ? a : k;
                }
                default -> {
                    if ((code & 0xf8) == TXA) {
                        a = x;
                    } else {
                        x = a;
                    }
                }
            }
        }
    }

    private static int readMem(int[] mem, boolean[] set, int k, int pc) {
        if (!set[k]) {
            throw new IllegalArgumentException("insn " + pc + ": read of uninitialised M[" + k + "]");
        }
        return mem[k];
    }

    /** seccomp_data as 16 32-bit words in the arch's byte order. */
    private static int[] words(SeccompData d) {
        boolean le = (d.arch() & AUDIT_ARCH_LE) != 0;
        int[] w = new int[SECCOMP_DATA_SIZE / 4];
        w[0] = d.nr();
        w[1] = d.arch();
        split(w, 2, d.instructionPointer(), le);
        long[] args = d.args();
        for (int i = 0; i < 6; i++) {
            split(w, 4 + 2 * i, args[i], le);
        }
        return w;
    }

    private static void split(int[] w, int at, long v, boolean le) {
        w[at] = (int) (le ? v : v >>> 32);
        w[at + 1] = (int) (le ? v >>> 32 : v);
    }

    private static void checkMem(int pc, int k) {
        if (Integer.compareUnsigned(k, MEM_WORDS) >= 0) {
            bad(pc, "scratch memory index " + k + " out of range");
        }
    }

    private static void bad(int pc, String what) {
        throw new IllegalArgumentException("insn " + pc + ": " + what);
    }
}
