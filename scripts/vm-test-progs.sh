#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm-test-progs.sh x86_64|arm64
#
# The series' upstream-shaped selftests, where bpf CI runs them: build
# test_progs with the kernel's own tools/testing/selftests/bpf Makefile
# (clang-19 for the BPF programs; on x86-64 the LLVM disassembler for
# __jited, which none of the Kops tests uses), then run
# "test_progs -t verifier_kops -t kops" as /init under QEMU on both kernels
# scripts/vmtest.sh built for ARCH: the default one (JIT and interpreter)
# and the debug one (KASAN, lockdep, BPF_JIT_ALWAYS_ON).  Prints TAP, one
# line per test and subtest.  On arm64, test_progs is cross-built with
# aarch64-linux-gnu-gcc against Debian's arm64 libelf, zlib, zstd, libcap
# and libssl (multiarch packages, scripts/install-deps.sh) and its libraries
# go into the initramfs as qemu-aarch64 running the arm64 dynamic loader
# lists them.  bpf_testmod.ko goes into the initramfs next to test_progs,
# which loads it as upstream's runner does: it registers the op of
# kops/module_op.  The test kernels have no BTF, so the module's kfuncs
# and struct_ops register nothing; no Kops test needs them.
#
# What the build needs that a tinyconfig test kernel does not give:
# - a vmlinux BTF for vmlinux.h: that of Debian's own 6.12 kernel for ARCH
#   (linux-image-6.12.*-{amd64,arm64}-unsigned, fetched with apt-get
#   download and unpacked here, not installed).  The amd64 vmlinuz is
#   compressed (extract-vmlinux, zstd); the arm64 one is a raw Image, not
#   an ELF file, so its .BTF section is found by its header and cut out;
# - that BTF lacks the union holding icsk_keepalive_timer in struct
#   inet_connection_sock, which bpf_iter_tcp4/6 read: it is put back in
#   vmlinux.h;
# - Debian's linux-source-6.12 carries prog_tests/bpf_attr_size.c without
#   the program it includes (a backport): it is kept out of the build
#   (moved aside while building, restored after).
#
# KOPS_BUILD as vmtest.sh (the tree in linux/ or KOPS_TREE, the kernels in
# obj-ARCH and obj-ARCH-debug); the build goes to KOPS_BUILD/selftests-ARCH
# and is kept between runs (the first one takes about 20 minutes on two
# cores for each ARCH).
set -euo pipefail

arch=${1:?usage: vm-test-progs.sh x86_64|arm64}
case $arch in
x86_64)
	karch=x86 cross= image=arch/x86/boot/bzImage debarch=amd64
	qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 2G)
	console=ttyS0 libdirs="/lib/x86_64-linux-gnu /lib64" tmo=1200
	;;
arm64)
	karch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image debarch=arm64
	qemu=(qemu-system-aarch64 -M virt -cpu max -smp 2 -m 2G)
	console=ttyAMA0 libdirs=/lib/aarch64-linux-gnu tmo=2400
	;;
*)
	echo "vm-test-progs.sh: unknown arch $arch" >&2
	exit 2
	;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${KOPS_BUILD:-$repo/build/kops}
src=${KOPS_TREE:-$B/linux}
obj=$B/obj-$arch
out=$B/selftests-$arch
# (x86-64 keeps the directory name it had before arm64 came)
deb=$B/deb
[ "$arch" = x86_64 ] || deb=$B/deb-$arch
st=$src/tools/testing/selftests/bpf
t0=$(date +%s)
log() { echo "vm-test-progs +$(($(date +%s) - t0))s: $*" >&2; }
die() { echo "vm-test-progs.sh: $*" >&2; exit 1; }

[ -f "$obj/$image" ] || die "no kernel in $obj (run scripts/vmtest.sh $arch)"
[ -f "$st/progs/verifier_kops.c" ] || die "no Kops selftests in $st"
mkdir -p "$out" "$deb"

