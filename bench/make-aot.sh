#!/usr/bin/env bash
# Makes $BUILD_DIR/jnsjail.aot (default target/jnsjail.aot), the JDK 25 AOT cache (JEP 483/514)
# that ./nsjail passes as -XX:AOTCache when the file exists, by one training run of
#   -Mo --chroot / -q -- /bin/true
# with the launcher's JVM flags and the same absolute jar path (the cache records the class path;
# a different path or jar makes the JVM ignore the cache).
#
# JDK 25 refuses -XX:AOTCacheOutput and -XX:AOTCache together with any -Xshare:* option
# ("Option AOTCache cannot be used at the same time with -Xshare:on, -Xshare:auto, ..."), so the
# training drops -Xshare:*. If the launcher still passes -Xshare:auto, a cache in target/ would stop
# ./nsjail from starting at all; the script then refuses to install it there (AOT_FORCE=1 overrides).
#
#   bench/make-aot.sh                    # target/jnsjail.aot
#   BUILD_DIR=target-x bench/make-aot.sh
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
BUILD_DIR="${BUILD_DIR:-target}"
case "$BUILD_DIR" in /*) bdir="$BUILD_DIR" ;; *) bdir="$root/$BUILD_DIR" ;; esac
jar="$bdir/jnsjail.jar"
aot="$bdir/jnsjail.aot"
[ -f "$jar" ] || { echo "make-aot.sh: $jar is missing; build first" >&2; exit 1; }
# shellcheck source=../bin/find-java.sh
. "$root/bin/find-java.sh"

# The launcher's flags (as bench/startup.sh parses them), and the same without -Xshare:*.
flags=()
line="$(sed -n '/exec "\$JAVA"/,/-jar/p' "$root/nsjail" | tr '\\\n' '  ' | sed 's/.*exec "\$JAVA"//; s/-jar.*//')"
for w in $line; do
  case "$w" in '"${aot[@]}"') ;; *'$'* | *'"'* | *"'"*) flags=(); break ;; *) flags+=("$w") ;; esac
done
[ ${#flags[@]} -gt 0 ] || flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Xshare:auto --enable-native-access=ALL-UNNAMED)
train=()
for f in "${flags[@]}"; do case "$f" in -Xshare:*) ;; *) train+=("$f") ;; esac; done
args=(-Mo --chroot / -q -- /bin/true)

tmp="$bdir/jnsjail.aot.tmp.$$"
trap 'rm -f "$tmp" "$tmp.config"' EXIT
echo "training: $JAVA ${train[*]} -XX:AOTCacheOutput=$tmp -jar $jar ${args[*]}"
if ! "$JAVA" "${train[@]}" -XX:AOTCacheOutput="$tmp" -jar "$jar" "${args[@]}" >"$tmp.log" 2>&1; then
  grep -v '^\[W\]' "$tmp.log" >&2 || true
  rm -f "$tmp.log"
  echo "make-aot.sh: the training run failed" >&2
  exit 1
fi
rm -f "$tmp.log"
[ -s "$tmp" ] || { echo "make-aot.sh: no cache was written" >&2; exit 1; }

# Does the JVM take the cache with the launcher's exact flags, and are the app classes used from it?
# (HotSpot prints start-up errors on stdout; /bin/true prints nothing, the CLI only [W] lines.)
if err="$("$JAVA" "${flags[@]}" -XX:AOTCache="$tmp" -jar "$jar" "${args[@]}" 2>&1)"; then
  launcher_ok=1
else
  launcher_ok=0
  echo "WARNING: with the launcher's flags the JVM refuses the cache: $(echo "$err" | grep -v '^\[' | grep . | tail -1)"
  echo "         fix in ./nsjail: pass -Xshare:auto only when no AOT cache is used (AOTCache implies CDS)."
fi
if "$JAVA" "${train[@]}" -XX:AOTCache="$tmp" -Xlog:class+load -jar "$jar" "${args[@]}" 2>/dev/null \
    | grep -q 'org.jnsjail.cli.Main source: shared objects file'; then
  echo "check: app classes load from the cache (without -Xshare:*)"
else
  echo "make-aot.sh: the cache is not used even without -Xshare:*; not installing it" >&2
  exit 1
fi

if [ "$launcher_ok" = 0 ] && [ "$bdir" = "$root/target" ] && [ "${AOT_FORCE:-}" != 1 ]; then
  echo "make-aot.sh: NOT installing $aot: ./nsjail would fail to start with it (AOT_FORCE=1 to install anyway)" >&2
  exit 2
fi
mv -f "$tmp" "$aot"
echo "wrote $aot ($(du -h "$aot" | cut -f1)); it is valid only for this jar and JDK: re-run after every build"
