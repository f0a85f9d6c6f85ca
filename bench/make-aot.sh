#!/usr/bin/env bash
# Makes $BUILD_DIR/jnsjail.aot (default target/jnsjail.aot), the JDK 25 AOT cache (JEP 483/514)
# that ./nsjail passes as -XX:AOTCache when the file exists, by one training run of
#   -Mo --chroot / -q -- /bin/true
# with the launcher's JVM flags and the same absolute jar path (the cache records the class path;
# a different path or jar makes the JVM ignore the cache).
#
# JDK 25 refuses -XX:AOTCacheOutput and -XX:AOTCache together with any -Xshare:* option
# ("Option AOTCache cannot be used at the same time with -Xshare:on, -Xshare:auto, ..."), so the
# training, like ./nsjail when a cache exists, runs without -Xshare:*.
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

# The launcher's flags without -Xshare:*, which JDK 25 refuses next to -XX:AOTCacheOutput.
# shellcheck source=launcher-flags.sh
. "$here/launcher-flags.sh"
train=("${noshare[@]}")
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

# Are the app classes used from it, with the flags ./nsjail passes next to a cache?
if "$JAVA" "${train[@]}" -XX:AOTCache="$tmp" -Xlog:class+load -jar "$jar" "${args[@]}" 2>/dev/null \
    | grep -q 'org.jnsjail.cli.Main source: shared objects file'; then
  echo "check: app classes load from the cache"
else
  echo "make-aot.sh: the cache is not used; not installing it" >&2
  exit 1
fi
mv -f "$tmp" "$aot"
echo "wrote $aot ($(du -h "$aot" | cut -f1)); it is valid only for this jar and JDK: re-run after every build"
