#!/usr/bin/env bash
# Installs a built jnsjail, or removes exactly what an install put there. Run by ./build:
#   ./build install [PREFIX] [--as-nsjail]     (PREFIX defaults to /usr/local)
#   ./build uninstall [PREFIX]
# Under PREFIX:
#   bin/jnsjail, bin/jnsjail-policy           small sh wrappers (bin/nsjail too, only with --as-nsjail)
#   lib/jnsjail/                              the launcher, bin/find-java.sh, jnsjail-policy, and
#                                             target/{jnsjail.jar, lib/, jnsjail-client, jnsjail-stub, jnsjail.aot,
#                                             java (a link to the JDK the install found)}
#   share/man/man1/jnsjail.1                  (nsjail.1 with --as-nsjail)
#   share/bash-completion/completions/jnsjail (nsjail with --as-nsjail)
#   lib/jnsjail/install-manifest              every file and directory the install created
# The wrappers exec the launcher by its absolute path, so it finds its jar from any working
# directory and takes its resident-server fast path; files are 0644/0755 whatever the umask, so
# any user who can read the JDK can run it. An existing file the install did not make is never
# replaced (an nsjail already in PREFIX/bin is not shadowed).
# JNSJAIL_BUILD_DIR: where the build put its output (default: target beside this script's parent).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
build="${JNSJAIL_BUILD_DIR:-$root/target}"

die() { echo "jnsjail install: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: install.sh install|uninstall [PREFIX] [--as-nsjail]"
action="$1"
shift
prefix=/usr/local
as_nsjail=0
for a in "$@"; do
  case "$a" in
    --as-nsjail) as_nsjail=1 ;;
    -*) die "unknown option '$a' (usage: ./build install [PREFIX] [--as-nsjail])" ;;
    *) prefix="$a" ;;
  esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
prefix="${prefix%/}"
[ -n "$prefix" ] || prefix=/
home="$prefix/lib/jnsjail"
manifest="$home/install-manifest"

