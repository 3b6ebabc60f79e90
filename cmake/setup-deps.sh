#!/usr/bin/env bash
# Installs, from Debian 12's archive, exactly the packages retrace needs that are missing.
# Idempotent and silent when everything is present, so both README commands can start with it.
set -euo pipefail

packages=(
  # build tools
  cmake ninja-build ccache g++ pkg-config git
  # the card's libraries
  libgtest-dev libgmock-dev librange-v3-dev libcereal-dev libtbb-dev
  # the libraries design.md chose
  libcli11-dev libfmt-dev libzstd-dev libxxhash-dev libfdt-dev libelf-dev libdw-dev
  nlohmann-json3-dev libbenchmark-dev
  # guests and peers
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gdb-multiarch qemu-system-misc opensbi u-boot-qemu
  # building disk images in tests
  dosfstools mtools e2fsprogs
  # debug symbols for Debian's U-Boot: its source package rebuilt (cmake/uboot-symbols.sh)
  gcc-riscv64-linux-gnu bison flex bc libssl-dev libgnutls28-dev dpkg-dev python3
  # the Linux guest (cmake/linux-guest.sh): Linux's source, busybox against riscv64 glibc
  linux-source-6.1 libc6-dev-riscv64-cross libelf-dev xz-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "retrace setup: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "retrace setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
