#!/usr/bin/env bash
# Packs an initramfs (newc cpio) for the Linux guest: busybox with a link per applet, /init, the
# usual mount points, /dev/console, and the given files. Written by the kernel's gen_init_cpio,
# so no root is needed and the archive is the same bytes on every build (timestamps 0).
#
#   cmake/make-initramfs.sh OUT.cpio LINUX_DIR INIT [SRC=DEST | SRC=DEST:MODE]...
#
# LINUX_DIR is cmake/linux-guest.sh's output (busybox, busybox.links, gen_init_cpio).
set -euo pipefail
out=$1 linux=$2 init=$3
shift 3
for f in busybox busybox.links gen_init_cpio; do
  [ -e "$linux/$f" ] || { echo "make-initramfs: $linux/$f is missing (cmake/linux-guest.sh)" >&2; exit 1; }
done
[ -f "$init" ] || { echo "make-initramfs: no init script $init" >&2; exit 1; }
list=$out.list
{
  for d in /bin /sbin /usr /usr/bin /usr/sbin /dev /proc /sys /tmp /etc /root /mnt /run /var; do
    echo "dir $d 755 0 0"
  done
  echo "nod /dev/console 600 0 0 c 5 1"
  echo "file /bin/busybox $(realpath "$linux/busybox") 755 0 0"
  declare -A seen=([/bin/busybox]=1 [/init]=1)
  # An applet's link, unless a given file takes its place.
  given=" "
  for spec in "$@"; do d=${spec#*=}; given+="${d%%:*} "; done
  while IFS= read -r link; do
    [ -n "$link" ] && [ -z "${seen[$link]:-}" ] || continue
    case $given in *" $link "*) continue ;; esac
    seen[$link]=1
    echo "slink $link /bin/busybox 777 0 0"
  done <"$linux/busybox.links"
  echo "file /init $(realpath "$init") 755 0 0"
  for spec in "$@"; do
    src=${spec%%=*} rest=${spec#*=}
    dest=${rest%%:*} mode=755
    [ "$rest" != "$dest" ] && mode=${rest#*:}
    [ -f "$src" ] || { echo "make-initramfs: $src is missing" >&2; exit 1; }
    case $dest in /*) ;; *) echo "make-initramfs: destination '$dest' must be absolute" >&2; exit 1 ;; esac
    # parents of the destination
    parent=$(dirname "$dest")
    while [ "$parent" != / ] && [ -z "${seen[dir:$parent]:-}" ]; do
      seen[dir:$parent]=1; echo "dir $parent 755 0 0"; parent=$(dirname "$parent")
    done
    echo "file $dest $(realpath "$src") $mode 0 0"
  done
} >"$list.tmp"
# Parents before children; gen_init_cpio writes entries in the list's order.
LC_ALL=C sort -s -k2,2 "$list.tmp" | awk '!seen[$1" "$2]++' >"$list"
rm -f "$list.tmp"
"$linux/gen_init_cpio" -t 0 "$list" >"$out.tmp"
mv "$out.tmp" "$out"
