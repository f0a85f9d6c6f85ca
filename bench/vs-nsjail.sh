#!/usr/bin/env bash
# jnsjail against upstream nsjail (and bwrap where a row makes sense for it), every figure of issues
# 15 and 16 in one run, interleaved so that machine-load drift hits all tools alike:
#   1. RERUN `-Mr --chroot / -- /bin/true`, jails/s (the supervisor's "exited with status" log lines
#      counted over SECS, start-up excluded; bwrap: a sequential loop of the same /bin/true), and the
#      kernel floor taking its turn in the same rounds: bench/kernel-floor.c, the same jail
#      (namespaces, mounts, lo up, exec) with no supervisor, in nproc+1 processes (all CPUs busy)
#   2. LISTEN `-Ml --port P --chroot / -- /bin/echo hi`, 1 client, connections/s
#   3. the same with 8 concurrent clients, connections/s, and the supervisor's peak VmRSS meanwhile
#   4. bulk bytes through a LISTEN jail running /bin/cat: BULK_MB each way at once, MiB/s
#   5. cold one-shot `./nsjail -Mo --chroot / -q -- /bin/true` (JNSJAIL_SERVER=off, nothing resident),
#      next to nsjail, bwrap, `unshare -Urpfnmiu /bin/true` (a cold process's floor), an empty-main JVM
#      with its own AOT cache (the JVM's floor) and a main that makes one FFM downcall of jnsjail's
#      shape, with its own AOT cache (bench/FfmFloor.java: the floor of a JVM that calls the kernel
#      through FFM at all); median ms
#   6. warm API spawn: Jail.start + waitFor of /bin/true with the CLI's spec (WarmSpawn.java, the
#      launcher's JVM flags), then the same from a JailPool (Jail.readyAhead(4)), next to the kernel floor's
#      sequential cost per jail (kernel-floor.c, 1 process, before and after them)
#   7. the resident server (./nsjail --server start) on a private server directory: one-shot latency
#      of /bin/true and of `sh -c 'echo hi'` with pipes, 8 concurrent clients' jails/s, and the
#      server's VmRSS after 100 and after RSS_REQUESTS requests
# then one table: row, jnsjail, nsjail, bwrap, ratio, the issue's target and whether it is met; the
# floor rows (kernel floor, FFM floor) give the measured limits next to the targets, as ratios of
# the same run. Without gcc there are no kernel-floor rows.
#
#   bench/vs-nsjail.sh                 # about 4-5 min on an idle 2-CPU machine
#   QUICK=1 bench/vs-nsjail.sh         # about 1 min: a smoke run, figures only indicative
#   SECS=5 ROUNDS=5 N=50 BULK_MB=256 RSS_REQUESTS=10000 bench/vs-nsjail.sh
#
# Knobs (env): SECS per throughput round and tool, ROUNDS throughput rounds (tools alternate within
# a round, the order reversed every other round; medians reported), N latency rounds (harness.py,
# round-robin), BULK_MB each way, RSS_REQUESTS, WARM_WARMUP/WARM_N (WarmSpawn), JOBS (jails per tool
# per 8-client server round), NSJAIL (upstream binary). Uses target/ (what ./build makes), the
# real ./nsjail launcher, and gcc for the kernel floor. Run as root. Everything it starts
# (supervisors, the server, clients) is stopped on every exit path. Results: stdout and
# bench/results/vs-nsjail-<date>.txt.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
if [ "${QUICK:-0}" = 1 ]; then
  d_secs=1 d_rounds=2 d_n=8 d_bulk=16 d_rss=300 d_ww=30 d_wn=60 d_jobs=60
else
  d_secs=3 d_rounds=3 d_n=30 d_bulk=256 d_rss=10000 d_ww=200 d_wn=500 d_jobs=300
fi
SECS="${SECS:-$d_secs}" ROUNDS="${ROUNDS:-$d_rounds}" N="${N:-$d_n}" BULK_MB="${BULK_MB:-$d_bulk}"
RSS_REQUESTS="${RSS_REQUESTS:-$d_rss}" WARM_WARMUP="${WARM_WARMUP:-$d_ww}" WARM_N="${WARM_N:-$d_wn}"
JOBS="${JOBS:-$d_jobs}"
for v in SECS ROUNDS N BULK_MB RSS_REQUESTS WARM_WARMUP WARM_N JOBS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "vs-nsjail.sh: $v must be a positive integer, not '${!v}'" >&2; exit 1; }
done
[ "$RSS_REQUESTS" -gt 100 ] || { echo "vs-nsjail.sh: RSS_REQUESTS must be above 100" >&2; exit 1; }