# ---- uninstall: the manifest's files, then its directories (deepest first, only when empty) ----
uninstall() {
  [ -f "$manifest" ] || die "no jnsjail installation in $prefix ($manifest is missing)"
  local kind path files=() dirs=()
  while IFS=' ' read -r kind path; do
    # Only what lies under the prefix (or the prefix itself, when the install made it): a damaged
    # manifest must not remove anything else. Checked whole before anything is removed.
    case "$kind:$path" in
      f:"$prefix"/*) files+=("$path") ;;
      d:"$prefix" | d:"$prefix"/*) dirs+=("$path") ;;
      *) die "the manifest has '$kind $path', not a file or directory under $prefix; not touching anything" ;;
    esac
  done < "$manifest"
  local i
  for i in "${files[@]}"; do rm -f -- "$i"; done
  rm -f -- "$manifest"
  for ((i = ${#dirs[@]} - 1; i >= 0; i--)); do
    rmdir -- "${dirs[i]}" 2>/dev/null || [ ! -d "${dirs[i]}" ] || echo "jnsjail install: kept ${dirs[i]} (not empty)" >&2
  done
  echo "jnsjail: removed from $prefix"
}

if [ "$action" = uninstall ]; then
  uninstall
  exit 0
fi
[ "$action" = install ] || die "unknown action '$action' (install or uninstall)"

for f in jnsjail.jar lib jnsjail-client jnsjail-stub man/jnsjail.1 completion/jnsjail; do
  [ -e "$build/$f" ] || die "$build/$f is missing; build first (./build)"
done
if [ -f "$manifest" ]; then
  echo "jnsjail install: replacing the installation in $prefix" >&2
  uninstall >/dev/null
fi

files=()
dirs=()
# mkdir -p that remembers each directory it made, outermost first.
mkdirs() {
  local d="$1" missing=()
  while [ ! -d "$d" ]; do
    missing=("$d" "${missing[@]}")
    d="$(dirname "$d")"
  done
  for d in "${missing[@]}"; do
    mkdir -m 0755 -- "$d"
    dirs+=("$d")
  done
}
# put SRC DST MODE: refuses to replace a file the install did not make.
put() {
  [ ! -e "$2" ] && [ ! -L "$2" ] || die "$2 exists and is not jnsjail's; remove it or choose another PREFIX"
  mkdirs "$(dirname "$2")"
  install -m "$3" -- "$1" "$2"
  files+=("$2")
}
wrapper() { # wrapper DST TARGET
  local tmp q
  tmp="$(mktemp)"
  q="$(printf '%s' "$2" | sed "s/'/'\\\\''/g")"
  printf '#!/bin/sh\n# Installed by jnsjail'"'"'s ./build install; removed by ./build uninstall.\nexec '"'%s'"' "$@"\n' "$q" > "$tmp"
  put "$tmp" "$1" 0755
  rm -f "$tmp"
}
write_manifest() {
  local f d
  {
    for d in "${dirs[@]}"; do echo "d $d"; done
    for f in "${files[@]}"; do echo "f $f"; done
  } > "$manifest.tmp"
  chmod 0644 "$manifest.tmp"
  mv -f "$manifest.tmp" "$manifest"
}
# A failure half-way removes what this run made.
trap 'rc=$?; if [ $rc -ne 0 ] && [ ${#files[@]} -gt 0 ]; then write_manifest; uninstall >/dev/null 2>&1 || true; fi' EXIT

put "$root/nsjail" "$home/nsjail" 0755
put "$root/jnsjail-policy" "$home/jnsjail-policy" 0755
put "$root/bin/find-java.sh" "$home/bin/find-java.sh" 0644
put "$build/jnsjail.jar" "$home/target/jnsjail.jar" 0644
put "$build/jnsjail-client" "$home/target/jnsjail-client" 0755
put "$build/jnsjail-stub" "$home/target/jnsjail-stub" 0755
for j in "$build"/lib/*.jar; do put "$j" "$home/target/lib/$(basename "$j")" 0644; done
put "$build/man/jnsjail.1" "$prefix/share/man/man1/jnsjail.1" 0644
put "$build/completion/jnsjail" "$prefix/share/bash-completion/completions/jnsjail" 0644
wrapper "$prefix/bin/jnsjail" "$home/nsjail"
wrapper "$prefix/bin/jnsjail-policy" "$home/jnsjail-policy"
if [ "$as_nsjail" = 1 ]; then
  wrapper "$prefix/bin/nsjail" "$home/nsjail"
  tmp="$(mktemp)"
  echo ".so man1/jnsjail.1" > "$tmp"
  put "$tmp" "$prefix/share/man/man1/nsjail.1" 0644
  rm -f "$tmp"
  put "$build/completion/jnsjail" "$prefix/share/bash-completion/completions/nsjail" 0644
fi

# The AOT cache names the jar's path, so it is trained again for the installed jar (as ./build does
# for the built one); optional: without it the launcher starts a little slower.
# shellcheck source=bin/find-java.sh
. "$root/bin/find-java.sh"
# The launcher runs the JDK found here (target/java, as ./build links it), and falls back to a
# search when that link no longer leads to one.
ln -s "$(readlink -f "$JAVA")" "$home/target/java"
files+=("$home/target/java")
# shellcheck source=bench/launcher-flags.sh
. "$root/bench/launcher-flags.sh"
aot="$home/target/jnsjail.aot"
if "$JAVA" "${noshare[@]}" -XX:AOTCacheOutput="$aot" -Xlog:aot=off -Xlog:cds=off -jar "$home/target/jnsjail.jar" \
     -Mo --chroot / -q -- /bin/true >/dev/null 2>&1 && [ -f "$aot" ]; then
  chmod 0644 "$aot"
  files+=("$aot")
else
  rm -f "$aot"
  echo "jnsjail install: no AOT cache (the training jail did not run here)" >&2
fi
write_manifest
files=() # installed: nothing for the trap to undo
echo "jnsjail: installed in $prefix (run $prefix/bin/jnsjail; man jnsjail; ./build uninstall $prefix removes it)"
