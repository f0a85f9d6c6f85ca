package org.jnsjail.mount;

import java.util.ArrayList;
import java.util.List;

/** Lexical path helpers: jail paths are normalised without touching any file system. */
final class Paths2 {
    private Paths2() {}

    /** "/a//b/./c/" → "/a/b/c"; ".." is kept out of the jail root ("/.." = "/"). */
    static String normalize(String p) {
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.add(s);
        }
        return "/" + String.join("/", parts);
    }

    /** True when {@code path} is {@code prefix} or lies below it. Both normalised. */
    static boolean isUnder(String path, String prefix) {
        if (prefix.equals("/")) return true;
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** The components of a normalised path's ancestors, e.g. /a/b/c → [/a, /a/b]. */
    static List<String> ancestors(String path) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while ((i = path.indexOf('/', i + 1)) > 0) out.add(path.substring(0, i));
        return out;
    }

    static String join(String base, String rel) {
        if (rel.equals("/")) return base;
        return base.equals("/") ? rel : base + rel;
    }
}
