package org.jnsjail.sys;

/** personality(2) flags that nsjail's --persona_* options and config fields set (linux/personality.h). */
public enum Persona {
    ADDR_NO_RANDOMIZE(0x0040000), MMAP_PAGE_ZERO(0x0100000), ADDR_COMPAT_LAYOUT(0x0200000),
    READ_IMPLIES_EXEC(0x0400000), ADDR_LIMIT_3GB(0x8000000);

    public final int bit;

    Persona(int bit) {
        this.bit = bit;
    }
}
