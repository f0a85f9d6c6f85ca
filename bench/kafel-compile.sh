#!/usr/bin/env bash
# Kafel compiler benchmark: program length per sample policy, warm compile time of the largest
# sample (median after warm-up), and compile time in a fresh JVM. Runs in well under a minute.
# Usage: bench/kafel-compile.sh [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KAFEL_BUILD_DIR:-$ROOT/target-kafel}"
JAVA_BIN="$("$ROOT/jnsjail-policy" --print-java)"
if [[ "${1:-}" != "--no-build" ]]; then
  (cd "$ROOT" && JAVA_HOME="$(dirname "$(dirname "$JAVA_BIN")")" mvn -q -B -DbuildDir="$(basename "$BUILD")" test-compile >/dev/null)
fi
CP="$BUILD/classes:$BUILD/test-classes"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
python3 - "$ROOT/src/test/resources/org/jnsjail/seccomp/cases/samples.jsonl" "$TMP" <<'PY'
import json, sys, os
seen = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    name = r["source"].split("/")[-1]
    if name not in seen:
        seen.add(name)
        open(os.path.join(sys.argv[2], name), "w").write(r["policy"])
PY
echo "== program length per sample (instructions) =="
"$JAVA_BIN" -cp "$CP" org.jnsjail.seccomp.bench.KafelCompileBench --warm "$TMP"/*.policy
LARGEST="$(ls "$TMP"/*.policy | while read -r f; do printf '%s %s\n' "$("$JAVA_BIN" -cp "$CP" org.jnsjail.seccomp.tool.PolicyTool dump -P "$f" 2>/dev/null | wc -l)" "$f"; done | sort -n | tail -1 | cut -d' ' -f2)"
echo "== fresh JVM, 5 runs, $(basename "$LARGEST") =="
for i in 1 2 3 4 5; do
  s=$(date +%s%N)
  "$JAVA_BIN" -Xshare:auto -cp "$CP" org.jnsjail.seccomp.bench.KafelCompileBench --once "$LARGEST"
  e=$(date +%s%N)
  echo "  whole JVM run: $(( (e - s) / 1000000 )) ms"
done
