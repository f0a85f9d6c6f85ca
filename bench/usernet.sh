#!/usr/bin/env bash
# user_net throughput and latency: a jail downloads SIZE_MB from a host TCP server, uploads SIZE_MB
# to it (timed until the server has it all), and makes CONNS sequential TCP connections (connect,
# one line each way, close), through the built-in NSTUN stack and through pasta(1), in the same run.
# Prints each figure and the NSTUN/pasta ratios.
#
#   bench/usernet.sh                      # uses target/ (what ./build makes)
#   BUILD_DIR=target-x SIZE_MB=256 CONNS=500 bench/usernet.sh
#   JFLAGS= bench/usernet.sh              # the JVM's default JITs instead of the ./nsjail launcher's C1 only
#
# Run as root. Results go to stdout and bench/results/usernet-<date>.txt.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
SIZE_MB="${SIZE_MB:-256}"
# The ./nsjail launcher's JVM flags by default (start-up first: C1 only).
# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"
JFLAGS="${JFLAGS-${flags[*]}}"
CONNS="${CONNS:-300}"
BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in /*) bdir="$BUILD_DIR" ;; *) bdir="$root/$BUILD_DIR" ;; esac
jar="$bdir/jnsjail.jar"
[ -f "$jar" ] || { echo "usernet.sh: $jar is missing; build first (./build, or mvn -DbuildDir=...)" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
PY="$(command -v python3 || echo /usr/bin/python3)"
[ -x "$PY" ] || { echo "usernet.sh: needs python3" >&2; exit 1; }
host="$(ip -4 -o addr show scope global | awk '{sub(/\/.*/, "", $4); print $4; exit}')"
[ -n "$host" ] || { echo "usernet.sh: needs a non-loopback IPv4 address" >&2; exit 1; }

mkdir -p "$here/results"
out="$here/results/usernet-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1
work="$(mktemp -d)"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The host side: port A sends SIZE_MB of zeros per connection; port B greets, echoes one line, closes;
# port C reads SIZE_MB and answers one byte.
cat > "$work/server.py" <<'EOF'
import socket, sys, threading
size = int(sys.argv[2]) << 20
def blob(c):
    chunk = bytes(1 << 20)
    with c:
        for _ in range(size >> 20):
            c.sendall(chunk)
def echo(c):
    with c:
        c.sendall(b"hi\n")
        c.makefile("rb").readline()
        c.sendall(b"bye\n")
def sink(c):
    with c:
        left = size
        while left > 0:
            n = len(c.recv(1 << 20))
            if n == 0:
                return
            left -= n
        c.sendall(b"k")
def serve(port, fn):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port)); s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()
threading.Thread(target=serve, args=(18901, blob), daemon=True).start()
threading.Thread(target=serve, args=(18903, sink), daemon=True).start()
serve(18902, echo)
EOF
"$PY" "$work/server.py" "$host" "$SIZE_MB" &
server_pid=$!
sleep 0.5

cat > "$work/nstun.cfg" <<'EOF'
mode: ONCE
mount { src: "/" dst: "/" is_bind: true }
mount { dst: "/proc" fstype: "proc" }
rlimit_fsize: 0
rlimit_fsize_type: INF
time_limit: 600
user_net { }
EOF
sed 's/^user_net { }$/user_net { backend: PASTA pasta { } }/' "$work/nstun.cfg" > "$work/pasta.cfg"

# In the jail: time the download and the connection loop with bash's own clock.
cat > "$work/client.sh" <<EOF
t0=\$EPOCHREALTIME
exec 3<>/dev/tcp/$host/18901
cat <&3 | wc -c > /dev/null
t1=\$EPOCHREALTIME
exec 5<>/dev/tcp/$host/18903
head -c $((SIZE_MB << 20)) /dev/zero >&5
read -r -n 1 l <&5; exec 5<&-
tu=\$EPOCHREALTIME
for i in \$(seq $CONNS); do
  exec 4<>/dev/tcp/$host/18902; read -r l <&4; echo x >&4; read -r l <&4; exec 4<&-
done
t2=\$EPOCHREALTIME
echo "\$t0 \$t1 \$tu \$t2"
EOF
chmod 644 "$work/client.sh"

echo "== jnsjail user_net, $(date -Is)"
echo "host: $(uname -r), $(nproc) CPUs; server on $host; download ${SIZE_MB} MiB; $CONNS connections; JVM flags: ${JFLAGS:-(defaults)}"
run() { # backend
  "$JAVA" ${JFLAGS} --enable-native-access=ALL-UNNAMED -jar "$jar" -q -C "$work/$1.cfg" -- /bin/bash "$work/client.sh"
}
declare -A mbps ups cps
for b in nstun pasta; do
  if [ "$b" = pasta ] && ! command -v pasta >/dev/null; then echo "pasta: missing (apt-get install passt)"; continue; fi
  res="$(run "$b")" || { echo "$b: the jail failed"; continue; }
  read -r t0 t1 tu t2 <<< "$res"
  mbps[$b]=$(awk -v a="$t0" -v b="$t1" -v s="$SIZE_MB" 'BEGIN { printf "%.1f", s / (b - a) }')
  ups[$b]=$(awk -v a="$t1" -v b="$tu" -v s="$SIZE_MB" 'BEGIN { printf "%.1f", s / (b - a) }')
  cps[$b]=$(awk -v a="$tu" -v b="$t2" -v n="$CONNS" 'BEGIN { printf "%.1f", n / (b - a) }')
  printf '%-6s download %8s MiB/s   upload %8s MiB/s   connections %8s /s\n' "$b" "${mbps[$b]}" "${ups[$b]}" "${cps[$b]}"
done
if [ -n "${mbps[pasta]:-}" ] && [ -n "${mbps[nstun]:-}" ]; then
  awk -v a="${mbps[nstun]}" -v b="${mbps[pasta]}" -v c="${cps[nstun]}" -v d="${cps[pasta]}" \
    -v e="${ups[nstun]}" -v f="${ups[pasta]}" \
    'BEGIN { printf "ratio nstun/pasta: download %.2fx, upload %.2fx, connections %.2fx\n", a / b, e / f, c / d }'
fi