# 1. vmlinux.h from the BTF of Debian's 6.12 kernel
if [ ! -f "$deb/vmlinux.h" ]; then
	pkg=$(apt-cache search --names-only "^linux-image-6\\.12\\.[0-9]+\\+deb12-$debarch-unsigned\$" |
	      awk '{ print $1 }' | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no linux-image-6.12.*-$debarch-unsigned package in the apt lists" \
		"$([ "$arch" = x86_64 ] || echo "(is $debarch added to dpkg's architectures?)")"
	log "fetching $pkg for its BTF"
	(cd "$deb" && rm -rf x ./*.deb && apt-get download -q "$pkg:$debarch" >/dev/null 2>&1) ||
		die "apt-get download $pkg:$debarch failed"
	dpkg-deb -x "$deb"/*.deb "$deb/x"
	if [ "$arch" = x86_64 ]; then
		# Debian compresses it with zstd: extract-vmlinux needs that tool.
		"$src/scripts/extract-vmlinux" "$deb"/x/boot/vmlinuz-* > "$deb/vmlinux" ||
			die "$pkg: extract-vmlinux found no kernel image in its vmlinuz"
	else
		# raw BTF: the header (magic 0xeB9F, version 1, hdr_len 24)
		# with the string section right after the type section
		python3 - "$deb"/x/boot/vmlinuz-* "$deb/vmlinux" <<'PY' ||
import struct, sys
d = open(sys.argv[1], "rb").read()
i, best = 0, None
while (i := d.find(b"\x9f\xeb\x01\x00\x18\x00\x00\x00", i)) >= 0:
    toff, tlen, soff, slen = struct.unpack_from("<4I", d, i + 8)
    n = 24 + soff + slen
    if toff == 0 and soff == tlen and slen and i + n <= len(d) and \
       (best is None or n > best[1]):
        best = (i, n)
    i += 1
if best is None:
    sys.exit("no BTF in " + sys.argv[1])
open(sys.argv[2], "wb").write(d[best[0]:best[0] + best[1]])
PY
			die "$pkg: no BTF found in its Image"
	fi
	bpftool btf dump file "$deb/vmlinux" format c > "$deb/vmlinux.h.tmp" ||
		die "$pkg: no BTF in its vmlinux"
	python3 - "$deb/vmlinux.h.tmp" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = ("\tstruct timer_list icsk_retransmit_timer;\n"
       "\tstruct timer_list icsk_delack_timer;\n"
       "\t__u32 icsk_rto;")
new = ("\tstruct timer_list icsk_retransmit_timer;\n"
       "\tstruct timer_list icsk_delack_timer;\n"
       "\tunion {\n\t\tstruct timer_list icsk_keepalive_timer;\n"
       "\t\tstruct timer_list mptcp_tout_timer;\n\t};\n"
       "\t__u32 icsk_rto;")
if old in s:
    s = s.replace(old, new, 1)
open(p, "w").write(s)
PY
	mv "$deb/vmlinux.h.tmp" "$deb/vmlinux.h"
	rm -rf "$deb/x" "$deb"/*.deb
fi

# 2. test_progs and bpf_testmod, with the tree's selftests Makefile
aside=
restore() { [ -z "$aside" ] || mv "$aside" "$st/prog_tests/bpf_attr_size.c"; }
trap restore EXIT
if [ -f "$st/prog_tests/bpf_attr_size.c" ] &&
   [ ! -f "$st/progs/cgroup_skb_direct_packet_access.c" ]; then
	aside=$out/bpf_attr_size.c.aside
	mv "$st/prog_tests/bpf_attr_size.c" "$aside"
	rm -f "$st/prog_tests/tests.h"
fi
# the .d files name light skeletons relative to a directory make is not in,
# so they go, and with them what makes a test object depend on its
# skeletons: the objects of the two tests run here are always rebuilt;
# bpf_testmod must match the kernel, which its rule does not depend on
rm -f "$out"/*.test.d "$out"/verifier.test.o "$out"/kops.test.o "$out"/bpf_testmod*.ko
log "building test_progs"
# BPF_GCC empty: with gcc-bpf installed (the corpus's second compiler),
# the Makefile would also build every object with Debian's GCC 12, which
# cannot compile them
make -s -C "$st" -j"${JOBS:-2}" ${cross:+ARCH=$karch CROSS_COMPILE=$cross} CLANG=clang-19 LLC=llc-19 LLVM_STRIP=llvm-strip-19 BPF_GCC= \
	LLVM_CONFIG=llvm-config-19 VMLINUX_BTF="$deb/vmlinux" VMLINUX_H="$deb/vmlinux.h" \
	KDIR="$obj" OUTPUT="$out" test_progs >"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log" >&2; die "the selftests build failed (see $out/build.log)"; }
restore
aside=
rm -f "$st/prog_tests/tests.h"
log "test_progs built"

# bpf_testmod once more for the debug kernel: a module loads only into a
# kernel of the configuration it was built for
objdbg=$B/obj-$arch-debug
if [ -f "$objdbg/$image" ]; then
	rm -f "$st/bpf_testmod/bpf_testmod.ko"
	make -s -C "$st/bpf_testmod" ${cross:+ARCH=$karch CROSS_COMPILE=$cross} KDIR="$objdbg" >>"$out/build.log" 2>&1 ||
		{ tail -n 20 "$out/build.log" >&2; die "bpf_testmod for the debug kernel did not build"; }
	cp "$st/bpf_testmod/bpf_testmod.ko" "$out/bpf_testmod-debug.ko"
	rm -f "$st/bpf_testmod/bpf_testmod.ko"
fi

# 3. initramfs per kernel: the runner, test_progs, its libraries, bpf_testmod
libs_of() {
	if [ -z "$cross" ]; then
		ldd "$1"
	else
		qemu-aarch64 /lib/ld-linux-aarch64.so.1 --list "$1" ||
			die "qemu-aarch64 cannot list the libraries of $1"
	fi
}
"${cross}gcc" -static -O2 -o "$out/init" "$repo/kernel-selftests/kops/test_progs_init.c"
gcc -O2 -o "$out/gen_init_cpio" "$src/usr/gen_init_cpio.c"
for variant in default debug; do
	mod=$out/bpf_testmod.ko
	[ "$variant" = debug ] && mod=$out/bpf_testmod-debug.ko
	{
		for d in /dev /proc /sys /lib $libdirs /tmp; do
			echo "dir $d 755 0 0"
		done
		echo "nod /dev/console 600 0 0 c 5 1"
		echo "file /init $out/init 755 0 0"
		echo "file /test_progs $out/test_progs 755 0 0"
		[ ! -f "$mod" ] || echo "file /bpf_testmod.ko $mod 644 0 0"
		for l in $(libs_of "$out/test_progs" | grep -o '/lib[^ ]*'); do
			echo "file $l $(readlink -f "$l") 755 0 0"
		done
	} > "$out/initramfs-$variant.list"
	"$out/gen_init_cpio" "$out/initramfs-$variant.list" > "$out/initramfs-$variant.cpio"
done

# 4. boot each kernel and run; every test and subtest is a TAP line
bad=0
tap=$out/tap.txt
: > "$tap"
for variant in default debug; do
	k=$obj
	[ "$variant" = debug ] && k=$objdbg
	if [ ! -f "$k/$image" ]; then
		echo "not ok - $variant: no kernel in $k" >> "$tap"
		continue
	fi
	log "booting the $variant kernel"
	run=$out/run-$variant
	timeout $tmo "${qemu[@]}" -nographic -no-reboot \
		-kernel "$k/$image" -initrd "$out/initramfs-$variant.cpio" \
		-append "console=$console panic=-1 loglevel=4" </dev/null >"$run.log" 2>&1 || true
	tr -d '\r' < "$run.log" | sed -n '/TEST-PROGS-BEGIN/,/^TEST-PROGS-RC/p' > "$run.txt"
	rc=$(sed -n 's/^TEST-PROGS-RC: //p' "$run.txt")
	summary=$(grep '^Summary' "$run.txt" || true)
	log "$variant: test_progs exited ${rc:-?}: ${summary:-no summary (see $run.log)}"
	# "#12/3 verifier_kops/name:OK" -> one TAP line, up to the error logs
	# test_progs repeats at the end
	sed -E '/^All error logs:/,$d' "$run.txt" |
	sed -nE 's/^#[0-9]+(\/[0-9]+)? +(.*):(OK|SKIP|FAIL)$/\3 \2/p' |
	while read -r res name; do
		case $res in
		OK) echo "ok - $variant: $name" ;;
		SKIP) echo "ok - $variant: $name # SKIP" ;;
		*) echo "not ok - $variant: $name" ;;
		esac
	done >> "$tap"
	# both tests ran and test_progs said so, the module op's subtest was
	# not skipped; the console has no splat
	for t in verifier_kops kops kops/module_op; do
		grep -qE "^#[0-9]+(/[0-9]+)? +$t:OK( |\$)" "$run.txt" ||
			echo "not ok - $variant: $t did not pass" >> "$tap"
	done
	[ "${rc:-1}" = 0 ] || echo "not ok - $variant: test_progs exited ${rc:-without a status}" >> "$tap"
	if grep -qE 'BUG:|WARNING:|Oops|Call Trace|Kernel panic' "$run.log"; then
		echo "not ok - $variant: the console has a splat (see $run.log)" >> "$tap"
	else
		echo "ok - $variant: no splat on the console" >> "$tap"
	fi
done
i=0
while IFS= read -r l; do
	i=$((i + 1))
	case $l in
	"not ok - "*) echo "not ok $i - ${l#not ok - }"; bad=1 ;;
	*) echo "ok $i - ${l#ok - }" ;;
	esac
done < "$tap"
echo "1..$i"
exit $bad
