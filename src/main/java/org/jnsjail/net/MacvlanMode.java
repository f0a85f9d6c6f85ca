package org.jnsjail.net;

import java.util.Locale;

/** IFLA_MACVLAN_MODE values (linux/if_link.h enum macvlan_mode); --macvlan_vs_mo names them. */
public enum MacvlanMode {
    MACVLAN_MODE_PRIVATE(1, "private"), MACVLAN_MODE_VEPA(2, "vepa"), MACVLAN_MODE_BRIDGE(4, "bridge"),
    MACVLAN_MODE_PASSTHRU(8, "passthru");

    public final int value;
    public final String word;

    MacvlanMode(int value, String word) {
        this.value = value;
        this.word = word;
    }

    /** nsjail compares case-insensitively; anything else is fatal. */
    public static MacvlanMode parse(String s) {
        for (MacvlanMode m : values()) if (m.word.equals(s.toLowerCase(Locale.ROOT))) return m;
        throw new IllegalArgumentException("Unsupported MACVLAN mode: " + org.jnsjail.log.Quote.of(s)
                + " (use 'private', 'vepa', 'bridge' or 'passthru')");
    }
}
