#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-series.sh [ARCH...]   (default: x86_64 arm64)
#
# Check the Kops series patch by patch: checkpatch.pl --strict on every
# patch, then, for each architecture, apply the patches one at a time to
# a fresh linux-source-6.12 tree and build the kernel (and modules) after
# each, so every patch is known to build on its own (bisectable).
# Builds are incremental between patches; KOPS_BUILD as in vmtest.sh.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
B=${KOPS_BUILD:-$repo/build/kops}/series
jobs=${JOBS:-2}
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(x86_64 arm64)
src=$B/linux
mapfile -t series < <(ls "$repo"/patches/*.patch | grep -v '/0000-cover-letter.patch$')
rc=0

mkdir -p "$B"
"$repo/scripts/kernel-tree.sh" "$src"
for p in "${series[@]}"; do
	# spdxcheck.py needs python3-ply and python3-git: use the system python
	if (cd "$src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict -q "$p") \
		>"$B/checkpatch.out" 2>&1; then
		echo "checkpatch: ok   $(basename "$p")"
	else
		echo "checkpatch: FAIL $(basename "$p")"
		cat "$B/checkpatch.out"
		rc=1
	fi
done

for arch in "${archs[@]}"; do
	case $arch in
	x86_64) karch=x86 cross= target=bzImage ;;
	arm64) karch=arm64 cross=aarch64-linux-gnu- target=Image ;;
	*) echo "check-series.sh: unknown arch $arch" >&2; exit 2 ;;
	esac
	obj=$B/obj-$arch
	mk() { make -s -C "$src" O="$obj" ARCH=$karch CROSS_COMPILE=$cross "$@"; }
	git -C "$src" checkout -q -f -B kops-series base
	git -C "$src" clean -q -fdx -e .extracted
	mkdir -p "$obj"
	[ -f "$obj/.config" ] || mk tinyconfig >/dev/null
	i=0
	for p in "${series[@]}"; do
		i=$((i + 1))
		git -C "$src" -c user.name=check -c user.email=check@localhost am -q "$p"
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$repo/Kconfig.fragment" >/dev/null
		mk olddefconfig
		start=$(date +%s)
		if mk -j"$jobs" $target modules >"$B/build-$arch-$i.log" 2>&1 &&
		   ! grep -q 'warning:' "$B/build-$arch-$i.log"; then
			echo "build $arch: ok   patch $i ($(($(date +%s) - start))s)"
		else
			echo "build $arch: FAIL patch $i, see $B/build-$arch-$i.log"
			grep -m5 'warning:\|error:' "$B/build-$arch-$i.log" || true
			rc=1
		fi
	done
done
exit $rc
