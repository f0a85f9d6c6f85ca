#!/usr/bin/env python3
"""Tiny wall-clock harness for process start-up benchmarks.

Reads commands from a file, one per line: NAME<TAB>ARGV (ARGV shell-quoted, as bash's printf %q
writes it). Runs every command WARMUP times untimed, then N rounds in which each command runs once
(round-robin, so machine-load drift hits every command alike). Each run is posix_spawn + waitpid,
stdin/stdout/stderr on /dev/null, timed with perf_counter_ns: the harness adds well under 1 ms.

Prints min/median/max (ms) per command; writes NAME<TAB>min<TAB>median<TAB>max<TAB>fails lines to
--tsv if given. A run that exits non-zero counts as a failure (and its time is still recorded).
"""
import argparse
import os
import shlex
import statistics
import sys
import time


def run_once(argv, env):
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        acts = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                (os.POSIX_SPAWN_DUP2, devnull, 2)]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=acts)
        _, status = os.waitpid(pid, 0)
        t1 = time.perf_counter_ns()
    finally:
        os.close(devnull)
    return (t1 - t0) / 1e6, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmdfile")
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--tsv")
    a = ap.parse_args()

    cmds = []
    with open(a.cmdfile) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            name, q = line.split("\t", 1)
            argv = shlex.split(q)
            if not argv[0].startswith("/"):
                sys.exit(f"harness: {name}: argv[0] must be an absolute path: {argv[0]}")
            cmds.append((name, argv))
    env = dict(os.environ)

    for _ in range(a.warmup):
        for name, argv in cmds:
            run_once(argv, env)
    times = {name: [] for name, _ in cmds}
    fails = {name: 0 for name, _ in cmds}
    codes = {name: set() for name, _ in cmds}
    for _ in range(a.n):
        for name, argv in cmds:
            ms, rc = run_once(argv, env)
            times[name].append(ms)
            if rc != 0:
                fails[name] += 1
                codes[name].add(rc)

    width = max(len(n) for n, _ in cmds)
    print(f"{'command':<{width}}  {'n':>4}  {'min':>8}  {'median':>8}  {'max':>8}  (ms)")
    rows = []
    for name, _ in cmds:
        t = times[name]
        row = (name, min(t), statistics.median(t), max(t), fails[name])
        rows.append(row)
        bad = f"  FAILED {fails[name]}x (exit {sorted(codes[name])})" if fails[name] else ""
        print(f"{name:<{width}}  {len(t):>4}  {row[1]:>8.1f}  {row[2]:>8.1f}  {row[3]:>8.1f}{bad}")
    if a.tsv:
        with open(a.tsv, "w") as f:
            for r in rows:
                f.write(f"{r[0]}\t{r[1]:.2f}\t{r[2]:.2f}\t{r[3]:.2f}\t{r[4]}\n")


if __name__ == "__main__":
    main()
