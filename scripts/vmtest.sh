#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vmtest.sh ARCH   (ARCH: x86_64 or arm64)
#
# From a clean checkout: extract linux-source-6.12 into a git tree, apply
# patches/*.patch, and for each variant build a kernel and the
# test module, the Kops selftest (kernel-selftests/kops) as a static /init
# against the tree's UAPI headers, boot it under QEMU (TCG) and check its
# TAP output.  Variants (VMTEST_VARIANTS, default "default debug"):
#
#   default  tinyconfig + Kconfig.fragment: the selftest in full (the
#            interpreter is there to compare with), and on x86_64 once
#            more, quick, on a CPU without BMI1, BMI2 and MOVBE for the
#            fallbacks
#   debug    + kernel-selftests/kops/debug.config: KASAN, lockdep and
#            BPF_JIT_ALWAYS_ON; the selftest in full with a longer fuzz run
#
# Exits non-zero on any failure.  KOPS_FUZZ overrides the fuzzer's program
# counts (default 1000 on the default kernel, 2000 on the debug one).
#
# KOPS_BUILD (default: build/kops in the repository) holds the kernel tree
# and the build directories (obj-ARCH, obj-ARCH-debug); rebuilds there are
# incremental.  KOPS_TREE names an existing kernel tree to build instead of
# applying patches/ (for development of the series itself).
set -euo pipefail

arch=${1:?usage: vmtest.sh x86_64|arm64}
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${KOPS_BUILD:-$repo/build/kops}
src=$B/linux
jobs=${JOBS:-2}
variants=${VMTEST_VARIANTS:-default debug}
t0=$(date +%s)

case $arch in
x86_64)
	karch=x86 cross= image=arch/x86/boot/bzImage
	other_arch='ARM_AMBA|SERIAL_AMBA_PL011.*'
	qemu=(qemu-system-x86_64 -accel tcg -m 1G)
	cpu=max
	console=ttyS0
	;;
arm64)
	karch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image
	other_arch='SERIAL_8250.*'
	qemu=(qemu-system-aarch64 -M virt -m 1G -smp 2)
	cpu=max
	console=ttyAMA0
	;;
*)
	echo "vmtest.sh: unknown arch $arch" >&2
	exit 2
	;;
esac

log() { echo "vmtest[$arch] +$(($(date +%s) - t0))s: $*"; }

mkdir -p "$B"

# 1. kernel tree with the series applied (only re-applied if it changed)
if [ -n "${KOPS_TREE:-}" ]; then
	src=$KOPS_TREE
else
series=$(ls "$repo"/patches/*.patch | grep -v '/0000-cover-letter.patch$')
sum=$(cat $series | sha1sum | cut -d' ' -f1)
(
	flock 9
	"$repo/scripts/kernel-tree.sh" "$src"
	if [ "$(cat "$src/.kops-series" 2>/dev/null)" != "$sum" ]; then
		log "applying $(echo "$series" | wc -l) patches"
		cd "$src"
		# The series is applied to base in an index of its own, and the
		# tree then checked out from what it held: only files whose
		# content changed get new times, so the kernel builds stay
		# incremental (scripts/check-series.sh applies it with git am).
		export GIT_INDEX_FILE=$B/.series-index
		git read-tree base
		for p in $series; do
			git apply --cached "$p" ||
				{ echo "vmtest.sh: $(basename "$p") does not apply" >&2; exit 1; }
		done
		tree=$(git write-tree)
		unset GIT_INDEX_FILE
		rm -f "$B/.series-index"
		commit=$(git -c user.name=vmtest -c user.email=vmtest@localhost \
			commit-tree "$tree" -p base -m "patches/ $sum")
		git am --abort >/dev/null 2>&1 || true
		git checkout -q -f -B kops-vmtest "$commit"
		git clean -q -fdx -e .extracted -e .kops-series
		echo "$sum" > .kops-series
	fi
) 9>"$B/.lock"
fi

# check that every option of fragments $2... stuck in config $1 (the last
# fragment that names a symbol wins), but the other arch's
check_config() {
	local config=$1
	shift
	cat "$@" | grep -E '^(# )?CONFIG_' |
	awk '{ sym = $1 == "#" ? $2 : $1; sub(/=.*/, "", sym); last[sym] = $0; order[NR] = sym }
	     END { for (i = 1; i <= NR; i++) if (order[i] in last) { print last[order[i]]; delete last[order[i]] } }' |
	grep -Ev "^(# )?CONFIG_($other_arch)[= ]" |
	while read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qx "$line" "$config" || { echo "vmtest.sh: $line not set" >&2; exit 1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$config" || { echo "vmtest.sh: $sym set" >&2; exit 1; } ;;
		esac
	done
}

