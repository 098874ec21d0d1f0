#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vmtest.sh ARCH   (ARCH: x86_64 or arm64)
#
# From a clean checkout: extract linux-source-6.1 into a git tree, apply
# patches/*.patch with git am, merge Kconfig.fragment into tinyconfig,
# build the kernel and the test module, build the Kops selftest as a static
# /init, boot it under QEMU (TCG) and check its TAP output.  On x86_64 the
# selftest runs a second time on a CPU without BMI1, BMI2 and MOVBE to test the
# fallbacks.  Exits non-zero on any failure.
#
# KOPS_BUILD (default: build/kops in the repository) holds the kernel tree
# and the build directories; rebuilds there are incremental.  KOPS_TREE
# names an existing kernel tree to build instead of applying patches/ (for
# development of the series itself).
set -euo pipefail

arch=${1:?usage: vmtest.sh x86_64|arm64}
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${KOPS_BUILD:-$repo/build/kops}
src=$B/linux
obj=$B/obj-$arch
out=$B/out-$arch
jobs=${JOBS:-2}
t0=$(date +%s)

case $arch in
x86_64)
	karch=x86 cross= image=arch/x86/boot/bzImage
	other_arch='ARM_AMBA|SERIAL_AMBA_PL011.*'
	qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 512M)
	console=ttyS0
	;;
arm64)
	karch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image
	other_arch='SERIAL_8250.*'
	qemu=(qemu-system-aarch64 -M virt -cpu max -m 512M)
	console=ttyAMA0
	;;
*)
	echo "vmtest.sh: unknown arch $arch" >&2
	exit 2
	;;
esac

log() { echo "vmtest[$arch] +$(($(date +%s) - t0))s: $*"; }

mkdir -p "$B" "$out"

# 1. kernel tree with the series applied (only re-applied if it changed)
if [ -n "${KOPS_TREE:-}" ]; then
	src=$KOPS_TREE
else
series=$(ls "$repo"/patches/*.patch | grep -v '/0000-cover-letter.patch$')
sum=$(cat $series | sha1sum | cut -d' ' -f1)
"$repo/scripts/kernel-tree.sh" "$src"
(
	flock 9
	if [ "$(cat "$src/.kops-series" 2>/dev/null)" != "$sum" ]; then
		log "applying $(echo "$series" | wc -l) patches"
		cd "$src"
		git am --abort >/dev/null 2>&1 || true
		git checkout -q -f -B kops-vmtest base
		git clean -q -fdx -e .extracted
		git -c user.name=vmtest -c user.email=vmtest@localhost am -q $series
		echo "$sum" > .kops-series
	fi
) 9>"$B/.lock"
fi

# 2. kernel and test module
mk() { make -s -C "$src" O="$obj" ARCH=$karch CROSS_COMPILE=$cross "$@"; }
mkdir -p "$obj"
[ -f "$obj/.config" ] || mk tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$repo/Kconfig.fragment" >/dev/null
mk olddefconfig
# every option of the fragment must have stuck, but the other arch's
grep -Ev "^(# )?CONFIG_($other_arch)[= ]" "$repo/Kconfig.fragment" |
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qx "$line" "$obj/.config" || { echo "vmtest.sh: $line not set" >&2; exit 1; } ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$obj/.config" || { echo "vmtest.sh: $sym set" >&2; exit 1; } ;;
	esac
done
log "building kernel"
mk -j"$jobs" "$(basename $image)" modules
log "kernel built"

# 3. selftest binary and initramfs
make -s -C "$repo/kernel-selftests/kops" O="$out" CROSS_COMPILE=$cross "$out/kops_test"
"$repo/scripts/mkinitramfs.sh" "$src" "$out" "$out/kops_test" \
	/test_bpf_kops.ko="$obj/lib/test_bpf_kops.ko"

# 4. boot and run
boot() {
	local name=$1; shift
	local logf=$out/$name.log
	log "booting ($name)"
	timeout 900 "${qemu[@]}" "$@" -nographic -no-reboot -kernel "$obj/$image" \
		-initrd "$out/initramfs.cpio" \
		-append "console=$console panic=-1 loglevel=4" </dev/null >"$logf" 2>&1 || true
	tr -d '\r' < "$logf" > "$logf.txt"
	sed -n "/^TAP version/,/^KOPS-RESULT/p" "$logf.txt" > "$out/$name.tap"
	local pass fail
	pass=$(grep -c '^ok ' "$out/$name.tap" || true)
	fail=$(grep -c '^not ok ' "$out/$name.tap" || true)
	log "$name: $pass passed, $fail failed"
	grep '^not ok ' "$out/$name.tap" || true
	grep -qx 'KOPS-RESULT: PASS' "$out/$name.tap" && [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

rc=0
boot default || rc=1
if [ "$arch" = x86_64 ]; then
	qemu=(qemu-system-x86_64 -accel tcg -cpu max,-bmi1,-bmi2,-movbe -m 512M)
	boot no-bmi-movbe || rc=1
fi
log "$([ $rc -eq 0 ] && echo PASS || echo FAIL) (logs in $out)"
exit $rc
