#!/usr/bin/env bash
# Runs a job on Debian 12's kernel (linux-image-6.1.*-amd64) in a throw-away VM: the host's root file
# system is the VM's, read-only over virtio-9p, with the VM's own /proc, /sys, /dev, a tmpfs /tmp and
# /run, and a pure cgroup v2 hierarchy (memory, pids and cpu enabled for children) on /sys/fs/cgroup.
#
#   src/test/vm/kernel-vm.sh [--timeout SECONDS] [--cached DIR]... SHARE
#
# SHARE is a host directory holding `job`, a shell script; the VM mounts SHARE writable at /run/share
# and runs `sh ./job` there as root (as PID 1's only child; output on the serial console, which is
# this script's stdout). The job's exit status is this script's, and it is written to
# SHARE/exit-status. 124: the VM outlived the timeout (default 900 s) and was killed. 125: no VM can
# run here; the reason is on stderr after "kernel-vm: cannot run:". --cached DIR: a directory tree
# without mount points that the job reads a lot (the build's classes and jars): the VM caches it
# (/usr, which holds the JDK, always is).
#
# What it needs is installed when missing (qemu-system-x86, cpio, busybox-static, as root with
# apt-get); the kernel package is fetched with `apt-get download` and unpacked with dpkg-deb, never
# installed. Both the .deb and the initramfs built from it are kept under .cache/kernel-vm/ (gitignored).
# The VM runs under software emulation (TCG): KVM is not used, it hangs on the machine this was made on.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cache="${JNSJAIL_VM_CACHE:-$repo/.cache/kernel-vm}"
timeout=900
cached=(/usr)
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout="$2"; shift 2 ;;
    --cached) cached+=("$(readlink -f "$2")"); shift 2 ;;
    --) shift; break ;;
    -*) echo "kernel-vm: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: kernel-vm.sh [--timeout SECONDS] [--cached DIR]... SHARE" >&2; exit 2; }
share="$(readlink -f "$1")"
[ -f "$share/job" ] || { echo "kernel-vm: $share/job is missing" >&2; exit 2; }
# A tree the VM caches must have no mount point in it (see init), nor be inside another cached one;
# what does not qualify is read uncached, which is only slower.
keep=()
for d in "${cached[@]}"; do
  ok=1
  case "$d" in
    *[!A-Za-z0-9._/-]*|/|/tmp|/tmp/*|/run|/run/*|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) ok=0 ;;
  esac
  [ -d "$d" ] || ok=0
  for k in "${keep[@]}"; do case "$d/" in "$k"/*) ok=0 ;; esac; case "$k/" in "$d"/*) ok=0 ;; esac; done
  if [ $ok = 1 ]; then keep+=("$d"); else echo "kernel-vm: not caching $d" >&2; fi
done
cached=("${keep[@]}")

cannot() { echo "kernel-vm: cannot run: $*" >&2; exit 125; }
log() { echo "kernel-vm: $*" >&2; }

[ "$(uname -m)" = x86_64 ] || cannot "the host is $(uname -m), the test VM is x86_64 (Debian's amd64 kernel)"
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v cpio >/dev/null || need+=(cpio)
# The initramfs has no libc: its busybox must be the static one.
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/dev/null 2>&1 \
      || cannot "could not install ${need[*]} with apt-get"
  else
    cannot "${need[*]} missing (apt-get install ${need[*]} as root)"
  fi
fi

# The newest Debian 12 kernel package the apt sources know (its ABI name is in the package name).
kernel_pkg() {
  apt-cache search --names-only '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$' 2>/dev/null | cut -d' ' -f1 | sort -V | tail -n1
}
command -v apt-get >/dev/null || cannot "no apt-get to fetch Debian 12's kernel package with"
pkg="$(kernel_pkg)" || true
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || true # a fresh machine may have no package lists yet
  pkg="$(kernel_pkg)" || true
fi
[ -n "$pkg" ] || cannot "no Debian 12 kernel package (linux-image-6.1.*-amd64) in the apt sources"
kver="${pkg#linux-image-}"
kdir="$cache/$kver"
mkdir -p "$kdir"
exec 9>"$kdir/.lock"
flock 9 # another build may be fetching or unpacking the same kernel
deb="$(ls "$kdir"/"$pkg"_*.deb 2>/dev/null | tail -n1 || true)"
if [ -z "$deb" ]; then
  log "fetching $pkg"
  (cd "$kdir" && apt-get download "$pkg" >/dev/null 2>&1) || cannot "apt-get download $pkg failed"
  deb="$(ls "$kdir"/"$pkg"_*.deb | tail -n1)"
fi

# The modules the initramfs loads, in dependency order: virtio over PCI, then 9p over virtio.
modules=(drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache
  net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p)
stamp="$({ cat "$here/init" /bin/busybox; printf '%s\n' "${modules[@]}" "${deb##*/}"; } | sha256sum | cut -c1-16)"
initrd="$kdir/initrd-$stamp.gz"
if [ ! -f "$initrd" ] || [ ! -f "$kdir/vmlinuz" ]; then
  log "building the initramfs for $kver"
  work="$(mktemp -d "$kdir/build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  paths=(./boot/vmlinuz-"$kver")
  for m in "${modules[@]}"; do paths+=(./lib/modules/"$kver"/kernel/"$m".ko); done
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "${paths[@]}" || cannot "$deb does not hold the kernel and modules expected"
  mkdir -p "$work/root/bin" "$work/root/modules"
  cp /bin/busybox "$work/root/bin/busybox"
  install -m 0755 "$here/init" "$work/root/init"
  for m in "${modules[@]}"; do
    cp "$work/lib/modules/$kver/kernel/$m.ko" "$work/root/modules/"
    basename "$m" >> "$work/root/modules.order"
  done
  (cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
  rm -f "$kdir"/initrd-*.gz
  mv "$work/initrd.gz" "$initrd"
  mv "$work/boot/vmlinuz-$kver" "$kdir/vmlinuz"
  rm -rf "$work"
  trap - EXIT
fi

exec 9>&- # unlocked: qemu need not hold it
rm -f "$share/exit-status"
log "booting $pkg ($(dpkg-deb -f "$deb" Version)) under qemu TCG, timeout ${timeout}s"
# -cpu max: every feature TCG can emulate; 4 GB and 2 CPUs as a small CI runner. No network: jails
# have their own. The serial console carries the kernel's and the job's output.
virtfs=()
for i in "${!cached[@]}"; do
  virtfs+=(-virtfs "local,path=${cached[$i]},mount_tag=cached$i,readonly=on,security_model=none,multidevs=remap")
done
bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom) # boots faster than SeaBIOS
set +e
timeout --foreground --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 4096 -smp 2 \
  "${bios[@]}" -display none -monitor none -serial stdio -no-reboot -nic none \
  -kernel "$kdir/vmlinuz" -initrd "$initrd" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 JNSJAIL_VM_STAGE2=$here/guest.sh JNSJAIL_VM_CACHED=$(IFS=:; echo "${cached[*]}")" \
  -virtfs local,path=/,mount_tag=hostroot,readonly=on,security_model=none,multidevs=remap \
  "${virtfs[@]}" -virtfs local,path="$share",mount_tag=share,security_model=none,multidevs=remap </dev/null
rc=$?
set -e
if [ $rc = 124 ] || [ $rc = 137 ]; then log "the VM did not finish within ${timeout}s; killed it"; exit 124; fi
[ $rc = 0 ] || { log "qemu failed with status $rc"; exit 1; }
[ -f "$share/exit-status" ] || { log "the VM stopped before its job did (see the console above)"; exit 1; }
exit "$(cat "$share/exit-status")"
