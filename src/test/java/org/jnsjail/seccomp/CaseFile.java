package org.jnsjail.seccomp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads the language-neutral Kafel conformance cases (cases/README.md). */
record CaseFile(String name, String policy, Set<Arch> targets, List<String> searchPaths,
        Map<String, String> files, boolean expectError, String expectedMessage, boolean entryBug,
        List<Input> inputs) {

    record Input(Arch arch, int nr, long[] args, int expectedRet, String expectedAction) {}

    static List<CaseFile> load(String resource) {
        List<CaseFile> out = new ArrayList<>();
        try (InputStream in = CaseFile.class.getResourceAsStream("cases/" + resource)) {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(parse(JsonParser.parseString(line).getAsJsonObject()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static CaseFile parse(JsonObject o) {
        Set<Arch> targets = EnumSet.noneOf(Arch.class);
        for (JsonElement e : o.getAsJsonArray("target_archs")) {
            targets.add(Arch.byName(e.getAsString()));
        }
        List<String> paths = new ArrayList<>();
        if (o.has("include_search_paths")) {
            for (JsonElement e : o.getAsJsonArray("include_search_paths")) {
                paths.add(e.getAsString());
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        if (o.has("files")) {
            for (var e : o.getAsJsonObject("files").entrySet()) {
                files.put(e.getKey(), e.getValue().getAsString());
            }
        }
        boolean bug = o.has("kafel_entry_bug") && o.get("kafel_entry_bug").getAsBoolean();
        List<Input> inputs = new ArrayList<>();
        if (o.has("inputs")) {
            for (JsonElement e : o.getAsJsonArray("inputs")) {
                JsonObject i = e.getAsJsonObject();
                long[] args = new long[6];
                var a = i.getAsJsonArray("args");
                for (int k = 0; k < 6; k++) {
                    args[k] = Long.parseUnsignedLong(a.get(k).getAsString().substring(2), 16);
                }
                String ret = i.has("semantic_ret") ? i.get("semantic_ret").getAsString() : i.get("expected_ret").getAsString();
                inputs.add(new Input(Arch.byName(i.get("arch").getAsString()), (int) i.get("nr").getAsLong(), args,
                        Integer.parseUnsignedInt(ret.substring(2), 16), i.get("expected_action").getAsString()));
            }
        }
        return new CaseFile(o.get("name").getAsString(), o.get("policy").getAsString(), targets, paths, files,
                o.get("expect_compile_error").getAsBoolean(),
                o.has("expected_error_message") ? o.get("expected_error_message").getAsString() : null, bug, inputs);
    }

    KafelOptions options() {
        return KafelOptions.defaults().withTargets(targets).withSearchPaths(searchPaths)
                .withIncludes(IncludeResolver.of(files));
    }

    @Override
    public String toString() {
        return name;
    }
}
