#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kops-e2e.sh ARCH   (ARCH: x86_64 or arm64)
#
# End-to-end test of Kops form on the patched kernel: the programs of
# bpftool-ext/examples/kops_e2e.c (clang -O2) are optimized on the host with
# `bpftool-ext prog optimize ... budget 0 cache none kops auto target
# bpftool-ext/tests/data/kops-ARCH.txt`, both versions and 400 test packets
# are packed (build/tests/kops_e2e_pack) into the initramfs of the static
# guest test kernel-selftests/kops/kops_e2e.c, which loads them on the
# kernel vmtest.sh built, checks the native instructions in the JIT image,
# and compares BPF_PROG_TEST_RUN results (original, Kops, Kops with native
# emits off), also for a deliberately wrong Kops version, which must be
# caught.  On x86_64 it boots a second time on a CPU without BMI1, BMI2
# and MOVBE.  Prints the guest's TAP on stdout, progress on stderr; exits
# non-zero on any failure.
#
# The guest also prints its JIT images; objdump then confirms, independently
# of the guest's own encoding tables, the ops' native instructions in the
# Kops images (ROL, CMOV, BEXTR, MOVBE; ROR, CSEL, UBFX) and their
# absence in the originals, and BEXTR and MOVBE absent without BMI1/MOVBE.
#
# KOPS_BUILD (default: build/kops, as vmtest.sh) holds the kernel build
# (obj-ARCH) and tree (linux, or KOPS_TREE); it is only read.  Output goes
# to KOPS_E2E_OUT (default build/kops-e2e/ARCH); E2E_PACKETS sets the number
# of test packets (default 400).
set -euo pipefail

arch=${1:?usage: kops-e2e.sh x86_64|arm64}
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${KOPS_BUILD:-$repo/build/kops}
src=${KOPS_TREE:-$B/linux}
obj=$B/obj-$arch
out=${KOPS_E2E_OUT:-$repo/build/kops-e2e/$arch}
t0=$(date +%s)

# the ops' native instructions, as binutils names them; not memcpy (moves,
# LDP/STP) nor arm64's ldbswap (LDR, REV), which the originals have too:
# the guest checks those by their exact encodings
declare -A mnem
case $arch in
x86_64)
	cross='' image=arch/x86/boot/bzImage console=ttyS0
	objdump=(objdump -D -b binary -m i386:x86-64)
	mnem=([rotate]='rol|ror' [select]='cmov[a-z]+' [bfext]=bextr [ldbswap]=movbe)
	qemu=(qemu-system-x86_64 -accel tcg -m 512M)
	cpus=("max" "max,-bmi1,-bmi2,-movbe")
	names=(default no-bmi-movbe)
	;;
arm64)
	cross=aarch64-linux-gnu- image=arch/arm64/boot/Image console=ttyAMA0
	objdump=(aarch64-linux-gnu-objdump -D -b binary -m aarch64)
	mnem=([rotate]='ror|extr' [select]=csel [bfext]=ubfx)	# REV: in both
	qemu=(qemu-system-aarch64 -M virt -m 512M)
	cpus=(max)
	names=(default)
	;;
*)
	echo "kops-e2e.sh: unknown arch $arch" >&2
	exit 2
	;;
esac

log() { echo "kops-e2e[$arch] +$(($(date +%s) - t0))s: $*" >&2; }
die() { echo "kops-e2e.sh: $*" >&2; exit 1; }

[ -f "$obj/$image" ] || die "no kernel at $obj/$image (run scripts/vmtest.sh $arch, or set KOPS_BUILD)"
[ -f "$src/usr/gen_init_cpio.c" ] || die "no kernel tree at $src (set KOPS_BUILD or KOPS_TREE)"
target=$repo/bpftool-ext/tests/data/kops-$arch.txt
[ -f "$target" ] || die "no target description $target"
mkdir -p "$out"
out=$(cd "$out" && pwd)	# make -C below changes directory

# 1. host: build, optimize, pack
make -s -C "$repo" build/bpftool-ext build/tests/kops_e2e_pack \
	build/examples/kops_e2e.o >&2 || die "host build failed"
orig=$repo/build/examples/kops_e2e.o
kops=$out/kops_e2e.kops.o
# budget 0: Kops rewrites only, no search; cache none: nothing learnt
# elsewhere, so the same object every time
"$repo/build/bpftool-ext" -j prog optimize "$orig" budget 0 cache none kops auto \
	target "$target" out "$kops" >"$out/optimize.json" ||
	die "prog optimize failed (see $out/optimize.json)"
