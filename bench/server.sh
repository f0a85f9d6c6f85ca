#!/usr/bin/env bash
# The resident server (./nsjail --server start) against upstream nsjail, in one interleaved run:
# latency of `-Mo --chroot / -q -- /bin/true` and of `... /bin/sh -c 'echo hi'` with pipes, 8-client
# throughput, and the server's RSS after 100 vs 10,000 requests (on a fresh server).
#
#   bench/server.sh                 # BENCH_N=50 rounds, JOBS=400 jails per tool, RSS_REQUESTS=10000
#
# Runs the real ./nsjail launcher (bash, client dispatch, client) of this checkout, so it uses the
# default server directory (/run/jnsjail as root). A server already running there is used for the
# first part; the RSS part always starts its own. Results: stdout and bench/results/server-<date>.txt.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
NSJAIL="${NSJAIL:-$root/../shared/tools/nsjail}"
[ -x "$NSJAIL" ] || NSJAIL=/work/shared/tools/nsjail
[ -x "$NSJAIL" ] || { echo "server.sh: upstream nsjail not found (set NSJAIL=...)" >&2; exit 1; }
[ -x "$root/target/jnsjail-client" ] || { echo "server.sh: build first (./build)" >&2; exit 1; }
mkdir -p "$here/results"
out="$here/results/server-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1

server_pid() { "$root/nsjail" --server status | sed -n 's/.*running, pid \([0-9]*\),.*/\1/p'; }
started=""
"$root/nsjail" --server status >/dev/null || { "$root/nsjail" --server start; started=1; }
trap '[ -n "$started" ] && "$root/nsjail" --server stop >/dev/null' EXIT

echo "== jnsjail server vs nsjail, $(date -Is)"
echo "host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "jnsjail: $root/nsjail (commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')); nsjail: $NSJAIL"
python3 "$here/server_bench.py" --jnsjail "$root/nsjail" --nsjail "$NSJAIL" --server-pid "$(server_pid)" \
  -n "${BENCH_N:-50}" --jobs "${JOBS:-400}"
# The RSS figures need a server that starts counting at zero.
"$root/nsjail" --server stop >/dev/null
"$root/nsjail" --server start >/dev/null
started=1
python3 "$here/server_bench.py" --jnsjail "$root/nsjail" --nsjail "$NSJAIL" --server-pid "$(server_pid)" --rss-only \
  --rss-requests "${RSS_REQUESTS:-10000}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (after)"
