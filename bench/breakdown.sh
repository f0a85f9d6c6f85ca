#!/usr/bin/env bash
# Where the CLI's start-up time goes, without touching the code:
#  1. wall-clock (harness, round-robin): empty-main JVM, `java -version`, `Main --help` (parse only),
#     the full `-Mo --chroot / -q -- /bin/true`, and both with the AOT cache if $BUILD_DIR/jnsjail.aot exists;
#  2. -Xlog:startuptime (VM creation);
#  3. -Xlog:class+load of the full run and of --help: counts by source and kind, top packages,
#     checks that protobuf/gson stay unloaded on the plain CLI path;
#  4. phase medians from the class-load timestamps of 5 full runs (first load of a marker class ends a phase);
#  5. exceptions thrown on the happy path (-Xlog:exceptions).
# All JVM runs use the ./nsjail launcher's flags (bench/launcher-flags.sh), the jar from $BUILD_DIR.
#   BUILD_DIR=target-x BENCH_N=15 bench/breakdown.sh
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
N="${BENCH_N:-15}"
BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in /*) bdir="$BUILD_DIR" ;; *) bdir="$root/$BUILD_DIR" ;; esac
jar="$bdir/jnsjail.jar"
aot="$bdir/jnsjail.aot"
[ -f "$jar" ] || { echo "breakdown.sh: $jar is missing; build first" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"
PY="$(command -v python3 || echo /usr/bin/python3)"

# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"
args=(-Mo --chroot / -q -- /bin/true)

mkdir -p "$here/results"
out="$here/results/breakdown-$(date +%Y%m%d-%H%M%S).txt"
exec > >(tee "$out") 2>&1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'class E { public static void main(String[] a) {} }\n' >"$work/E.java"
"$JAVA_HOME/bin/javac" -d "$work" "$work/E.java"

echo "== jnsjail start-up breakdown, $(date -Is); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "flags: ${flags[*]}; jar: $jar"

echo
echo "-- 1. wall clock ($N runs each, round-robin; ms)"
cmds="$work/cmds.tsv"
add() { local name="$1"; shift; printf '%s\t%s\n' "$name" "$(printf '%q ' "$@")" >>"$cmds"; }
add "java -version" "$JAVA" "${flags[@]}" -version
add "empty main" "$JAVA" "${flags[@]}" -cp "$work" E
add "Main --help (parse only)" "$JAVA" "${flags[@]}" -cp "$jar" org.jnsjail.cli.Main --help
add "full run" "$JAVA" "${flags[@]}" -jar "$jar" "${args[@]}"
if [ -f "$aot" ]; then
  # AOTCache cannot be combined with -Xshare:*; the cache records -jar's class path, so --help uses -jar too.
  add "Main --help + AOT" "$JAVA" "${noshare[@]}" -XX:AOTCache="$aot" -jar "$jar" --help
  add "full run + AOT" "$JAVA" "${noshare[@]}" -XX:AOTCache="$aot" -jar "$jar" "${args[@]}"
fi
timeout 150 "$PY" "$here/harness.py" -n "$N" "$cmds"

echo
echo "-- 2. VM creation (-Xlog:startuptime, full run)"
"$JAVA" "${flags[@]}" -Xlog:startuptime -jar "$jar" "${args[@]}" 2>/dev/null | grep -E 'Create VM|Initialize module system' || true

echo
echo "-- 3. class loading (-Xlog:class+load)"
"$JAVA" "${flags[@]}" -Xlog:class+load:file="$work/full.txt" -jar "$jar" "${args[@]}" >/dev/null 2>&1 || true
"$JAVA" "${flags[@]}" -Xlog:class+load:file="$work/help.txt" -cp "$jar" org.jnsjail.cli.Main --help >/dev/null 2>&1 || true
"$JAVA" "${flags[@]}" -Xlog:class+load:file="$work/empty.txt" -cp "$work" E >/dev/null 2>&1 || true
[ -f "$aot" ] && { "$JAVA" "${noshare[@]}" -XX:AOTCache="$aot" -Xlog:class+load:file="$work/full-aot.txt" -jar "$jar" "${args[@]}" >/dev/null 2>&1 || true; }
(cd "$work" && "$PY" "$here/breakdown.py" classes empty.txt help.txt full.txt $([ -f full-aot.txt ] && echo full-aot.txt))
cp "$work/full.txt" "$here/results/classload-full.txt"

echo "-- 4. phases of the full run (no AOT: with it, classes are preloaded and the marks mean nothing)"
logs=()
for i in 1 2 3 4 5; do
  "$JAVA" "${flags[@]}" -Xlog:class+load:file="$work/p$i.txt" -jar "$jar" "${args[@]}" >/dev/null 2>&1 || true
  logs+=("$work/p$i.txt")
done
"$PY" "$here/breakdown.py" phases "${logs[@]}"

echo
echo "-- 5. exceptions thrown on the happy path (-Xlog:exceptions; JDK-internal NoSuchMethodError probes omitted)"
"$JAVA" "${flags[@]}" -Xlog:exceptions=info -jar "$jar" "${args[@]}" 2>/dev/null \
  | grep -E "^\[.*\]\[exceptions\] Exception <a '" | grep -v "NoSuchMethodError\|IncompatibleClassChangeError" \
  | sed -E "s/.*Exception <a '([^']*)'[^:]*: ([^>]*)>.*/  \1: \2/" | sort -u || true
echo "  (each is logged once per frame it propagates through; listed once here)"
echo
echo "full class-load log kept in bench/results/classload-full.txt; this report in $out"
