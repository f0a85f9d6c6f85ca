#!/usr/bin/env bash
# CPU per jail in RERUN mode: what a jail costs the whole machine and what it costs the supervisor
# process alone, for each tool named, in interleaved rounds (machine-load drift hits all alike).
#   bench/cpu-per-jail.sh [TOOL...]     # TOOL: a jnsjail checkout (its ./nsjail) or an nsjail binary
#   SECS=5 ROUNDS=3 bench/cpu-per-jail.sh . ../shared/tools/nsjail /path/to/other/checkout
# Each round runs `TOOL -Mr --chroot / -- /bin/true` for WARM seconds, then counts its "exited with"
# lines over SECS seconds against the machine's busy time (/proc/stat, all CPUs) and the supervisor's
# own utime+stime (/proc/PID/stat; the exec stub and the jails are other processes). Prints per round
# and tool: jails/s, machine CPU ms per jail, supervisor CPU ms per jail; then the medians.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
SECS="${SECS:-5}" ROUNDS="${ROUNDS:-3}" WARM="${WARM:-4}"
[ $# -gt 0 ] || set -- "$(dirname "$here")" "$(dirname "$here")/../shared/tools/nsjail"
hz="$(getconf CLK_TCK)"
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }  # user nice system irq softirq (not steal)
own() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
work="$(mktemp -d /tmp/cpujail.XXXXXX)"
pid=""
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cmd_of() { if [ -d "$1" ]; then echo "$1/nsjail"; else echo "$1"; fi; }
for t in "$@"; do [ -x "$(cmd_of "$t")" ] || { echo "cpu-per-jail.sh: $(cmd_of "$t") is not executable" >&2; exit 1; }; done
declare -A rates machine super
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "$@"; do
    log="$work/log"
    JNSJAIL_SERVER=off "$(cmd_of "$t")" -Mr --chroot / -- /bin/true >/dev/null 2>"$log" &
    pid=$!
    sleep "$WARM"
    n0="$(grep -c 'exited with' "$log" || true)"; b0="$(busy)"; s0="$(own "$pid")"; t0="$(date +%s.%N)"
    sleep "$SECS"
    n1="$(grep -c 'exited with' "$log" || true)"; b1="$(busy)"; s1="$(own "$pid")"; t1="$(date +%s.%N)"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    line="$(awk -v n="$((n1 - n0))" -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v w="$(echo "$t1 - $t0" | bc -l)" -v hz="$hz" \
      'BEGIN { if (n <= 0) { print "0 0 0"; exit } printf "%.0f %.3f %.3f\n", n / w, b * 1000 / hz / n, s * 1000 / hz / n }')"
    read -r rate mach sup <<<"$line"
    printf 'round %d  %-50s %6s jails/s  machine %s ms/jail  supervisor %s ms/jail\n' "$r" "$t" "$rate" "$mach" "$sup"
    rates[$t]+="$rate "; machine[$t]+="$mach "; super[$t]+="$sup "
    sleep 1
  done
done
med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "medians of $ROUNDS rounds of ${SECS} s:"
for t in "$@"; do
  printf '  %-50s %6s jails/s  machine %s ms/jail  supervisor %s ms/jail\n' "$t" \
    "$(med <<<"${rates[$t]}")" "$(med <<<"${machine[$t]}")" "$(med <<<"${super[$t]}")"
done
