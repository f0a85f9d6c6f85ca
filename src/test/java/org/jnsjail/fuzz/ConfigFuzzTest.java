package org.jnsjail.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import org.jnsjail.config.ConfigException;
import org.jnsjail.config.ConfigLoader;
import org.jnsjail.config.proto.NsjailConfigProto.NsJailConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link ConfigLoader#load} with mutated TextProto and ProtoJSON files: only
 * {@link ConfigException} with a one-line message may escape. Seeds: the corpus, the project's own
 * test configs, and nsjail's reference configs when /work/shared/reference/nsjail-configs exists.
 */
class ConfigFuzzTest {
    static final Path REFERENCE = Path.of("/work/shared/reference/nsjail-configs");

    @TempDir
    Path tmp;

    @Test
    void configLoaderWithstandsHostileFiles() throws IOException {
        List<byte[]> seeds = new ArrayList<>(Fuzzer.corpus("config"));
        for (Path dir : List.of(REFERENCE, Path.of("src/test/resources/org/jnsjail/config"),
                Path.of("src/test/resources/org/jnsjail/args"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) if (Files.isRegularFile(p)) seeds.add(Files.readAllBytes(p));
            }
        }
        List<String> dict = new ArrayList<>(List.of("{", "}", "[", "]", "<", ">", ":", ",", "\"", "'", "#", "//",
                "/*", "*/", "\\", "\\x", "\\u00", "\\377", "true", "false", "null", "-", "0x", "1e999", "-0",
                "18446744073709551616", "9223372036854775807", "-2147483649", "nan", "inf", "\"\\uD800\"", "\n",
                "\u0000", "\u00ff", "\ud83d\ude00"));
        addNames(NsJailConfig.getDescriptor(), dict, new java.util.HashSet<>());
        Path file = tmp.resolve("fuzz.cfg");
        Fuzzer.Stats st = new Fuzzer("config", 3, in -> run(file, in), seeds, dict).run();
        assertEquals(List.of(), st.findings(), st.line());
    }

    private static void addNames(Descriptor d, List<String> dict, java.util.Set<String> seen) {
        if (!seen.add(d.getFullName())) return;
        for (FieldDescriptor f : d.getFields()) {
            dict.add(f.getName());
            dict.add(f.getJsonName());
            dict.add("\"" + f.getJsonName() + "\": ");
            dict.add(" " + f.getName() + ": ");
            if (f.getType() == FieldDescriptor.Type.MESSAGE) {
                dict.add(f.getName() + " { ");
                addNames(f.getMessageType(), dict, seen);
            }
            if (f.getType() == FieldDescriptor.Type.ENUM) {
                for (EnumValueDescriptor v : f.getEnumType().getValues()) dict.add(v.getName());
            }
        }
    }

    private static String run(Path file, byte[] input) throws IOException {
        Files.write(file, input);
        try {
            ConfigLoader.load(file);
            return "ok";
        } catch (ConfigException e) {
            String note = Fuzzer.requireOneLine("ConfigException", e.getMessage(), input);
            if (note != null) return note;
            return Fuzzer.signature("config", e.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new Fuzzer.Finding("ConfigLoader.load threw " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }
}
