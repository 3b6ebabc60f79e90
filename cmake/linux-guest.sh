#!/usr/bin/env bash
# The Linux guest of the tests: Linux from Debian's linux-source-6.1 package with
# guest-fixtures/linux/kernel.config merged into allnoconfig, and busybox from Debian's source
# package (fetched through apt, cmake/apt-source.sh), static against Debian's riscv64 glibc.
#
#   cmake/linux-guest.sh OUTDIR
#
# Built once into a cache keyed by the package versions, the compiler and a hash of the
# configs and this script (${RETRACE_CACHE_DIR:-~/.cache/retrace}/linux/KEY), so a second
# build directory, preset or clone costs seconds. OUTDIR gets Image, vmlinux, System.map,
# busybox with busybox.links (its applets), gen_init_cpio (the kernel's cpio writer), and gdb/vmlinux-gdb.py with its scripts (gdb's lx-*
# commands).
set -euo pipefail
# Bump when what this script builds changes (the configs are hashed into the key already).
recipe=1
here=$(cd "$(dirname "$0")" && pwd)
src_root=$(cd "$here/.." && pwd)
out=$(realpath -m "$1")
cache=${RETRACE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/retrace}
# The configs: the source tree's, or where an installed retrace keeps them.
configs=${RETRACE_LINUX_CONFIG_DIR:-$src_root/guest-fixtures/linux}
kconfig=$configs/kernel.config
bbconfig=$configs/busybox.config
tarball=/usr/src/linux-source-6.1.tar.xz
cross=riscv64-linux-gnu-

[ -f "$tarball" ] || { echo "linux-guest: $tarball is missing (apt-get install linux-source-6.1)" >&2; exit 1; }
command -v ${cross}gcc >/dev/null || { echo "linux-guest: ${cross}gcc is missing (apt-get install gcc-riscv64-linux-gnu)" >&2; exit 1; }
linux_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
bb_src=$(bash "$here/apt-source.sh" busybox "$cache/src")
bb_version=${bb_src##*/busybox-}
key=$( { echo "recipe $recipe linux $linux_version busybox $bb_version"; ${cross}gcc --version | head -1
         cat "$kconfig" "$bbconfig"; } | sha256sum | cut -c1-16)
dir=$cache/linux/$key
jobs=$(nproc)

if [ ! -f "$dir/done" ]; then
  start=$(date +%s)
  mkdir -p "$cache/linux"
  lsrc=$cache/src/linux-source-$linux_version
  if [ ! -d "$lsrc" ]; then
    echo "linux-guest: unpacking $tarball ($linux_version)" >&2
    rm -rf "$lsrc.tmp" && mkdir -p "$lsrc.tmp"
    tar -xf "$tarball" -C "$lsrc.tmp" --strip-components=1
    mv "$lsrc.tmp" "$lsrc"
  fi
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  kbuild=$dir.tmp/kbuild
  log=$dir.tmp/build.log
  echo "linux-guest: building Linux $linux_version and busybox $bb_version (log: $log)" >&2
  kmake=(make -C "$lsrc" O="$kbuild" ARCH=riscv CROSS_COMPILE=$cross -j"$jobs")
  {
    KCONFIG_ALLCONFIG=$kconfig "${kmake[@]}" allnoconfig &&
      "${kmake[@]}" Image vmlinux scripts_gdb
  } >"$log" 2>&1 || { tail -40 "$log" >&2; echo "linux-guest: building Linux failed (log: $log)" >&2; exit 1; }
  # Every line of the fragment must have survived Kconfig: a silently dropped option is a
  # kernel that lacks a driver the tests rely on.
  while IFS= read -r line; do
    case $line in CONFIG_*=*) grep -qxF "$line" "$kbuild/.config" ||
      { echo "linux-guest: $kconfig: '$line' did not take (see $kbuild/.config)" >&2; exit 1; } ;; esac
  done <"$kconfig"
  cp "$kbuild/arch/riscv/boot/Image" "$kbuild/vmlinux" "$kbuild/System.map" "$kbuild/.config" "$dir.tmp/"
  mkdir -p "$dir.tmp/gdb/scripts/gdb/linux"
  cp "$kbuild/vmlinux-gdb.py" "$dir.tmp/gdb/" 2>/dev/null || cp "$lsrc/scripts/gdb/vmlinux-gdb.py" "$dir.tmp/gdb/"
  cp -L "$kbuild"/scripts/gdb/linux/*.py "$dir.tmp/gdb/scripts/gdb/linux/"

  bbuild=$dir.tmp/bbuild
  bmake=(make -C "$bb_src" O="$bbuild" CROSS_COMPILE=$cross -j"$jobs")
  {
    mkdir -p "$bbuild" && "${bmake[@]}" defconfig &&
      # Apply the fragment: each CONFIG_X=... or '# CONFIG_X is not set' replaces X's line.
      while IFS= read -r line; do
        name=$(echo "$line" | sed -n -e 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p' -e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1/p')
        [ -n "$name" ] || continue
        sed -i -e "/^$name=/d" -e "/^# $name is not set/d" "$bbuild/.config"
        echo "$line" >>"$bbuild/.config"
      done <"$bbconfig" &&
      { yes "" || true; } | "${bmake[@]}" oldconfig >/dev/null && "${bmake[@]}" busybox busybox.links
  } >>"$log" 2>&1 || { tail -40 "$log" >&2; echo "linux-guest: building busybox failed (log: $log)" >&2; exit 1; }
  cp "$bbuild/busybox" "$bbuild/busybox.links" "$dir.tmp/"
  # The kernel's own cpio writer: device nodes and owners without root, fixed timestamps.
  gcc -O2 -o "$dir.tmp/gen_init_cpio" "$lsrc/usr/gen_init_cpio.c" >>"$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "linux-guest: building gen_init_cpio failed (log: $log)" >&2; exit 1; }
  cp "$log" "$dir.tmp/build.log.kept"
  rm -rf "$kbuild" "$bbuild"
  echo "built in $(( $(date +%s) - start )) s on $jobs cores: Linux $linux_version, busybox $bb_version" >"$dir.tmp/done"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  echo "linux-guest: $(cat "$dir/done")" >&2
fi

mkdir -p "$out"
for f in Image vmlinux System.map busybox busybox.links gen_init_cpio; do ln -sf "$dir/$f" "$out/$f"; done
rm -rf "$out/gdb" && ln -sfn "$dir/gdb" "$out/gdb"
echo "$dir" >"$out/cache-dir"
