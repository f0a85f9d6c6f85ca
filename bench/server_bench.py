#!/usr/bin/env python3
"""The resident server against upstream nsjail, in one interleaved run (bench/server.sh runs it).

  1. latency: `-Mo --chroot / -q -- /bin/true` (stdio /dev/null) and
     `-Mo --chroot / -q -- /bin/sh -c 'echo hi'` with a pipe on stdin and stdout (the output is read
     and checked), each command once per round, round-robin over the tools; min/median/p90/max.
  2. throughput: 8 clients at once, each running /bin/true jails back to back, jails/s per tool.
  3. the server's resident set (VmRSS) after 100 and after 10,000 requests.

Every run is a fresh process (posix_spawn of the tool's own command line), so the jnsjail rows
include bash, the launcher's client dispatch and the client.

--bwrap PATH adds bwrap (`bwrap --ro-bind / / --unshare-all CMD`) to phases 1 and 2; --rounds sets
how many throughput runs each tool gets (interleaved); --tsv FILE writes the figures as
KEY<TAB>VALUE lines (lat.CASE.TOOL = median ms, tput.TOOL = median jails/s, rss100/rssN = kB) for
bench/vs-nsjail.sh.
"""
import argparse
import os
import statistics
import threading
import time


def spawn(argv, stdin_pipe=False, stdout_pipe=False):
    """Runs argv once; returns (ms, exit code, stdout bytes or None)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    acts, keep = [], []
    try:
        if stdin_pipe:
            r_in, w_in = os.pipe()
            acts.append((os.POSIX_SPAWN_DUP2, r_in, 0))
            keep += [r_in]
        else:
            acts.append((os.POSIX_SPAWN_DUP2, devnull, 0))
        if stdout_pipe:
            r_out, w_out = os.pipe()
            acts.append((os.POSIX_SPAWN_DUP2, w_out, 1))
            keep += [w_out]
        else:
            acts.append((os.POSIX_SPAWN_DUP2, devnull, 1))
        acts.append((os.POSIX_SPAWN_DUP2, devnull, 2))
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
        for fd in keep:
            os.close(fd)
        out = None
        if stdin_pipe:
            os.close(w_in)  # EOF on the jail's stdin
        if stdout_pipe:
            chunks = []
            while True:
                b = os.read(r_out, 65536)
                if not b:
                    break
                chunks.append(b)
            os.close(r_out)
            out = b"".join(chunks)
        _, status = os.waitpid(pid, 0)
        t1 = time.perf_counter_ns()
        return (t1 - t0) / 1e6, os.waitstatus_to_exitcode(status), out
    finally:
        os.close(devnull)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jnsjail", required=True, help="the ./nsjail launcher")
    ap.add_argument("--nsjail", help="upstream nsjail (without it, jnsjail and bwrap only)")
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--concurrent", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=400, help="jails per tool in the throughput run")
    ap.add_argument("--rss-requests", type=int, default=10000)
    ap.add_argument("--rss-only", action="store_true", help="only the RSS phase (on a freshly started server)")
    ap.add_argument("--bwrap", help="bwrap, to add it to the latency and throughput phases")
    ap.add_argument("--rounds", type=int, default=2, help="throughput runs per tool, interleaved")
    ap.add_argument("--warmup", type=int, default=20, help="untimed latency rounds first")
    ap.add_argument("--tsv", help="write KEY<TAB>VALUE lines here")
    a = ap.parse_args()
    tsv = open(a.tsv, "a") if a.tsv else None

    jail = ["-Mo", "--chroot", "/", "-q", "--"]
    true_cmd = ["/bin/true"]
    echo_cmd = ["/bin/sh", "-c", "echo hi"]
    true_args = jail + true_cmd
    # tool name -> how it runs a command
    tools = {"jnsjail (server)": lambda cmd: [a.jnsjail] + jail + cmd}
    if a.nsjail:
        tools["nsjail"] = lambda cmd: [a.nsjail] + jail + cmd
    if a.bwrap:
        tools["bwrap"] = lambda cmd: [a.bwrap, "--ro-bind", "/", "/", "--unshare-all"] + cmd
    cases = [("true", true_cmd, False), ("echo|pipes", echo_cmd, True)]

    if a.rss_only:
        return rss_phase(a, true_args, tsv)
    # warm-up: also brings the server's JIT up (as any resident server would be after use)
    for _ in range(a.warmup):
        for _, tool in tools.items():
            for _, cmd, pipes in cases:
                spawn(tool(cmd), pipes, pipes)
    times = {(t, c): [] for t in tools for c, _, _ in cases}
    fails = {k: 0 for k in times}
    for _ in range(a.n):
        for c, cmd, pipes in cases:
            for t, tool in tools.items():
                ms, rc, out = spawn(tool(cmd), pipes, pipes)
                times[(t, c)].append(ms)
                if rc != 0 or (pipes and out != b"hi\n"):
                    fails[(t, c)] += 1
    print(f"== latency, {a.n} rounds (ms)")
    print(f"{'case':<12} {'tool':<18} {'min':>7} {'median':>7} {'p90':>7} {'max':>7}")
    for c, _, _ in cases:
        for t in tools:
            v = times[(t, c)]
            bad = f"  FAILED {fails[(t, c)]}x" if fails[(t, c)] else ""
            print(f"{c:<12} {t:<18} {min(v):7.1f} {statistics.median(v):7.1f} {pct(v, 90):7.1f} {max(v):7.1f}{bad}")
            if tsv:
                tsv.write(f"lat.{c}.{t.split()[0]}\t{statistics.median(v):.2f}\n")
                tsv.write(f"fail.lat.{c}.{t.split()[0]}\t{fails[(t, c)]}\n")
        if a.nsjail:
            m_j = statistics.median(times[("jnsjail (server)", c)])
            m_n = statistics.median(times[("nsjail", c)])
            print(f"{c:<12} ratio of medians jnsjail/nsjail = {m_j / m_n:.2f}")

    print(f"== throughput, {a.concurrent} clients at once, {a.jobs} /bin/true jails per tool")
    rates = {}
    bads = {}
    for t, tool in list(tools.items()) * a.rounds:  # each tool a.rounds times, interleaved
        left = [a.jobs]
        lock = threading.Lock()
        bad = [0]

        def worker():
            while True:
                with lock:
                    if left[0] == 0:
                        return
                    left[0] -= 1
                _, rc, _ = spawn(tool(true_cmd))
                if rc != 0:
                    with lock:
                        bad[0] += 1

        t0 = time.perf_counter()
        ths = [threading.Thread(target=worker) for _ in range(a.concurrent)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        rate = a.jobs / (time.perf_counter() - t0)
        rates.setdefault(t, []).append(rate)
        bads[t] = bads.get(t, 0) + bad[0]
        print(f"{t:<18} {rate:7.1f} jails/s" + (f"  FAILED {bad[0]}x" if bad[0] else ""))
    best = {t: max(v) for t, v in rates.items()}
    if a.nsjail:
        print(f"ratio of best rates jnsjail/nsjail = {best['jnsjail (server)'] / best['nsjail']:.2f}")
    if tsv:
        for t, v in rates.items():
            tsv.write(f"tput.{t.split()[0]}\t{statistics.median(v):.2f}\n")
            tsv.write(f"fail.tput.{t.split()[0]}\t{bads[t]}\n")


def rss_phase(a, true_args, tsv):
    print(f"== server RSS (pid {a.server_pid}, started for this phase)")
    tool = a.jnsjail
    done = 0
    failed = 0

    def run_until(total):
        nonlocal done
        lock = threading.Lock()

        def worker():
            nonlocal done, failed
            while True:
                with lock:
                    if done >= total:
                        return
                    done += 1
                if spawn([tool] + true_args)[1] != 0:
                    with lock:
                        failed += 1

        ths = [threading.Thread(target=worker) for _ in range(a.concurrent)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    run_until(100)
    r100 = rss_kb(a.server_pid)
    run_until(a.rss_requests)
    r10k = rss_kb(a.server_pid)
    print(f"VmRSS after 100 requests: {r100} kB; after {a.rss_requests}: {r10k} kB; ratio {r10k / r100:.3f}"
          + (f"  FAILED {failed}x" if failed else ""))
    if tsv:
        tsv.write(f"rss100\t{r100}\nrssN\t{r10k}\nfail.rss\t{failed}\n")


if __name__ == "__main__":
    main()