# every program must have been rewritten, or the test checks nothing new
none=$(jq -r '.programs[] | select(([.kops[]?] | add // 0) == 0) | .name' "$out/optimize.json")
[ -z "$none" ] || die "no Kops site in: $none"
log "optimized: $(jq -r '[.programs[] | "\(.name) \([.kops[]] | add)"] | join(", ")' "$out/optimize.json") sites"
"$repo/build/tests/kops_e2e_pack" "$orig" "$kops" "$out/kops_e2e.bin" "${E2E_PACKETS:-400}"

# 2. guest: static /init and initramfs
[ -d "$obj/usr-headers/include" ] ||
	die "no UAPI headers at $obj/usr-headers (run scripts/vmtest.sh $arch)"
make -s -C "$repo/kernel-selftests/kops" O="$out" CROSS_COMPILE=$cross \
	KHDR="$obj/usr-headers/include" "$out/kops_e2e" >&2
"$repo/scripts/mkinitramfs.sh" "$src" "$out" "$out/kops_e2e" \
	/kops_e2e.bin="$out/kops_e2e.bin"

# 3. boot and run
# mnemonics of the JIT image NAME WHICH (orig|kops) of console log LOG,
# one a line, disassembled by binutils (independently of kops_util.h)
mnemonics() {
	grep "^KOPS-JIT $1 $2 " "$3" | cut -d' ' -f5 | tr -d '\n' | xxd -r -p > "$out/jit.bin"
	"${objdump[@]}" "$out/jit.bin" | awk -F'\t' 'NF >= 3 { split($3, m, " "); print m[1] }'
}

# objdump_check BOOT LOG: per program, the native instructions of its ops
# are in the Kops image and not in the original (TAP, one line a program)
objdump_check() {
	local boot=$1 logf=$2 prog ops op n re no nk ok msg
	while read -r prog ops; do
		ok=1 msg=
		for op in ${ops//,/ }; do
			n=${op#*=} op=${op%=*}
			re=${mnem[$op]:-}
			if [ -z "$re" ] || [ "$n" -eq 0 ]; then
				continue
			fi
			no=$(mnemonics "$prog" orig "$logf" | grep -cE "^($re)\$" || true)
			nk=$(mnemonics "$prog" kops "$logf" | grep -cE "^($re)\$" || true)
			if [[ $boot == no-bmi-movbe && ($op == bfext || $op == ldbswap) ]]; then
				# without the CPU feature, the JIT must not use it
				[ "$nk" -eq 0 ] || ok=0
				msg+=" $op: $re $nk (none allowed),"
				continue
			fi
			[ "$nk" -ge 1 ] && [ "$no" -eq 0 ] || ok=0
			msg+=" $op x$n: $re $nk (original $no),"
		done
		[ -n "$msg" ] || continue
		echo "$([ $ok = 1 ] || echo 'not ')ok - [$arch $boot] $prog: objdump of the JIT images:${msg%,}"
		[ $ok = 1 ] || rc=1
	done < <(jq -r '.programs[] | "\(.name) \(.kops | to_entries | map("\(.key)=\(.value)") | join(","))"' \
		"$out/optimize.json")
}

rc=0
for i in "${!names[@]}"; do
	name=${names[$i]} logf=$out/${names[$i]}.log
	log "booting ($name, -cpu ${cpus[$i]})"
	timeout 600 "${qemu[@]}" -cpu "${cpus[$i]}" -nographic -no-reboot \
		-kernel "$obj/$image" -initrd "$out/initramfs.cpio" \
		-append "console=$console panic=-1 loglevel=4 -- jitdump" \
		</dev/null >"$logf" 2>&1 || true
	tr -d '\r' < "$logf" > "$logf.txt"
	sed -n '/^TAP version/,/^KOPS-E2E-RESULT/p' "$logf.txt" > "$out/$name.tap"
	pass=$(grep -c '^ok ' "$out/$name.tap" || true)
	fail=$(grep -c '^not ok ' "$out/$name.tap" || true)
	# the TAP, each test named with the boot it comes from
	grep -v '^KOPS-JIT ' "$out/$name.tap" | sed -E "s/^((not )?ok [0-9]+ )/\1[$arch $name] /"
	log "$name: $pass passed, $fail failed"
	if ! grep -qx 'KOPS-E2E-RESULT: PASS' "$out/$name.tap" || [ "$fail" -ne 0 ] ||
	   [ "$pass" -eq 0 ]; then
		log "$name: FAIL (console log $logf.txt)"
		rc=1
	fi
	objdump_check "$name" "$out/$name.tap"
done
log "$([ $rc -eq 0 ] && echo PASS || echo FAIL) (output in $out)"
exit $rc
