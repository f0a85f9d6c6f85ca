package org.jnsjail.seccomp;

import java.util.Locale;

import org.jnsjail.sys.Structs;

/** Kafel target architectures, in Kafel's bit order (validation and arch dispatch follow it). */
public enum Arch {
    ARM("arm", 1 << 1, 0x40000028, false),
    AARCH64("aarch64", 1 << 2, 0xC00000B7, false),
    X86("x86", 1 << 3, 0x40000003, false),
    X86_64("x86_64", 1 << 4, 0xC000003E, false),
    MIPS("mips", 1 << 5, 0x00000008, true),
    MIPS64("mips64", 1 << 6, 0x80000008, true),
    RISCV64("riscv64", 1 << 7, 0xC00000F3, false),
    M68K("m68k", 1 << 8, 0x00000004, true);

    /** Kafel's name, also the first column of syscalls.tsv. */
    public final String kafelName;
    /** KAFEL_TARGET_ARCH_* bit. */
    public final int kafelBit;
    /** AUDIT_ARCH_* value compared against seccomp_data.arch. */
    public final int audit;
    /** Big-endian arches store the high word of a u64 argument first. */
    public final boolean bigEndian;

    Arch(String kafelName, int kafelBit, int audit, boolean bigEndian) {
        this.kafelName = kafelName;
        this.kafelBit = kafelBit;
        this.audit = audit;
        this.bigEndian = bigEndian;
    }

    /** Case-insensitive lookup accepting Kafel's aliases (as in {@code ON arch} guards); null if unknown. */
    public static Arch byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "arm" -> ARM;
            case "aarch64", "arm64" -> AARCH64;
            case "x86", "i386" -> X86;
            case "x86_64", "amd64" -> X86_64;
            case "mips", "mipso32" -> MIPS;
            case "mips64" -> MIPS64;
            case "riscv64", "rv64" -> RISCV64;
            case "m68k" -> M68K;
            default -> null;
        };
    }

    /** The arch whose AUDIT_ARCH value is {@code audit}, or null. */
    public static Arch byAudit(int audit) {
        for (Arch a : values()) {
            if (a.audit == audit) {
                return a;
            }
        }
        return null;
    }

    /** Byte offset in struct seccomp_data of the low (word 0) or high (word 1) half of args[i]. */
    int argWordOffset(int index, boolean high) {
        int base = Structs.SeccompData.ARGS + 8 * index;
        return (high ^ bigEndian) ? base + 4 : base;
    }

    @Override
    public String toString() {
        return kafelName;
    }
}
