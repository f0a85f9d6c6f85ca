# Sourced: sets JAVA to a java binary of a JDK >= 25, or exits with a message naming what is missing.
# The version comes from the JDK's release file: starting a JVM just to ask would cost ~60 ms per launch.
java_major() {
  local home rel v
  home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  rel="$home/release"
  if [ -r "$rel" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")"
  else
    v="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  fi
  echo "$v"
}
JAVA=""
for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
  [ -x "$cand" ] || continue
  v="$(java_major "$cand")"
  if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA="$cand"; break; fi
done
if [ -z "$JAVA" ]; then
  echo "jnsjail: needs a JDK >= 25 (looked at \$JAVA_HOME, /usr/lib/jvm/*, and java on PATH); install one, e.g. Temurin 25, or set JAVA_HOME" >&2
  exit 255
fi
JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
export JAVA_HOME
