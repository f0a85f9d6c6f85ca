#!/usr/bin/env bash
# Start-up benchmark: cold CLI start of jnsjail vs bwrap vs unshare, plus warm spawn through the API.
#
#   bench/startup.sh                      # uses target/ (what ./build makes)
#   BUILD_DIR=target-x BENCH_N=50 bench/startup.sh
#
# The jnsjail rows run java directly with the flags of the ./nsjail launcher (bench/launcher-flags.sh
# reads them, so they follow it) and the jar from $BUILD_DIR; the launcher's own cost (bash +
# bin/find-java.sh, which starts one extra JVM to read its version) is a separate row. Commands run
# round-robin (see bench/harness.py). Results go to stdout and bench/results/startup-<date>.txt.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
N="${BENCH_N:-30}"
BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in /*) bdir="$BUILD_DIR" ;; *) bdir="$root/$BUILD_DIR" ;; esac
jar="$bdir/jnsjail.jar"
aot="$bdir/jnsjail.aot"
[ -f "$jar" ] || { echo "startup.sh: $jar is missing; build first (./build, or mvn -DbuildDir=...)" >&2; exit 1; }

# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
PY="$(command -v python3 || true)"
[ -n "$PY" ] || PY=/usr/bin/python3
[ -x "$PY" ] || { echo "startup.sh: needs python3 (for bench/harness.py)" >&2; exit 1; }

mkdir -p "$here/results"
out="$here/results/startup-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---- the launcher's JVM flags ------------------------------------------------------------------
# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"

echo "== jnsjail start-up benchmark, $(date -Is)"
echo "host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "java: $JAVA ($("$JAVA" -version 2>&1 | sed -n 2p))"
echo "jar:  $jar  (commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); working tree may differ)"
echo "launcher flags: ${flags[*]}"
echo "runs: $N per command, round-robin, after 2 untimed warm-up runs each"

# ---- bwrap -------------------------------------------------------------------------------------
if ! command -v bwrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing bubblewrap..."
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 || true
  fi
fi
BWRAP="$(command -v bwrap || true)"
[ -n "$BWRAP" ] || echo "note: bwrap is missing and could not be installed (needs root + apt-get): skipping the bwrap row"
UNSHARE="$(command -v unshare || true)"

# ---- AOT cache ---------------------------------------------------------------------------------
aot_flags=()
aot_note="no AOT cache ($aot absent; bench/make-aot.sh makes one)"
if [ -f "$aot" ]; then
  # As ./nsjail runs with a cache: its flags without -Xshare:* (JDK 25 refuses both together).
  aot_flags=("${noshare[@]}" -XX:AOTCache="$aot")
  aot_note="AOT cache $aot"
  if "$JAVA" "${aot_flags[@]}" -Xlog:class+load -jar "$jar" -Mo --chroot / -q -- /bin/true 2>/dev/null \
      | grep -q 'org.jnsjail.cli.Main source: shared objects file'; then
    aot_note="$aot_note; used: yes (app classes come from the cache)"
  else
    aot_note="$aot_note; used: NO (stale or mismatched cache: rebuild with bench/make-aot.sh)"
  fi
fi
echo "$aot_note"

# ---- commands ----------------------------------------------------------------------------------
printf 'class E { public static void main(String[] a) {} }\n' >"$work/E.java"
"$JAVA_HOME/bin/javac" -d "$work" "$work/E.java"

cmds="$work/cmds.tsv"
add() { local name="$1"; shift; printf '%s\t%s\n' "$name" "$(printf '%q ' "$@")" >>"$cmds"; }
jargs=(-Mo --chroot / -q -- /bin/true)
add "jnsjail" "$JAVA" "${flags[@]}" -jar "$jar" "${jargs[@]}"
[ ${#aot_flags[@]} -gt 0 ] && add "jnsjail+AOT" "$JAVA" "${aot_flags[@]}" -jar "$jar" "${jargs[@]}"
[ -n "$BWRAP" ] && add "bwrap" "$BWRAP" --ro-bind / / --unshare-all /bin/true
[ -n "$UNSHARE" ] && add "unshare" "$UNSHARE" -Urpfnmiu /bin/true
add "bare-jvm" "$JAVA" "${flags[@]}" -cp "$work" E
add "launcher-find-java" /bin/bash -c '. "$1"' _ "$root/bin/find-java.sh"
if [ "$bdir" = "$root/target" ] && [ -x "$root/nsjail" ]; then add "./nsjail" "$root/nsjail" "${jargs[@]}"; fi

echo
echo "rows: jnsjail = java <launcher flags> -jar \$BUILD_DIR/jnsjail.jar ${jargs[*]}"
[ ${#aot_flags[@]} -gt 0 ] && echo "      jnsjail+AOT = the same with -XX:AOTCache"
echo "      bwrap = bwrap --ro-bind / / --unshare-all /bin/true;  unshare = unshare -Urpfnmiu /bin/true"
echo "      bare-jvm = java <launcher flags> with an empty main (the JVM's floor)"
echo "      launcher-find-java = bash sourcing bin/find-java.sh (what ./nsjail adds before exec'ing java)"
echo
timeout 170 "$PY" "$here/harness.py" -n "$N" --tsv "$work/res.tsv" "$cmds"

med() { awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$work/res.tsv"; }
ratio() { # label, numerator median, denominator median
  [ -n "$2" ] && [ -n "$3" ] && awk -v l="$1" -v a="$2" -v b="$3" 'BEGIN { printf "  %-28s %6.1fx  (%.1f / %.1f ms)\n", l, a / b, a, b }'
  return 0
}
echo
echo "ratios (medians):"
ratio "jnsjail / bwrap" "$(med jnsjail)" "$(med bwrap)"
ratio "jnsjail / unshare" "$(med jnsjail)" "$(med unshare)"
if [ ${#aot_flags[@]} -gt 0 ]; then
  ratio "jnsjail+AOT / bwrap" "$(med jnsjail+AOT)" "$(med bwrap)"
  ratio "jnsjail+AOT / unshare" "$(med jnsjail+AOT)" "$(med unshare)"
  awk -v a="$(med jnsjail)" -v b="$(med jnsjail+AOT)" 'BEGIN { printf "  AOT saving: %.1f ms median (%.0f%%)\n", a - b, 100 * (a - b) / a }'
fi

# ---- warm spawn through the API ----------------------------------------------------------------
echo
echo "== warm spawn through the API (bench/WarmSpawn.java)"
warm="$(timeout 120 "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar:$bdir/lib/*" "$here/WarmSpawn.java" 2>&1)" || true
echo "$warm" | grep -v '^WARM '
wmed="$(echo "$warm" | sed -n 's/^WARM .*median=\([0-9.]*\).*/\1/p')"
if [ -n "$wmed" ]; then
  ratio "warm API / bwrap" "$wmed" "$(med bwrap)"
  ratio "warm API / unshare" "$wmed" "$(med unshare)"
  ratio "cold jnsjail / warm API" "$(med jnsjail)" "$wmed"
else
  echo "  (WarmSpawn failed)"
fi
echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (after); results in $out"
