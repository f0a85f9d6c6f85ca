#!/usr/bin/env python3
"""Summarises -Xlog:class+load logs of the CLI (used by bench/breakdown.sh).

  breakdown.py classes LOG...   class counts by source and kind, top packages, must-not-load checks
  breakdown.py phases LOG...    median phase times from the class-load timestamps of several runs
"""
import collections
import re
import statistics
import sys

LINE = re.compile(r"^\[(\d+\.\d+)s\]\[info\]\[class,load\] (\S+) source: (.*)$")

# Phase boundaries: the first load of each class marks the start of the next phase.
MARKS = [
    ("JVM boot -> Main loaded", "org.jnsjail.cli.Main"),
    ("getopt + Opt table", "org.jnsjail.sys.HostInfo"),
    ("FFM linker bootstrap + 4 id downcalls (HostInfo)", "org.jnsjail.args.Settings"),
    ("apply options, JailSpec, summary", "org.jnsjail.supervisor.Standalone"),
    ("signals, stub memfd, plan, posix_spawn", "org.jnsjail.supervisor.ChildJail"),
    ("jail runs, id maps, wait, exit", "java.lang.Shutdown"),
]

# Class groups worth watching on the CLI path.
GROUPS = [
    ("LambdaForm hidden classes (method-handle spinning)", lambda c: "LambdaForm$" in c),
    ("FFM downcall stubs (one per distinct signature)", lambda c: "DowncallStub/" in c),
    ("lambda proxies ($$Lambda)", lambda c: "$$Lambda" in c),
    ("indy string concat ($$StringConcat)", lambda c: "$$StringConcat" in c),
    ("pattern-switch classes ($$TypeSwitch)", lambda c: "$$TypeSwitch" in c),
    ("java.lang.foreign / jdk.internal.foreign", lambda c: c.startswith(("java.lang.foreign", "jdk.internal.foreign"))),
    ("java.lang.classfile / jdk.internal.classfile", lambda c: c.startswith(("java.lang.classfile", "jdk.internal.classfile"))),
    ("java.util.stream", lambda c: c.startswith("java.util.stream")),
    ("java.util.regex", lambda c: c.startswith("java.util.regex")),
    ("java.time", lambda c: c.startswith("java.time")),
    ("java.lang.Process* / ProcessHandle*", lambda c: c.startswith(("java.lang.Process",))),
    ("protobuf (com.google.protobuf)", lambda c: c.startswith("com.google.protobuf")),
    ("gson (com.google.gson)", lambda c: c.startswith("com.google.gson")),
    ("org.jnsjail", lambda c: c.startswith("org.jnsjail")),
]


def parse(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                out.append((float(m.group(1)), m.group(2), m.group(3)))
    return out


def pkg(cls):
    cls = cls.split("/")[0]
    return cls.rsplit(".", 1)[0] if "." in cls else "(default)"


def classes(paths):
    for path in paths:
        recs = parse(path)
        shared = [r for r in recs if r[2].startswith("shared objects file")]
        other = [r for r in recs if not r[2].startswith("shared objects file")]
        print(f"{path}: {len(recs)} classes: {len(shared)} from the CDS/AOT archive, {len(other)} loaded or "
              f"generated at run time; last load at {recs[-1][0] * 1000:.0f} ms" if recs else f"{path}: empty")
        for label, pred in GROUPS:
            n_all = sum(1 for r in recs if pred(r[1]))
            n_rt = sum(1 for r in other if pred(r[1]))
            print(f"  {label:<52} {n_all:>5} ({n_rt} at run time)")
        top = collections.Counter(pkg(r[1]) for r in other).most_common(12)
        print("  top packages of the run-time loads: " + ", ".join(f"{p} {n}" for p, n in top))
        for bad in ("com.google.protobuf", "com.google.gson"):
            hit = [r[1] for r in recs if r[1].startswith(bad)]
            print(f"  {bad}: {'NOT loaded (good)' if not hit else 'LOADED: ' + ', '.join(hit[:5])}")
        print()


def phases(paths):
    per = collections.defaultdict(list)
    for path in paths:
        recs = parse(path)
        first = {}
        for t, c, _ in recs:
            first.setdefault(c, t)
        prev = 0.0
        for label, mark in MARKS:
            if mark in first:
                per[label].append((first[mark] - prev) * 1000)
                prev = first[mark]
        if "java.lang.Shutdown" in first:
            per["total (JVM uptime at exit)"].append(first["java.lang.Shutdown"] * 1000)
    print(f"phase medians over {len(paths)} runs (ms, from class-load timestamps; logging adds a little):")
    for label in [m[0] for m in MARKS] + ["total (JVM uptime at exit)"]:
        v = per.get(label)
        if v:
            print(f"  {label:<52} {statistics.median(v):7.1f}   (min {min(v):.1f})")


if __name__ == "__main__":
    {"classes": classes, "phases": phases}[sys.argv[1]](sys.argv[2:])