# 2. kernel and test module of variant $1 in $2
build_kernel() {
	local variant=$1 obj=$2 frags=("$repo/Kconfig.fragment") f
	[ "$variant" = debug ] && frags+=("$repo/kernel-selftests/kops/debug.config")
	mk() { make -s -C "$src" O="$obj" ARCH=$karch CROSS_COMPILE=$cross "$@"; }
	mkdir -p "$obj"
	[ -f "$obj/.config" ] || mk tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"${frags[@]}" >/dev/null
	mk olddefconfig
	check_config "$obj/.config" "${frags[@]}"
	log "building the $variant kernel"
	mk -j"$jobs" "$(basename $image)" modules
	mk headers_install INSTALL_HDR_PATH="$obj/usr-headers" >/dev/null
	log "$variant kernel built"
}

# 3. boot NAME OBJ OUT [QEMU ARGS...] -- [KERNEL ARGS]: run the selftest
boot() {
	local name=$1 obj=$2 out=$3 qargs=() kargs=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do qargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	kargs=("$@")
	local logf=$out/$name.log
	log "booting ($name)"
	timeout 2400 "${qemu[@]}" "${qargs[@]}" -nographic -no-reboot \
		-kernel "$obj/$image" -initrd "$out/initramfs.cpio" \
		-append "console=$console panic=-1 loglevel=4 ${kargs[*]}" \
		</dev/null >"$logf" 2>&1 || true
	tr -d '\r' < "$logf" > "$logf.txt"
	sed -n "/^TAP version/,/^KOPS-RESULT/p" "$logf.txt" > "$out/$name.tap"
	local pass fail
	pass=$(grep -c '^ok ' "$out/$name.tap" || true)
	fail=$(grep -c '^not ok ' "$out/$name.tap" || true)
	log "$name: $pass passed, $fail failed"
	grep -E '^# (fuzz|envelope|[0-9]+ regions)' "$out/$name.tap" || true
	grep '^not ok ' "$out/$name.tap" || true
	grep -qx 'KOPS-RESULT: PASS' "$out/$name.tap" && [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

rc=0
for variant in $variants; do
	case $variant in
	default) obj=$B/obj-$arch fuzz=${KOPS_FUZZ:-1000} ;;
	debug) obj=$B/obj-$arch-debug fuzz=${KOPS_FUZZ:-2000} ;;
	*) echo "vmtest.sh: unknown variant $variant" >&2; exit 2 ;;
	esac
	out=$B/out-$arch-$variant
	mkdir -p "$out"
	build_kernel "$variant" "$obj"
	make -s -C "$repo/kernel-selftests/kops" O="$out" CROSS_COMPILE=$cross \
		KHDR="$obj/usr-headers/include" "$out/kops_test"
	"$repo/scripts/mkinitramfs.sh" "$src" "$out" "$out/kops_test" \
		/test_bpf_kops.ko="$obj/lib/test_bpf_kops.ko"
	boot "$variant" "$obj" "$out" -cpu "$cpu" -- "KOPS_FUZZ=$fuzz" || rc=1
	if [ "$arch" = x86_64 ] && [ "$variant" = default ]; then
		boot no-bmi-movbe "$obj" "$out" -cpu max,-bmi1,-bmi2,-movbe -- \
			KOPS_QUICK=1 KOPS_FUZZ=300 || rc=1
	fi
done
log "$([ $rc -eq 0 ] && echo PASS || echo FAIL) (logs in $B/out-$arch-*)"
exit $rc
