#!/usr/bin/env bash
# Supervisor throughput: jails per second in RERUN and connections per second in LISTEN (sequential
# and 8 concurrent clients, a jailed /bin/echo hi), next to a loop of bwrap running the same echo
# (sequential and 8 in parallel), all in the same run. Prints the ratios. About 70 s.
#
#   bench/listen.sh                       # uses target/ (what ./build makes)
#   BUILD_DIR=target-x SECS=5 bench/listen.sh
#
# Run as root (jails need user namespaces). Results go to stdout and bench/results/listen-<date>.txt.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
SECS="${SECS:-10}"
BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in /*) bdir="$BUILD_DIR" ;; *) bdir="$root/$BUILD_DIR" ;; esac
jar="$bdir/jnsjail.jar"
[ -f "$jar" ] || { echo "listen.sh: $jar is missing; build first (./build, or mvn -DbuildDir=...)" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
PY="$(command -v python3 || echo /usr/bin/python3)"
[ -x "$PY" ] || { echo "listen.sh: needs python3" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "listen.sh: needs bwrap (apt-get install bubblewrap)" >&2; exit 1; }
client="$here/listen_client.py"
# The ./nsjail launcher's JVM flags (without its AOT cache, which is tied to target/).
# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"

mkdir -p "$here/results"
out="$here/results/listen-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== jnsjail supervisor throughput, $(date -Is)"
echo "host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "java: $JAVA; jar: $jar"
echo "each row: ${SECS} s"

# ---- RERUN: count the jails' "run" lines -------------------------------------------------------
"$JAVA" "${flags[@]}" -jar "$jar" -Mr -q --chroot / -- /bin/echo run >"$work/rerun.out" 2>"$work/rerun.err" &
rp=$!; pids+=("$rp")
sleep 1 # JVM start-up is not part of the rate
n0=$(grep -c '^run$' "$work/rerun.out" || true)
sleep "$SECS"
n1=$(grep -c '^run$' "$work/rerun.out" || true)
kill -TERM "$rp"; wait "$rp" || true
rerun=$("$PY" -c "print('%.1f' % (($n1 - $n0) / $SECS))")

# ---- LISTEN: one supervisor, a jailed /bin/echo hi per connection -------------------------------
"$JAVA" "${flags[@]}" -jar "$jar" -Ml --port 0 --bindhost 127.0.0.1 --chroot / -- /bin/echo hi 2>"$work/listen.err" &
lp=$!; pids+=("$lp")
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*Listening on \[[^]]*\]:\([0-9]*\).*/\1/p' "$work/listen.err" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "listen.sh: no 'Listening on' line"; cat "$work/listen.err"; exit 1; }
"$PY" "$client" tcp "$port" 1 1 >/dev/null # warm-up
lseq=$("$PY" "$client" tcp "$port" "$SECS" 1)
lconc=$("$PY" "$client" tcp "$port" "$SECS" 8)
kill -TERM "$lp"; wait "$lp" || true

# ---- bwrap, the same command ------------------------------------------------------------------
bw=(bwrap --ro-bind / / --unshare-all /bin/echo hi)
bseq=$("$PY" "$client" cmd "$SECS" 1 -- "$(command -v bwrap)" "${bw[@]:1}")
bconc=$("$PY" "$client" cmd "$SECS" 8 -- "$(command -v bwrap)" "${bw[@]:1}")

ratio() { "$PY" -c "print('%.2f' % ($1 / $2) if $2 > 0 else 'n/a')"; }
echo
printf '%-56s %10s\n' "what" "per second"
printf '%-56s %10s\n' "jnsjail -Mr -- /bin/echo run (jails)" "$rerun"
printf '%-56s %10s\n' "jnsjail -Ml, 1 client (connections)" "$lseq"
printf '%-56s %10s\n' "jnsjail -Ml, 8 concurrent clients (connections)" "$lconc"
printf '%-56s %10s\n' "${bw[*]}, 1 at a time" "$bseq"
printf '%-56s %10s\n' "${bw[*]}, 8 in parallel" "$bconc"
echo
echo "ratios (jnsjail / bwrap):"
echo "  RERUN jails/s        vs bwrap sequential: $(ratio "$rerun" "$bseq")"
echo "  LISTEN sequential    vs bwrap sequential: $(ratio "$lseq" "$bseq")"
echo "  LISTEN 8 concurrent  vs bwrap 8 parallel: $(ratio "$lconc" "$bconc")"
echo "  LISTEN 8 concurrent  vs bwrap sequential: $(ratio "$lconc" "$bseq")"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (after)"
