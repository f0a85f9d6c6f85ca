# Sourced by the bench scripts (needs $root): the ./nsjail launcher's JVM flags, read from its
# `flags=(...)` or `flags="..."` line so that the benchmarks follow launcher changes. Sets `flags` (as the launcher
# runs without an AOT cache: plus -Xshare:auto) and `noshare` (without -Xshare:*, which JDK 25
# refuses next to -XX:AOTCache). A launcher whose line cannot be read stops the script.
read -r -a noshare <<< "$(sed -n 's/^flags=(\(.*\))$/\1/p; s/^flags="\(.*\)"$/\1/p' "$root/nsjail")"
if [ ${#noshare[@]} -eq 0 ]; then
  echo "$(basename "$0"): cannot read the JVM flags from the flags=(...) line of $root/nsjail" >&2
  exit 1
fi
flags=("${noshare[@]}" -Xshare:auto)
