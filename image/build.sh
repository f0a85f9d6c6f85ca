#!/usr/bin/env bash
# Builds jnsjail's OCI image without a container daemon: image/build.sh CLASSES_DIR LIB_DIR OUT_DIR
# (./build image runs it on target/classes and target/lib into target/image).
#
# jnsjail's image has three layers, each a tar with sorted entries, one fixed mtime and uid/gid 0, gzip'ed without a name or
# time stamp, so the same inputs give the same image digest:
#   base     the five glibc libraries and the loader the JVM links and the C.UTF-8 locale (from Debian's
#            libc6 and libc-bin packages, fetched with apt-get download), /etc/passwd and /etc/group
#            (root, nobody), /tmp
#   java     a jlink'ed runtime of the modules jnsjail needs (java.base, jdk.unsupported for protobuf)
#   jnsjail  the jar (made here from the classes with a fixed entry date and order), its lib/ jars, and
#            a class-data archive (CDS) of the classes one training jail loads, made in the finished root
#            file system (the archive records the class path and the jars' sizes and mtimes, so it is made
#            on the paths and mtimes it runs with)
# Why a static archive (java -Xshare:dump from a class list) and not the AOT cache that ./build trains for
# the launcher (-XX:AOTCacheOutput): JDK 25 writes a different AOT cache on every run, even from one AOT
# configuration (about 1.7 MB of 14 MB differ), so an image carrying one could not be reproduced. A static
# dump from the same class list is byte-identical, and the class list is too once sorted and its @cp lines
# (constant pool entries resolved by whichever thread got there first) are left out. It cuts start-up as the AOT
# cache does (about 0.3 s instead of 0.5 s of CPU for a one-shot jail here).
# No shell, no package manager, no compiler. The entry point is java with the ./nsjail launcher's flags.
# Two images share those layers: jnsjail, and jnsjail-example, which adds a jail root for the example
# service of deploy/k8s (Debian's static busybox under /srv/jail) and runs it by default.
# Output, for NAME in jnsjail and jnsjail-example: OUT_DIR/oci/NAME (an OCI image layout), the same as
# OUT_DIR/NAME-image.tar (an oci-archive, for `podman load -i` or `skopeo copy oci-archive:...`),
# OUT_DIR/NAME.digest (the manifest's digest) and OUT_DIR/NAME.id (the config's digest: podman's image
# id). Rebuilds only when an input changed.
# Needs root or unprivileged user namespaces (the training runs a jail in the image's root).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(dirname "$here")"
if [ $# -ne 3 ]; then
  echo "usage: image/build.sh CLASSES_DIR LIB_DIR OUT_DIR" >&2
  exit 2
fi
classes="$(readlink -f "$1")"
libdir="$(readlink -f "$2")"
out="$(readlink -m "$3")"
[ -f "$classes/org/jnsjail/cli/Main.class" ] || { echo "image: $classes holds no jnsjail classes; build first (./build)" >&2; exit 1; }
[ -f "$classes/org/jnsjail/stub/exec-stub" ] || { echo "image: $classes lacks the exec stub; build first (./build)" >&2; exit 1; }
ls "$libdir"/*.jar >/dev/null 2>&1 || { echo "image: $libdir holds no jars; build first (./build)" >&2; exit 1; }
# shellcheck source=bin/find-java.sh
. "$root/bin/find-java.sh"
jdk="$JAVA_HOME"
for tool in jlink jar; do
  [ -x "$jdk/bin/$tool" ] || { echo "image: $jdk/bin/$tool is missing (needs a full JDK 25)" >&2; exit 1; }
done
for tool in apt-get dpkg-deb tar gzip sha256sum unshare pivot_root; do
  command -v "$tool" >/dev/null || { echo "image: needs $tool" >&2; exit 1; }
done

# One fixed time for every file, layer entry, jar entry and history record: 1980-01-01T00:00:02Z, the
# earliest time a zip entry can hold (so that the jar's entries and the files agree).
epoch=315532802
created="1980-01-01T00:00:02Z"
modules="java.base,jdk.unsupported"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)"
# The launcher's JVM flags (bench/launcher-flags.sh reads them from ./nsjail's flags="..." line).
# shellcheck source=bench/launcher-flags.sh
. "$root/bench/launcher-flags.sh"
# -Xlog:cds=off: an archive the JVM cannot map (say, other JVM flags added) is skipped without a warning
# on stderr, as the launcher does with its AOT cache. The container test proves the archive maps.
jvm_flags=("${noshare[@]}" -XX:SharedArchiveFile=/opt/jnsjail/jnsjail.jsa -Xshare:auto -Xlog:cds=off -Xlog:aot=off)

mkdir -p "$out/debs"
# glibc from Debian's archive (this machine's apt sources), not from the build host's /lib: the image's
# libraries are then a named package version, recorded in the image and in /var/lib/dpkg/status.d.
libc_version="$(apt-cache policy libc6 | sed -n 's/^ *Candidate: //p')"
case "$libc_version" in ''|'(none)') echo "image: apt knows no libc6 candidate (run apt-get update)" >&2; exit 1 ;; esac
arch="$(dpkg --print-architecture)"
[ "$arch" = amd64 ] || { echo "image: builds amd64 images only (this is $arch)" >&2; exit 1; }
deb() { # PACKAGE: the path of its .deb at libc6's version, downloaded once
  local f="$out/debs/${1}_${libc_version//:/%3a}_$arch.deb"
  if [ ! -f "$f" ]; then
    (cd "$out/debs" && apt-get download -q "$1=$libc_version" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    [ -f "$f" ] || { echo "image: apt-get download $1=$libc_version failed" >&2; exit 1; }
  fi
  echo "$f"
}
libc_deb="$(deb libc6)"
libc_bin_deb="$(deb libc-bin)"
busybox_version="$(apt-cache policy busybox-static | sed -n 's/^ *Candidate: //p')"
case "$busybox_version" in ''|'(none)') echo "image: apt knows no busybox-static candidate (run apt-get update)" >&2; exit 1 ;; esac
busybox_deb="$out/debs/busybox-static_${busybox_version//:/%3a}_$arch.deb"
if [ ! -f "$busybox_deb" ]; then
  (cd "$out/debs" && apt-get download -q "busybox-static=$busybox_version" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  [ -f "$busybox_deb" ] || { echo "image: apt-get download busybox-static=$busybox_version failed" >&2; exit 1; }
fi

# The inputs; an unchanged set reuses the last image.
key="$( {
  echo "script $(sha256sum < "$here/build.sh")"
  echo "flags ${jvm_flags[*]} modules $modules version $version epoch $epoch"
  echo "jdk $(sha256sum < "$jdk/release") $(stat -c '%s %Y' "$jdk/lib/modules" "$jdk/lib/server/libjvm.so")"
  echo "debs $(sha256sum < "$libc_deb") $(sha256sum < "$libc_bin_deb") $(sha256sum < "$busybox_deb")"
  (cd "$classes" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  (cd "$libdir" && find . -name '*.jar' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} | sha256sum | cut -d' ' -f1)"
if [ -f "$out/inputs" ] && [ "$(cat "$out/inputs")" = "$key" ] && [ -f "$out/jnsjail-example.id" ]; then
  for name in jnsjail jnsjail-example; do
    echo "image: $name:$version $(cat "$out/$name.digest") (up to date: $out/$name-image.tar)"
  done
  exit 0
fi
rm -rf "$out/layers" "$out/rootfs" "$out/oci" "$out/blobs" "$out/inputs" "$out/work" "$out"/*.digest "$out"/*.id "$out"/*-image.tar
mkdir -p "$out/layers" "$out/work"
umask 022

# --- base: glibc, accounts, /tmp ----------------------------------------------------------------------
base="$out/layers/base"
mkdir -p "$out/work/libc" "$base/lib/x86_64-linux-gnu" "$base/lib64" "$base/etc" "$base/tmp" \
  "$base/proc" "$base/sys" "$base/dev" "$base/usr/share/doc/libc6" "$base/var/lib/dpkg/status.d" \
  "$base/usr/lib/locale"
dpkg-deb -x "$libc_deb" "$out/work/libc"
dpkg-deb -x "$libc_bin_deb" "$out/work/libc"
# What the JVM's binaries link (ldd of bin/java, lib/*.so and lib/server/libjvm.so in this runtime).
for so in ld-linux-x86-64.so.2 libc.so.6 libdl.so.2 libm.so.6 libpthread.so.0 librt.so.1; do
  cp "$out/work/libc/lib/x86_64-linux-gnu/$so" "$base/lib/x86_64-linux-gnu/$so"
done
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$base/lib64/ld-linux-x86-64.so.2"
cp "$out/work/libc/usr/share/doc/libc6/copyright" "$base/usr/share/doc/libc6/copyright"
# C.UTF-8, which glibc 2.36 does not build in: without it the JVM falls back to ASCII for file names
# and arguments (sun.jnu.encoding), and a jail's non-ASCII argv would reach it as '?'.
cp -r "$out/work/libc/usr/lib/locale/C.utf8" "$base/usr/lib/locale/"
# The package's control paragraph, where image scanners look for packages in a root without dpkg.
for p in libc6 libc-bin; do
  dpkg-deb -f "$(deb "$p")" Package Source Version Architecture Maintainer Multi-Arch Section Priority Homepage Description \
    > "$base/var/lib/dpkg/status.d/$p"
done
printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' > "$base/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$base/etc/group"
chmod 1777 "$base/tmp"

# --- java: a jlink'ed runtime -------------------------------------------------------------------------
# JDK 25 links from its own run-time image when it has no jmods (JEP 493), as Temurin 25 does.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$out/layers/java/opt/java"
# The runtime needs no CDS archive of its own: the image's archive below holds the JDK's classes too.
rm -f "$out/layers/java/opt/java/lib/server/classes.jsa" "$out/layers/java/opt/java/lib/server/classes_nocoops.jsa"

# --- jnsjail: the jar, lib/, the CDS archive ------------------------------------------------------------
app="$out/layers/jnsjail/opt/jnsjail"
mkdir -p "$app/lib"
cp "$libdir"/*.jar "$app/lib/"
cp_line="$(cd "$app" && LC_ALL=C ls lib/*.jar | tr '\n' ' ' | sed 's/ $//')"
{
  echo "Manifest-Version: 1.0"
  echo "Created-By: jnsjail image/build.sh"
  # Manifest lines are at most 72 bytes; continuation lines start with one space.
  printf 'Class-Path: %s\n' "$cp_line" | fold -w 71 | sed '2,$s/^/ /'
  echo "Main-Class: org.jnsjail.cli.Main"
  echo "Enable-Native-Access: ALL-UNNAMED"
} > "$out/work/MANIFEST.MF"
(cd "$classes" && find . -type f | LC_ALL=C sort | sed 's:^\./::' > "$out/work/jar-files")
# The jar tool expands @FILE into its arguments, in that (sorted) order, relative to the classes.
(cd "$classes" && "$jdk/bin/jar" --create --file "$app/jnsjail.jar" --manifest "$out/work/MANIFEST.MF" \
  --date "$created" "@$out/work/jar-files")

# One root file system from the layers, normalized as the layers will be (modes, mtimes), to train in.
normalize() {
  chmod -R u+rwX,go+rX,go-w "$1"
  [ -d "$1/tmp" ] && chmod 1777 "$1/tmp"
  find "$1" -exec touch -h -d "@$epoch" {} +
}
for l in base java jnsjail; do normalize "$out/layers/$l"; done
rootfs="$out/rootfs"
mkdir -p "$rootfs"
for l in base java jnsjail; do cp -a "$out/layers/$l/." "$rootfs/"; done

# The training: one jail, as ./build trains the launcher's cache, in the image's root with its paths so
# that the archive's class path and jar checks hold in the container. The jail runs the dynamic loader's
# --version (the image has no /bin/true). pivot_root, not chroot: clone(2) refuses CLONE_NEWUSER to a
# chrooted caller (EPERM), so the JVM's root must be its mount namespace's root; the old root stays under
# /tmp/.oldroot until the namespace goes. Unprivileged users get a user namespace of their own.
userns=()
[ "$(id -u)" = 0 ] || userns=(--map-root-user)
mkdir -p "$rootfs/tmp/.oldroot"
in_rootfs() {
  unshare --mount --fork "${userns[@]}" /bin/sh -c '
    r="$1"; shift
    mount --make-rprivate / && mount --bind "$r" "$r" && mount --rbind /proc "$r/proc" &&
    mount --rbind /dev "$r/dev" && cd "$r" && pivot_root . tmp/.oldroot && cd / && exec "$@"' sh "$rootfs" "$@"
}
log="$out/work/cds.log"
if ! in_rootfs /opt/java/bin/java "${noshare[@]}" -Xshare:off -XX:DumpLoadedClassList=/tmp/classes.list \
    -jar /opt/jnsjail/jnsjail.jar -Mo --chroot / -q -- /lib64/ld-linux-x86-64.so.2 --version >"$log" 2>&1; then
  echo "image: the training jail did not run here:" >&2
  cat "$log" >&2
  exit 1
fi
# The list's order (and its ids) follows whichever thread loaded a class first (the training jail's stub
# keeper thread runs beside the main one), and the archive is laid out in that order. Only the set is
# stable: classes sorted by name without ids (no unregistered class refers to an id), then the @ lines.
{ grep -v '^@' "$rootfs/tmp/classes.list" | sed 's/ id: [0-9]*$//' | LC_ALL=C sort
  grep '^@' "$rootfs/tmp/classes.list" | grep -v '^@cp ' | LC_ALL=C sort; } > "$rootfs/tmp/classes.stable"
if ! in_rootfs /opt/java/bin/java "${noshare[@]}" -Xshare:dump -XX:SharedClassListFile=/tmp/classes.stable \
    -XX:SharedArchiveFile=/opt/jnsjail/jnsjail.jsa -cp /opt/jnsjail/jnsjail.jar >"$log" 2>&1; then
  echo "image: java -Xshare:dump failed:" >&2
  cat "$log" >&2
  exit 1
fi
cp "$rootfs/opt/jnsjail/jnsjail.jsa" "$app/jnsjail.jsa"
normalize "$out/layers/jnsjail"

# --- example: a jail root for the example service (deploy/k8s), from Debian's busybox-static ------------
# Not part of the jnsjail image: the image jnsjail-example adds it as a fourth layer, as a service's own
# image would add its jail's files on top of jnsjail's (docs/kubernetes.md).
ex="$out/layers/example/srv/jail"
mkdir -p "$out/work/busybox" "$ex/bin" "$ex/proc" "$ex/tmp" "$ex/dev"
dpkg-deb -x "$busybox_deb" "$out/work/busybox"
cp "$out/work/busybox/bin/busybox" "$ex/bin/busybox"
ln -s busybox "$ex/bin/sh"
mkdir -p "$out/layers/example/usr/share/doc/busybox-static" "$out/layers/example/var/lib/dpkg/status.d"
cp "$out/work/busybox/usr/share/doc/busybox-static/copyright" "$out/layers/example/usr/share/doc/busybox-static/"
dpkg-deb -f "$busybox_deb" Package Source Version Architecture Maintainer Section Priority Homepage Description \
  > "$out/layers/example/var/lib/dpkg/status.d/busybox-static"
normalize "$out/layers/example"
chmod 1777 "$ex/tmp"
touch -h -d "@$epoch" "$ex/tmp"

# --- the OCI images ----------------------------------------------------------------------------------------
blobs="$out/blobs"
mkdir -p "$blobs"
blob() { # FILE -> moves it into blobs/, prints its digest
  local d
  d="$(sha256sum < "$1" | cut -d' ' -f1)"
  mv "$1" "$blobs/$d"
  echo "$d"
}
declare -A layer_desc layer_diff layer_hist
declare -A what=(
  [base]="glibc $libc_version (Debian libc6, C.UTF-8 from libc-bin), /etc/passwd, /etc/group, /tmp"
  [java]="jlink --add-modules $modules of $(sed -n 's/^IMPLEMENTOR_VERSION="\(.*\)"$/\1/p' "$jdk/release")"
  [jnsjail]="jnsjail $version: /opt/jnsjail/jnsjail.jar, lib/, jnsjail.jsa (CDS)"
  [example]="a jail root at /srv/jail: busybox $busybox_version (Debian busybox-static)"
)
for l in base java jnsjail example; do
  tarfile="$out/work/$l.tar"
  (cd "$out/layers/$l" && LC_ALL=C tar --create --file="$tarfile" --sort=name --format=posix \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' --mtime="@$epoch" \
    --owner=0 --group=0 --numeric-owner --hard-dereference --no-acls --no-xattrs --no-selinux \
    $(LC_ALL=C ls -A))
  diff_id="$(sha256sum < "$tarfile" | cut -d' ' -f1)"
  gzip -n -9 "$tarfile"
  size="$(stat -c %s "$tarfile.gz")"
  d="$(blob "$tarfile.gz")"
  layer_desc[$l]="{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size}"
  layer_diff[$l]="\"sha256:$diff_id\""
  layer_hist[$l]="{\"created\":\"$created\",\"created_by\":\"image/build.sh: ${what[$l]}\"}"
done
json_array() { local s="" a; for a in "$@"; do s+="${s:+,}\"$a\""; done; echo "[$s]"; }
entrypoint="$(json_array /opt/java/bin/java "${jvm_flags[@]}" -jar /opt/jnsjail/jnsjail.jar)"
java_version="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$jdk/release")"
# The example service: what deploy/k8s/deployment.yaml runs (it restates these arguments).
example_cmd=(-Ml --port 9000 --chroot /srv/jail --hostname jail --time_limit 300 --max_conns 64
  --max_conns_per_ip 8 --rlimit_as 256 --rlimit_nproc 64 -- /bin/sh)

# image NAME "LAYERS" EXTRA_CONFIG: writes its config and manifest into blobs/, an OCI layout under
# oci/NAME with only its blobs, the same as oci-archive NAME-image.tar, NAME.digest (the manifest's) and
# NAME.id (the config's, podman's image id).
image() {
  local name="$1" layers="$2" extra="$3" l descs="" diffs="" hist="" cfg man csize msize
  for l in $layers; do
    descs+="${descs:+,}${layer_desc[$l]}"; diffs+="${diffs:+,}${layer_diff[$l]}"; hist+="${hist:+,}${layer_hist[$l]}"
  done
  local labels="{\"org.opencontainers.image.title\":\"$name\",\"org.opencontainers.image.version\":\"$version\",\"org.opencontainers.image.description\":\"nsjail-compatible process isolation (Java 25, FFM)\",\"org.jnsjail.libc6\":\"$libc_version\",\"org.jnsjail.java\":\"$java_version\"}"
  # User nobody: jails need no capability and no root in the container (docs/kubernetes.md).
  # LANG: the C.UTF-8 locale of the base layer, so that the JVM takes non-ASCII paths and arguments as UTF-8.
  printf '%s' "{\"created\":\"$created\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"65534:65534\",\"Env\":[\"PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin\",\"LANG=C.UTF-8\"],\"Entrypoint\":$entrypoint$extra,\"WorkingDir\":\"/\",\"Labels\":$labels},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs]},\"history\":[$hist]}" \
    > "$out/work/config.json"
  csize="$(stat -c %s "$out/work/config.json")"
  cfg="$(blob "$out/work/config.json")"
  printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cfg\",\"size\":$csize},\"layers\":[$descs]}" \
    > "$out/work/manifest.json"
  msize="$(stat -c %s "$out/work/manifest.json")"
  man="$(blob "$out/work/manifest.json")"
  local dir="$out/oci/$name"
  mkdir -p "$dir/blobs/sha256"
  printf '%s' "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$man\",\"size\":$msize,\"annotations\":{\"org.opencontainers.image.ref.name\":\"$name:$version\"}}]}" \
    > "$dir/index.json"
  printf '%s' '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  for d in "$man" "$cfg" $(printf '%s' "$descs" | grep -o 'sha256:[0-9a-f]*' | cut -d: -f2); do
    cp "$blobs/$d" "$dir/blobs/sha256/$d"
  done
  find "$dir" -exec touch -h -d "@$epoch" {} +
  (cd "$dir" && LC_ALL=C tar --create --file="$out/$name-image.tar" --sort=name --format=posix \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' --mtime="@$epoch" \
    --owner=0 --group=0 --numeric-owner --mode=u+rw,go+r,go-w oci-layout index.json blobs)
  echo "sha256:$man" > "$out/$name.digest"
  echo "sha256:$cfg" > "$out/$name.id"
  echo "image: $name:$version sha256:$man ($(stat -c %s "$out/$name-image.tar") bytes as an archive, $(du -sb "${@:4}" | awk '{n += $1} END {print n}') bytes unpacked)"
}
image jnsjail "base java jnsjail" "" "$out/layers/base" "$out/layers/java" "$out/layers/jnsjail"
image jnsjail-example "base java jnsjail example" ",\"Cmd\":$(json_array "${example_cmd[@]}"),\"ExposedPorts\":{\"9000/tcp\":{}}" \
  "$out/layers/base" "$out/layers/java" "$out/layers/jnsjail" "$out/layers/example"
rm -rf "$out/work" "$out/rootfs" "$out/layers" "$out/blobs"
echo "$key" > "$out/inputs"
