package org.jnsjail.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.jnsjail.model.Defaults;
import org.jnsjail.model.UserNet;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.RLimit;
import org.junit.jupiter.api.Test;

/**
 * nsjail's defaults live in {@link Defaults}; config.proto states them again for the protobuf
 * compiler, and {@code --help} shows them. All three say the same.
 */
class DefaultsTest {
    /** An empty config gives exactly the command line's defaults: config.proto's defaults are Defaults'. */
    @Test
    void configProtoDefaultsAreTheCommandLinesDefaults() throws Exception {
        var out = new ConfigApplier.Outside(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                Defaults.PROC_PATH);
        Settings fromConfig = ConfigApplier.toSettings(NsJailConfig.getDefaultInstance(), Map.of(), HostInfo.get(), out,
                ParseEffects.collected());
        Settings fresh = new Settings();
        List<String> diffs = new ArrayList<>();
        for (Field f : Settings.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("spelled")) continue;
            f.setAccessible(true);
            Object a = f.get(fresh), b = f.get(fromConfig);
            if (!Objects.equals(a, b)) diffs.add(f.getName() + ": command line " + a + ", config " + b);
        }
        assertEquals(List.of(), diffs);
    }

    /** user_net {} and its pasta {} in a config are the API's defaults. */
    @Test
    void userNetDefaults() {
        NsJailConfig.UserNet empty = NsJailConfig.UserNet.getDefaultInstance();
        assertEquals(UserNet.DEFAULT, ConfigApplier.userNet(empty));
        UserNet withPasta = ConfigApplier.userNet(empty.toBuilder().setPasta(NsJailConfig.UserNet.Pasta.getDefaultInstance())
                .build());
        assertEquals(UserNet.Pasta.DEFAULT, withPasta.pasta());
    }

    /** --help names the defaults it states from the same constants; the rlimit ones are checked here. */
    @Test
    void helpShowsTheRlimitDefaults() {
        for (Defaults.Rlimit r : Defaults.RLIMITS) {
            Opt o = Opt.valueOf(r.resource().name());
            String want = "(default: " + (r.soft() ? "'soft'" : Long.toString(r.value())) + ")";
            assertTrue(o.help().contains(want), o + ": " + o.help());
        }
        assertTrue(Opt.TIME_LIMIT.help().contains("(default: 600)"), Opt.TIME_LIMIT.help());
    }

    @Test
    void rlimitUnits() {
        assertEquals(4096L << 20, Defaults.RLIMITS.getFirst().kernelValue());
        assertEquals(1024, Defaults.rlimitUnit(RLimit.RLIMIT_MEMLOCK));
        assertEquals(1, Defaults.rlimitUnit(RLimit.RLIMIT_NOFILE));
    }
}
