package org.jnsjail.seccomp;

import static org.jnsjail.seccomp.BpfInsn.*;

/** Human-readable form of one instruction, naming seccomp_data fields. */
final class Disassembler {
    private Disassembler() {}

    static String format(BpfInsn i, int pc) {
        int code = i.code();
        int k = i.k();
        return switch (i.cls()) {
            case LD -> switch (code & 0xe0) {
                case ABS -> "ld  " + field(k);
                case IMM -> "ld  #" + hex(k);
                case MEM -> "ld  M[" + k + "]";
                case LEN -> "ld  #len";
                default -> raw(i);
            };
            case LDX -> switch (code & 0xe0) {
                case IMM -> "ldx #" + hex(k);
                case MEM -> "ldx M[" + k + "]";
                case LEN -> "ldx #len";
                default -> raw(i);
            };
            case ST -> "st  M[" + k + "]";
            case STX -> "stx M[" + k + "]";
            case ALU -> {
                String op = switch (code & 0xf0) {
                    case ADD -> "add"; case SUB -> "sub"; case MUL -> "mul"; case DIV -> "div";
                    case OR -> "or "; case AND -> "and"; case LSH -> "lsh"; case RSH -> "rsh";
                    case NEG -> "neg"; case MOD -> "mod"; case XOR -> "xor"; default -> "???";
                };
                yield (code & 0xf0) == NEG ? "neg" : op + " " + ((code & X) != 0 ? "x" : "#" + hex(k));
            }
            case JMP -> {
                if ((code & 0xf0) == JA) {
                    yield "ja  " + (pc + 1 + k);
                }
                String op = switch (code & 0xf0) {
                    case JEQ -> "jeq"; case JGT -> "jgt"; case JGE -> "jge"; case JSET -> "jset"; default -> "j??";
                };
                String src = (code & X) != 0 ? "x" : "#" + hex(k);
                yield op + " " + src + ", " + (pc + 1 + i.jt()) + ", " + (pc + 1 + i.jf());
            }
            case RET -> (code & 0x18) == A ? "ret a" : "ret #" + hex(k) + "  ; " + Action.describe(k);
            case MISC -> (code & 0xf8) == TXA ? "txa" : "tax";
            default -> raw(i);
        };
    }

    private static String field(int off) {
        return switch (off) {
            case 0 -> "[0] ; nr";
            case 4 -> "[4] ; arch";
            case 8, 12 -> "[" + off + "] ; ip." + (off == 8 ? "w0" : "w1");
            default -> off >= 16 && off < 64
                    ? "[" + off + "] ; args[" + (off - 16) / 8 + "].w" + ((off % 8) / 4)
                    : "[" + off + "]";
        };
    }

    private static String hex(int k) {
        return "0x" + Integer.toHexString(k);
    }

    private static String raw(BpfInsn i) {
        return String.format("raw code=0x%04x jt=%d jf=%d k=0x%x", i.code(), i.jt(), i.jf(), i.k());
    }
}
