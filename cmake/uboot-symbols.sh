#!/usr/bin/env bash
# Debug symbols for Debian's U-Boot: Debian strips uboot.elf to its dynamic symbols, so this
# rebuilds the installed u-boot-qemu's own source package the way debian/rules does (same
# cross compiler, same config, same SOURCE_DATE_EPOCH), checks that the u-boot.bin it makes is
# byte-identical to the installed one, and only then keeps the unstripped ELF. Its DWARF then
# describes the exact firmware the tests boot, unmodified.
#
#   cmake/uboot-symbols.sh PLATFORM OUTDIR     (PLATFORM: qemu-riscv64_smode or qemu-riscv64)
#
# Writes OUTDIR/PLATFORM/u-boot (the ELF). Needs the machine's apt archive (the source package) once.
set -euo pipefail
platform=$1
out=$(realpath -m "$2")
installed=/usr/lib/u-boot/$platform/u-boot.bin
[ -f "$installed" ] || { echo "uboot-symbols: $installed is missing (apt-get install u-boot-qemu)" >&2; exit 1; }
if [ -f "$out/$platform/u-boot" ] && cmp -s "$out/$platform/u-boot.bin" "$installed"; then exit 0; fi

version=$(dpkg-query -W -f='${Version}' u-boot-qemu)
mkdir -p "$out"
# The installed version's source package, through apt (cmake/apt-source.sh): the deb-src twins
# of this machine's own apt sources; dpkg-source checks every file against the .dsc.
# apt checks the files against the signed Sources index; the byte-identical u-boot.bin
# below is the check that the symbols describe the installed firmware.
src=$(bash "$(dirname "$0")/apt-source.sh" "u-boot=$version" "$out")

build=$out/$platform.build
rm -rf "$build"
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$src/debian/changelog" -STimestamp)
revision=$(echo "$version" | sed -e 's,.*+dfsg,+dfsg,')
log=$out/$platform.build.log
{
  make -C "$src" -s O="$build" CROSS_COMPILE=riscv64-linux-gnu- "${platform}_defconfig" &&
    sed -i -e "s,^CONFIG_LOCALVERSION=.*,CONFIG_LOCALVERSION=\"$revision\"," "$build/.config" &&
    make -C "$src" -s -j"$(nproc)" O="$build" CROSS_COMPILE=riscv64-linux-gnu-
} >"$log" 2>&1 || { tail -30 "$log" >&2; echo "uboot-symbols: building $platform failed (log: $log)" >&2; exit 1; }
if ! cmp -s "$build/u-boot.bin" "$installed"; then
  echo "uboot-symbols: the rebuilt $platform u-boot.bin differs from $installed; its symbols would not describe it" >&2
  exit 1
fi
mkdir -p "$out/$platform"
cp "$build/u-boot" "$out/$platform/u-boot"
cp "$build/u-boot.bin" "$out/$platform/u-boot.bin"
rm -rf "$build"
echo "uboot-symbols: $out/$platform/u-boot describes $installed (byte-identical rebuild of u-boot $version)" >&2