jar="$root/target/jnsjail.jar"
[ -f "$jar" ] && [ -x "$root/target/jnsjail-client" ] || { echo "vs-nsjail.sh: build first (./build)" >&2; exit 1; }
PY=/usr/bin/python3; [ -x "$PY" ] || PY="$(command -v python3 || true)"
[ -x "$PY" ] || { echo "vs-nsjail.sh: needs python3" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"

# ---- the other tools ---------------------------------------------------------------------------
NSJAIL="${NSJAIL:-/work/shared/tools/nsjail}"
[ -x "$NSJAIL" ] || NSJAIL="$root/../shared/tools/nsjail"
ns_note=""
if [ -x "$NSJAIL" ]; then
  if ! "$NSJAIL" -Mo --chroot / -q -- /bin/true >/dev/null 2>&1; then
    deps="$(dirname "$NSJAIL")/install-nsjail-deps.sh"
    [ "$(id -u)" = 0 ] && [ -x "$deps" ] && "$deps" >/dev/null 2>&1 || true
  fi
  if ! "$NSJAIL" -Mo --chroot / -q -- /bin/true >/dev/null 2>&1; then
    ns_note="upstream nsjail at $NSJAIL does not run here (its libraries: install-nsjail-deps.sh): no nsjail column"
    NSJAIL=""
  fi
else
  ns_note="no upstream nsjail (set NSJAIL=...): no nsjail column"
  NSJAIL=""
fi
if ! command -v bwrap >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 || true
fi
BWRAP="$(command -v bwrap || true)"
UNSHARE="$(command -v unshare || true)"

mkdir -p "$here/results"
out="$here/results/vs-nsjail-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1
work="$(mktemp -d /tmp/vsnsj.XXXXXX)"

# ---- clean-up: every process this script starts is in $procs, or is the server -----------------
procs=()
srvdir="$work/srv"
server_started=""
cleanup() {
  local p
  for p in "${procs[@]}"; do
    kill -CONT "$p" 2>/dev/null || true # a stopped supervisor only takes SIGTERM once it runs
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${procs[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if [ -n "$server_started" ]; then
    local spid
    spid="$(server_pid || true)"
    "$root/nsjail" --server stop --server_dir "$srvdir" >/dev/null 2>&1 || true
    if [ -n "$spid" ]; then
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$spid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$spid" 2>/dev/null || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "vs-nsjail.sh: stopped: line $LINENO failed (exit $?)" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM HUP

server_pid() {
  "$root/nsjail" --server status --server_dir "$srvdir" 2>/dev/null | sed -n 's/.*running, pid \([0-9]*\),.*/\1/p'
}

# ---- small helpers -----------------------------------------------------------------------------
notes=()
note() { notes+=("$*"); echo "  ! $*"; }
median() { printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "-"; else printf "%.2f\n", a / b }'; }
fmt() { awk -v a="${1:-}" 'BEGIN { if (a == "") print "-"; else printf "%.1f\n", a }'; }
exited() { grep -c 'exited with status' "$1" || true; }
wait_for() { # file, pattern, what: waits up to 90 s for the pattern
  for _ in $(seq 900); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  note "$3: no '$2' within 90 s"; sed 's/^/    /' "$1" | tail -5; return 1
}
free_ports() { # N ports free on [::] (dual-stack) right now
  "$PY" -c '
import socket, sys
ss = [socket.socket(socket.AF_INET6) for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("::", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
running_as() { # pid, program: pid, or its first descendant that runs program (the process to sample)
  local p="$1" want c
  want="$(readlink -f "$2")"
  for _ in 1 2 3 4 5 6; do
    [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$want" ] && { echo "$p"; return 0; }
    c="$(cat /proc/"$p"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 . || true)"
    [ -n "$c" ] || break
    p="$c"
  done
  echo "$1"; return 1
}
rss_mib() { awk '{ printf "%.1f\n", $1 / 1024 }' <<<"$1"; }
order() { # the tools of round $1: alternate the order every other round
  local i t=("$@"); t=("${t[@]:1}")
  if (( $1 % 2 )); then local r=(); for ((i = ${#t[@]} - 1; i >= 0; i--)); do r+=("${t[i]}"); done; echo "${r[@]}"; else echo "${t[@]}"; fi
}
tools=(jnsjail)
[ -n "$NSJAIL" ] && tools+=(nsjail)
declare -A cmdof=([jnsjail]="$root/nsjail" [nsjail]="$NSJAIL")

echo "== jnsjail vs nsjail vs bwrap, $(date -Is)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), load average $load_before (before)"
echo "jnsjail: $root/nsjail (commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')), AOT cache: $([ -f "$root/target/jnsjail.aot" ] && echo yes || echo 'no (the launcher runs with -Xshare:auto)')"
echo "nsjail:  ${NSJAIL:-none}${ns_note:+ ($ns_note)}"
echo "bwrap:   ${BWRAP:-none (could not be installed)}"
echo "knobs:   SECS=$SECS ROUNDS=$ROUNDS N=$N BULK_MB=$BULK_MB RSS_REQUESTS=$RSS_REQUESTS WARM_WARMUP=$WARM_WARMUP WARM_N=$WARM_N JOBS=$JOBS${QUICK:+ QUICK=$QUICK}"
# The kernel's floor (rows 1 and 6): the same jail with no supervisor. Its mount point goes under
# $work (TMPDIR), so even a killed run leaves nothing behind once cleanup() removes $work.
floor="" floor_workers=$(( $(nproc) + 1 ))
if ! command -v gcc >/dev/null; then
  note "no gcc: no kernel-floor rows"
elif ! gcc -std=c11 -O2 -o "$work/kernel-floor" "$here/kernel-floor.c" 2>"$work/gcc.err"; then
  note "kernel-floor.c does not compile: no kernel-floor rows"; sed 's/^/    /' "$work/gcc.err" | head -5
elif ! TMPDIR="$work" "$work/kernel-floor" 1 0.05 >/dev/null; then
  note "kernel-floor does not run here (its error is above): no kernel-floor rows"
else
  floor="$work/kernel-floor"
fi
run_floor() { # workers, seconds: prints jails/s; fails (its error on stderr) if the floor did
  TMPDIR="$work" timeout $(( $2 + 60 )) "$floor" "$1" "$2"
}

# ================================================================================================
# 5. cold one-shot: nothing resident yet (this runs first); harness.py, round-robin
# ================================================================================================
echo
echo "== 5. cold one-shot, $N rounds round-robin (ms)"
printf 'class E { public static void main(String[] a) {} }\n' >"$work/E.java"
"$JAVA_HOME/bin/javac" -d "$work" "$work/E.java" "$here/FfmFloor.java"
# The JVM's floors: the launcher's flags as they are next to a cache (without -Xshare:*, which JDK 25
# refuses with -XX:AOTCache), and a cache trained on the very class (see make-aot.sh). In a jar:
# the AOT cache refuses a non-empty directory on the class path.
aot_main() { # class, what: $work/class.jar and its AOT cache; the flags to run it with in jfl
  local c="$1"
  "$JAVA_HOME/bin/jar" cf "$work/$c.jar" -C "$work" "$c.class"
  "$JAVA" "${noshare[@]}" -XX:AOTCacheOutput="$work/$c.aot" -Xlog:aot=off -Xlog:cds=off -cp "$work/$c.jar" "$c" >/dev/null 2>&1 || true
  jfl=("${noshare[@]}" -Xlog:aot=off -Xlog:cds=off)
  if [ -s "$work/$c.aot" ]; then
    jfl+=(-XX:AOTCache="$work/$c.aot")
    "$JAVA" "${jfl[@]}" -Xlog:class+load -cp "$work/$c.jar" "$c" 2>/dev/null | grep -q "^\[.*\] $c source: shared objects file" \
      || note "the $2's AOT cache is not used (class $c does not load from it)"
  else
    note "no AOT cache could be made for the $2: that row runs without one"
    jfl=("${flags[@]}")
  fi
}
aot_main E "empty main"; efl=("${jfl[@]}")
aot_main FfmFloor "FFM-downcall main"; ffl=("${jfl[@]}")
cmds="$work/cold.tsv"
add() { local name="$1"; shift; printf '%s\t%s\n' "$name" "$(printf '%q ' "$@")" >>"$cmds"; }
add jnsjail "$root/nsjail" -Mo --chroot / -q -- /bin/true
[ -n "$NSJAIL" ] && add nsjail "$NSJAIL" -Mo --chroot / -q -- /bin/true
[ -n "$BWRAP" ] && add bwrap "$BWRAP" --ro-bind / / --unshare-all /bin/true
[ -n "$UNSHARE" ] && add unshare "$UNSHARE" -Urpfnmiu /bin/true
add empty-jvm "$JAVA" "${efl[@]}" -cp "$work/E.jar" E
add ffm-jvm "$JAVA" "${ffl[@]}" -cp "$work/FfmFloor.jar" FfmFloor
# JNSJAIL_SERVER=off: ./nsjail runs cold even if some server of this uid is up (the others ignore it).
JNSJAIL_SERVER=off timeout 600 "$PY" "$here/harness.py" -n "$N" --tsv "$work/cold.res" "$cmds" | sed 's/^/  /' \
  || note "cold one-shot: the harness failed"
cold() { awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$work/cold.res" 2>/dev/null; }
coldfail() { awk -F'\t' -v n="$1" '$1 == n && $5 > 0 { print n " failed " $5 " times" }' "$work/cold.res" 2>/dev/null; }
for t in jnsjail nsjail bwrap unshare empty-jvm ffm-jvm; do f="$(coldfail "$t")"; [ -z "$f" ] || note "cold one-shot: $f"; done

# ================================================================================================
# 6. warm API spawn
# ================================================================================================
echo
echo "== 6. warm API spawn (bench/WarmSpawn.java, $WARM_WARMUP warm-up + $WARM_N jails)"
# The kernel floor in one process, i.e. one jail after the other as here: SECS before and after.
f_seq=""
if [ -n "$floor" ]; then v="$(run_floor 1 "$SECS")" || { note "kernel floor, 1 process, before WarmSpawn: failed"; v=""; }; f_seq="$v"; fi
# WarmSpawn with WARM_AHEAD=$1 (0: Jail.start), its lines shown; sets warm_median (ms). With the
# launcher's JVM flags (C1, serial GC), as a supervisor runs: with the JVM's defaults (C2, G1) a
# pool's median was about 1.3x slower in a trial here, their threads taking CPU from the jails on 2 CPUs.
warm_spawn() {
  local out
  out="$(WARM_AHEAD="$1" WARM_WARMUP="$WARM_WARMUP" WARM_N="$WARM_N" timeout 300 "$JAVA" "${noshare[@]}" \
    -cp "$jar:$root/target/lib/*" "$here/WarmSpawn.java" 2>&1)" || note "WarmSpawn with WARM_AHEAD=$1 failed"
  echo "$out" | grep -v '^WARM ' | sed 's/^/  /'
  warm_median="$(echo "$out" | sed -n 's/^WARM .*median=\([0-9.]*\).*/\1/p')"
}
warm_spawn 0
warm_med="$warm_median"
# The same jails from a JailPool (Jail.readyAhead(4), RERUN's depth): each readied while the previous ones run.
warm_spawn 4
warm_pool="$warm_median"
if [ -n "$floor" ]; then
  v="$(run_floor 1 "$SECS")" || { note "kernel floor, 1 process, after WarmSpawn: failed"; v=""; }
  echo "  kernel floor, 1 process (jails/s): before ${f_seq:-failed}, after ${v:-failed}"
  f_seq+=" $v"
fi

# ================================================================================================
# 1. RERUN: both supervisors start (start-up excluded), then take turns, the other one stopped
# ================================================================================================
echo
echo "== 1. RERUN -Mr --chroot / -- /bin/true, $ROUNDS rounds of $SECS s per tool (jails/s)${floor:+; floor: kernel-floor.c, $floor_workers processes}"
declare -A rpid
for t in "${tools[@]}"; do
  JNSJAIL_SERVER=off "${cmdof[$t]}" -Mr --chroot / -- /bin/true >/dev/null 2>"$work/rerun.$t" &
  rpid[$t]=$!; procs+=("$!")
done
for t in "${tools[@]}"; do
  if wait_for "$work/rerun.$t" 'exited with status' "RERUN $t"; then kill -STOP "${rpid[$t]}"; else unset "rpid[$t]"; fi
done
declare -A r_rerun
rr_tools=("${tools[@]}"); [ -n "$BWRAP" ] && rr_tools+=(bwrap); [ -n "$floor" ] && rr_tools+=(floor)
for ((r = 0; r < ROUNDS; r++)); do
  line="  round $((r + 1)):"
  for t in $(order "$r" "${rr_tools[@]}"); do
    if [ "$t" = bwrap ]; then
      v="$(timeout $((SECS + 60)) "$PY" "$here/listen_client.py" cmd "$SECS" 1 -- "$BWRAP" --ro-bind / / --unshare-all /bin/true)" \
        || { note "RERUN bwrap round $((r + 1)): failures"; v=""; }
    elif [ "$t" = floor ]; then
      v="$(run_floor "$floor_workers" "$SECS")" || { note "kernel floor round $((r + 1)): failed"; v=""; }
    else
      [ -n "${rpid[$t]:-}" ] || continue
      kill -CONT "${rpid[$t]}"
      sleep 0.2 # out of the stop: a jail that ended meanwhile is logged now, not counted
      n0="$(exited "$work/rerun.$t")"; t0="$EPOCHREALTIME"
      sleep "$SECS"
      n1="$(exited "$work/rerun.$t")"; t1="$EPOCHREALTIME"
      kill -STOP "${rpid[$t]}"
      v="$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f\n", (b - a) / (e - s) }')"
    fi
    r_rerun[$t]+=" $v"; line+="  $t $v"
  done
  echo "$line"
done
for t in "${tools[@]}"; do
  [ -n "${rpid[$t]:-}" ] || continue
  grep -q 'exited with status: [1-9]' "$work/rerun.$t" && note "RERUN $t: some /bin/true exited non-zero"
  kill -CONT "${rpid[$t]}"; kill -TERM "${rpid[$t]}"; wait "${rpid[$t]}" 2>/dev/null || true
done

# ================================================================================================
# 2./3. LISTEN /bin/echo hi: both supervisors up; the clients alternate between them
# ================================================================================================
echo
echo "== 2./3. LISTEN -Ml --chroot / -- /bin/echo hi, $ROUNDS rounds of $SECS s per tool (connections/s)"
read -r -a ports <<<"$(free_ports 4)"
declare -A lpid lport bpid bport
i=0
for t in "${tools[@]}"; do
  lport[$t]="${ports[i]}"; bport[$t]="${ports[i + 1]}"; i=$((i + 2))
  JNSJAIL_SERVER=off "${cmdof[$t]}" -Ml --port "${lport[$t]}" --chroot / -- /bin/echo hi >/dev/null 2>"$work/listen.$t" &
  lpid[$t]=$!; procs+=("$!")
done
l_tools=()
for t in "${tools[@]}"; do
  if wait_for "$work/listen.$t" 'Listening on' "LISTEN $t"; then
    timeout 60 "$PY" "$here/listen_client.py" tcp "${lport[$t]}" 1 1 >/dev/null || true # warm-up
    l_tools+=("$t")
  fi
done
# The processes whose VmRSS is the supervisor's: $! normally is (the launcher execs java), unless a
# wrapper shell stands between.
declare -A progof=([jnsjail]="$JAVA" [nsjail]="$NSJAIL") spid_of
for t in "${l_tools[@]}"; do
  spid_of[$t]="$(running_as "${lpid[$t]}" "${progof[$t]}")" || note "no ${progof[$t]} process under pid ${lpid[$t]}: the $t RSS is that pid's"
  [ "${spid_of[$t]}" = "${lpid[$t]}" ] || procs+=("${spid_of[$t]}")
done
declare -A r_l1 r_l8 r_rss
for ((r = 0; r < ROUNDS; r++)); do
  line="  round $((r + 1)), 1 client: "
  for t in $(order "$r" "${l_tools[@]}"); do
    v="$(timeout $((SECS + 60)) "$PY" "$here/listen_client.py" tcp "${lport[$t]}" "$SECS" 1)" || { note "LISTEN 1 client $t: failures"; }
    r_l1[$t]+=" $v"; line+="  $t $v"
  done
  echo "$line"
  line="  round $((r + 1)), 8 clients:"
  for t in $(order "$r" "${l_tools[@]}"); do
    v="$(timeout $((SECS + 60)) "$PY" "$here/listen_client.py" --rss-pid "${spid_of[$t]}" tcp "${lport[$t]}" "$SECS" 8 2>"$work/l8.err")" \
      || { note "LISTEN 8 clients $t: failures"; }
    k="$(sed -n 's/^rss_max_kib=//p' "$work/l8.err")"
    r_l8[$t]+=" $v"; r_rss[$t]+=" $k"; line+="  $t $v (RSS $(rss_mib "${k:-0}") MiB)"
  done
  echo "$line"
done
for t in "${l_tools[@]}"; do kill -TERM "${lpid[$t]}"; wait "${lpid[$t]}" 2>/dev/null || true; done

# ================================================================================================
# 4. bulk through a LISTEN jail running /bin/cat
# ================================================================================================
echo
echo "== 4. bulk: $BULK_MB MiB each way through -Ml --chroot / -- /bin/cat, $ROUNDS rounds (MiB/s)"
for t in "${tools[@]}"; do
  JNSJAIL_SERVER=off "${cmdof[$t]}" -Ml --port "${bport[$t]}" --chroot / -- /bin/cat >/dev/null 2>"$work/bulk.$t" &
  bpid[$t]=$!; procs+=("$!")
done
b_tools=()
for t in "${tools[@]}"; do wait_for "$work/bulk.$t" 'Listening on' "bulk $t" && b_tools+=("$t"); done
declare -A r_bulk
for ((r = 0; r < ROUNDS; r++)); do
  line="  round $((r + 1)):"
  for t in $(order "$r" "${b_tools[@]}"); do
    v="$(timeout $((BULK_MB + 120)) "$PY" "$here/listen_client.py" bulk "${bport[$t]}" "$BULK_MB")" || { note "bulk $t: failed"; v=""; }
    r_bulk[$t]+=" $v"; line+="  $t ${v:-failed}"
  done
  echo "$line"
done
for t in "${b_tools[@]}"; do kill -TERM "${bpid[$t]}"; wait "${bpid[$t]}" 2>/dev/null || true; done

# ================================================================================================
# 7. the resident server, on a private directory
# ================================================================================================
echo
echo "== 7. the resident server (private directory $srvdir)"
# ./nsjail finds the server at a fixed place (/run/jnsjail as root): a copy of the launcher that
# differs only in the socket its client asks for (and in knowing the checkout it belongs to) keeps
# the real dispatch and client, and leaves any server of this uid (another checkout's, say) alone.
# Its cold fallback is the real ./nsjail.
sed -e "s|^case \"\$here\" in /\*) ;; \*) here=\"\$PWD/\$here\" ;; esac\$|here=$root|" \
  -e "s|target/jnsjail-client\" \"\" |target/jnsjail-client\" \"$srvdir/server.sock\" |" "$root/nsjail" >"$work/nsjail"
chmod +x "$work/nsjail"
s_ok=""
if ! grep -q "^here=$root\$" "$work/nsjail" || ! grep -q "jnsjail-client\" \"$srvdir/server.sock\"" "$work/nsjail"; then
  note "cannot point a copy of ./nsjail at a private server (its dispatch changed?): no server rows"
elif ! (unset JNSJAIL_SERVER; "$root/nsjail" --server start --server_dir "$srvdir") | sed 's/^/  /'; then
  note "the server did not start"
else
  server_started=1
  spid="$(server_pid)"
  echo "  server pid $spid; RSS phase first (a fresh server), then latency and throughput"
  # one request first: the server works (its stderr holds the jail's root-mapping warnings, as nsjail's does)
  (unset JNSJAIL_SERVER; "$work/nsjail" -Mo --chroot / -q -- /bin/true 2>/dev/null) || note "a server request failed"
  sargs=(--jnsjail "$work/nsjail" --server-pid "$spid" --tsv "$work/server.tsv")
  [ -n "$NSJAIL" ] && sargs+=(--nsjail "$NSJAIL")
  (unset JNSJAIL_SERVER; timeout 1200 "$PY" "$here/server_bench.py" "${sargs[@]}" --rss-only --rss-requests "$RSS_REQUESTS") \
    | sed 's/^/  /' || note "the server's RSS phase failed"
  [ -n "$BWRAP" ] && sargs+=(--bwrap "$BWRAP")
  (unset JNSJAIL_SERVER; timeout 1200 "$PY" "$here/server_bench.py" "${sargs[@]}" -n "$N" --jobs "$JOBS" \
    --rounds "$ROUNDS" --warmup "$(( N < 20 ? N : 20 ))") | sed 's/^/  /' || note "the server's latency/throughput phase failed"
  st="$("$root/nsjail" --server status --server_dir "$srvdir" || true)"
  echo "  ${st#jnsjail server: }" | sed 's/; requests:/\n  requests:/'
  c="$(sed -n 's/.* \([0-9]*\) run cold.*/\1/p' <<<"$st")"
  [ "${c:-0}" = 0 ] || note "the server ran $c requests cold: those server rows include cold starts"
  s_ok=1
fi
sv() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$work/server.tsv" 2>/dev/null | tail -1; }
for k in $(awk -F'\t' '$1 ~ /^fail\./ && $2 > 0 { print $1 "=" $2 }' "$work/server.tsv" 2>/dev/null); do
  note "server phase: ${k#fail.} failed runs"
done

# ================================================================================================
# the table
# ================================================================================================
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
addrow() { # label, jnsjail, nsjail, bwrap, ratio, target text, checked value, op, limit
  local met="-"
  if [ -n "${6:-}" ]; then
    met="$(awk -v v="${7:-}" -v op="$8" -v l="$9" 'BEGIN { if (v == "" || v == "-") { print "n/a"; exit }
      ok = (op == ">=") ? v + 0 >= l + 0 : v + 0 <= l + 0; print (ok ? "met" : "NOT met") }')"
  fi
  rows+=("$1|${2:--}|${3:--}|${4:--}|${5:--}|${6:--}|$met")
}
m() { median ${1:-}; } # median of a space-separated list

j="$(m "${r_rerun[jnsjail]:-}")"; n="$(m "${r_rerun[nsjail]:-}")"; b="$(m "${r_rerun[bwrap]:-}")"; q="$(ratio "$j" "$n")"
addrow "1 RERUN /bin/true, jails/s (bwrap: loop)" "$(fmt "$j")" "$(fmt "$n")" "$(fmt "$b")" "$q" ">= 2.0x" "$q" ">=" 2.0
if [ -n "$floor" ]; then
  f="$(m "${r_rerun[floor]:-}")"
  addrow "1 kernel floor, $floor_workers procs, jails/s (it/nsjail)" "$(fmt "$f")" "$(fmt "$n")" "" "$(ratio "$f" "$n")"
  addrow "1 RERUN jnsjail, jails/s (it/kernel floor)" "$(fmt "$j")" "" "" "$(ratio "$j" "$f")"
fi
j="$(m "${r_l1[jnsjail]:-}")"; n="$(m "${r_l1[nsjail]:-}")"; q="$(ratio "$j" "$n")"
addrow "2 LISTEN echo hi, 1 client, conn/s" "$(fmt "$j")" "$(fmt "$n")" "" "$q" ">= 2.0x" "$q" ">=" 2.0
j="$(m "${r_l8[jnsjail]:-}")"; n="$(m "${r_l8[nsjail]:-}")"; q="$(ratio "$j" "$n")"
addrow "3 LISTEN echo hi, 8 clients, conn/s" "$(fmt "$j")" "$(fmt "$n")" "" "$q" ">= 2.0x" "$q" ">=" 2.0
j="$(printf '%s\n' ${r_rss[jnsjail]:-} | sort -g | tail -1)"; n="$(printf '%s\n' ${r_rss[nsjail]:-} | sort -g | tail -1)"
[ -n "$j" ] && j="$(rss_mib "$j")"; [ -n "$n" ] && n="$(rss_mib "$n")"
addrow "3 supervisor peak RSS, 8 clients, MiB" "$j" "$n" "" "$(ratio "$j" "$n")" "<= 48 MiB" "$j" "<=" 48
j="$(m "${r_bulk[jnsjail]:-}")"; n="$(m "${r_bulk[nsjail]:-}")"; q="$(ratio "$j" "$n")"
addrow "4 bulk /bin/cat ${BULK_MB} MiB each way, MiB/s" "$(fmt "$j")" "$(fmt "$n")" "" "$q" ">= 1.0x" "$q" ">=" 1.0
j="$(cold jnsjail)"; n="$(cold nsjail)"; b="$(cold bwrap)"
addrow "5 cold one-shot -Mo /bin/true, median ms" "$(fmt "$j")" "$(fmt "$n")" "$(fmt "$b")" "$(ratio "$j" "$n")" "<= 120 ms" "$j" "<=" 120
e="$(cold empty-jvm)"; q="$(ratio "$j" "$e")"
addrow "5 empty-main JVM+AOT, ms (ratio: cold/it)" "$(fmt "$e")" "" "" "$q" "<= 2.2x" "$q" "<=" 2.2
f="$(cold ffm-jvm)"
addrow "5 JVM + one FFM downcall (AOT), ms (it/empty)" "$(fmt "$f")" "" "" "$(ratio "$f" "$e")"
u="$(cold unshare)"
addrow "5 unshare -Urpfnmiu /bin/true, ms (cold/it)" "$(fmt "$u")" "" "" "$(ratio "$j" "$u")"
q="$(ratio "$warm_med" "$n")"
addrow "6 warm API spawn, median ms (nsjail: one-shot)" "$(fmt "$warm_med")" "$(fmt "$n")" "" "$q" "<= 0.25x" "$q" "<=" 0.25
q="$(ratio "$warm_pool" "$n")"
addrow "6 the same from jail.readyAhead(4), median ms" "$(fmt "$warm_pool")" "$(fmt "$n")" "" "$q" "<= 0.25x" "$q" "<=" 0.25
if [ -n "$floor" ]; then
  f="$(m "$f_seq")"; [ -n "$f" ] && f="$(awk -v r="$f" 'BEGIN { if (r > 0) printf "%.2f\n", 1000 / r }')"
  addrow "6 kernel floor, 1 proc, ms/jail (nsjail: one-shot)" "${f:--}" "$(fmt "$n")" "" "$(ratio "$f" "$n")"
fi
if [ -n "$s_ok" ]; then
  j="$(sv lat.true.jnsjail)"; n="$(sv lat.true.nsjail)"; b="$(sv lat.true.bwrap)"; q="$(ratio "$j" "$n")"
  addrow "7 server: -Mo /bin/true, median ms" "$(fmt "$j")" "$(fmt "$n")" "$(fmt "$b")" "$q" "<= 1.0x" "$q" "<=" 1.0
  j="$(sv 'lat.echo|pipes.jnsjail')"; n="$(sv 'lat.echo|pipes.nsjail')"; b="$(sv 'lat.echo|pipes.bwrap')"; q="$(ratio "$j" "$n")"
  addrow "7 server: sh -c 'echo hi', pipes, median ms" "$(fmt "$j")" "$(fmt "$n")" "$(fmt "$b")" "$q" "<= 1.0x" "$q" "<=" 1.0
  j="$(sv tput.jnsjail)"; n="$(sv tput.nsjail)"; b="$(sv tput.bwrap)"; q="$(ratio "$j" "$n")"
  addrow "7 server: 8 concurrent clients, jails/s" "$(fmt "$j")" "$(fmt "$n")" "$(fmt "$b")" "$q" ">= 2.0x" "$q" ">=" 2.0
  a="$(sv rss100)"; z="$(sv rssN)"; q="$(ratio "$z" "$a")"
  addrow "7 server RSS after 100 / $RSS_REQUESTS req., MiB" "$([ -n "$a" ] && [ -n "$z" ] && echo "$(rss_mib "$a") / $(rss_mib "$z")")" "" "" "$q" "<= 1.10x" "$q" "<=" 1.10
fi

echo
echo "== summary ($(nproc) CPUs, kernel $(uname -r); load average $load_before before, $load_after after)"
{
  echo "row|jnsjail|nsjail|bwrap|ratio|target|met?"
  printf '%s\n' "${rows[@]}"
} | awk -F'|' '
  { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
  END { for (r = 1; r <= n; r++) {
          printf "%-*s  %*s  %*s  %*s  %*s  %-*s  %s\n", w[1], c[r, 1], w[2], c[r, 2], w[3], c[r, 3], w[4], c[r, 4], w[5], c[r, 5], w[6], c[r, 6], c[r, 7]
          if (r == 1) { s = ""; for (k = 0; k < w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + 20; k++) s = s "-"; print s } } }'
echo "ratio: jnsjail/nsjail unless the row says otherwise; throughput rows are medians of $ROUNDS rounds, latency rows medians of $N."
echo "RSS: VmRSS of the supervisor process (for jnsjail the JVM; its exec stub and the jails are not counted)."
[ -z "$floor" ] || echo "kernel floor: bench/kernel-floor.c, the same jail (namespaces, mounts, lo, exec /bin/true) with no supervisor; row 1: $floor_workers processes in the RERUN rounds, row 6: one, before and after WarmSpawn."
if [ ${#notes[@]} -gt 0 ]; then
  echo "notes:"
  printf '  - %s\n' "${notes[@]}"
fi
echo "results: $out"
