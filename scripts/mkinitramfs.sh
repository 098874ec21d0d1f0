#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/mkinitramfs.sh TREE OUT INIT [PATH=FILE...]
#
# The initramfs of the QEMU tests (vmtest.sh, kops-e2e.sh): /dev/console,
# mount points for proc and sysfs, INIT as the static /init and each FILE
# at PATH.  Builds gen_init_cpio from the kernel tree TREE into OUT and
# writes OUT/initramfs.list and OUT/initramfs.cpio.
set -euo pipefail

tree=${1:?usage: mkinitramfs.sh TREE OUT INIT [PATH=FILE...]}
out=${2:?usage: mkinitramfs.sh TREE OUT INIT [PATH=FILE...]}
init=${3:?usage: mkinitramfs.sh TREE OUT INIT [PATH=FILE...]}
shift 3
[ -f "$tree/usr/gen_init_cpio.c" ] || { echo "mkinitramfs.sh: no kernel tree at $tree" >&2; exit 1; }
gcc -O2 -o "$out/gen_init_cpio" "$tree/usr/gen_init_cpio.c"
{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "dir /proc 755 0 0"
	echo "dir /sys 755 0 0"
	echo "file /init $init 755 0 0"
	for f in "$@"; do
		echo "file ${f%%=*} ${f#*=} 644 0 0"
	done
} > "$out/initramfs.list"
"$out/gen_init_cpio" "$out/initramfs.list" > "$out/initramfs.cpio"
