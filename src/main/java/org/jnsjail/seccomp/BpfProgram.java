package org.jnsjail.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** A classic BPF program (struct sock_fprog's filter array). */
public record BpfProgram(List<BpfInsn> instructions) {
    /** The kernel's BPF_MAXINSNS: longer filters are rejected by seccomp(2). */
    public static final int MAX_INSNS = 4096;

    public BpfProgram {
        instructions = List.copyOf(instructions);
    }

    public int length() {
        return instructions.size();
    }

    /** struct sock_filter[] in host (little-endian) layout: u16 code, u8 jt, u8 jf, u32 k. */
    public byte[] toSockFilterBytes() {
        ByteBuffer b = ByteBuffer.allocate(8 * instructions.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (BpfInsn i : instructions) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }

    /** One line per instruction, in a bpf_dbg-like syntax; jump targets are absolute indexes. */
    public String disassemble() {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < instructions.size(); pc++) {
            sb.append(String.format("%4d: %s%n", pc, Disassembler.format(instructions.get(pc), pc)));
        }
        return sb.toString();
    }
}
