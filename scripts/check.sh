#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test of the project and end with one line "N passed, N failed".
# Called by `make check` (which installs missing packages first).
#
# Environment:
#   FUZZ_SECONDS   time per libFuzzer harness (default 60)
#   FUZZ_SEED      libFuzzer seed (default 1)
#   CHECK_ONLY     space-separated step names to run (default: all)
#   JOBS           parallel make jobs (default 2)
#   KOPS_BUILD     kernel trees and builds of the QEMU steps
#                  (default ~/.cache/bpftool-ext/kops, kept between runs)
set -u
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SEED=${FUZZ_SEED:-1}
JOBS=${JOBS:-2}
LOG=build/check
# Kernel trees and builds of the QEMU steps are kept between runs, like a
# compiler cache: a rerun only rebuilds what the series changed.
export KOPS_BUILD=${KOPS_BUILD:-${HOME:-/root}/.cache/bpftool-ext/kops}
# Optimizer runs of the tests keep their rule cache here, not in ~/.cache.
export XDG_CACHE_HOME="$PWD/$LOG/xdg-cache"
mkdir -p "$LOG"
passed=0 failed=0 skipped=0
start=$(date +%s)

want() { [ -z "${CHECK_ONLY:-}" ] || [[ " $CHECK_ONLY " == *" $1 "* ]]; }
note() { printf '==> %s\n' "$*"; }

# step NAME CMD...: one check, passed when CMD exits 0.
step() {
	local name=$1 t0=$(date +%s) rc
	shift
	want "$name" || return 0
	note "$name"
	"$@" >"$LOG/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $name ($(( $(date +%s) - t0 ))s)"
	else
		failed=$((failed + 1))
		echo "not ok - $name (exit $rc, see $LOG/$name.log)"
		tail -n 20 "$LOG/$name.log" | sed 's/^/    | /'
	fi
}

# tap NAME CMD...: CMD prints TAP; every "ok"/"not ok" line counts.
tap() {
	local name=$1 t0=$(date +%s) rc p f s
	shift
	want "$name" || return 0
	note "$name"
	"$@" >"$LOG/$name.tap" 2>"$LOG/$name.err"
	rc=$?
	s=$(grep -c '^ok .*# SKIP' "$LOG/$name.tap")
	p=$(( $(grep -c '^ok ' "$LOG/$name.tap") - s ))
	f=$(grep -c '^not ok ' "$LOG/$name.tap")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# died without saying which check failed
		echo "not ok - $name exited $rc"
		tail -n 20 "$LOG/$name.err" | sed 's/^/    | /'
	fi
	if [ $((p + f + s)) -eq 0 ] && grep -q '^1\.\.0 # SKIP' "$LOG/$name.tap"; then
		s=1	# skipped as a whole, and says why
	elif [ $((p + f + s)) -eq 0 ]; then
		f=1	# a test that checks nothing must not pass
		echo "not ok - $name ran no checks"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "$name: $p passed, $f failed, $s skipped ($(( $(date +%s) - t0 ))s)"
	grep '^not ok ' "$LOG/$name.tap" | head -n 20 | sed 's/^/    /'
}

have_bpf() { [ "$(id -u)" -eq 0 ] && bpftool prog show >/dev/null 2>&1; }

# Builds: warning-free under gcc and clang, and a sanitizer build for tests.
step build-gcc make -j"$JOBS" CC=gcc WERROR=1 O=build/gcc
step build-clang make -j"$JOBS" CC=clang WERROR=1 O=build/clang
step build make -j"$JOBS"
step build-san make -j"$JOBS" SAN=1
SAN=build/san
# The library's layer rule (README "Layout"), on the objects of the plain
# build: no file includes or calls a layer above its own.
tap layers scripts/check-layers.sh build
# The public surface: prefixed symbols, src/ on the public headers only,
# options structs with their size.
tap exports bpftool-ext/tests/exports.sh build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The kernel group: the series built, booted and tested under QEMU, and
# the proofs of its emitters.  It needs nothing from the user-space tests
# but the builds above, and most of both halves is one process at a time,
# so on two cores it runs beside them (CHECK_SERIAL=1: after them).  Its
# output goes to $LOG/kernel-group.out and is printed when it ends; its
# counts are added to the total.
kernel_group() {
	passed=0 failed=0 skipped=0
	# The kernel series, booted under QEMU on both architectures.
	for arch in x86_64 arm64; do
		[ -x scripts/vmtest.sh ] && step "vmtest-$arch" scripts/vmtest.sh "$arch"
	done
	# The series' own selftests in tools/testing/selftests/bpf, built with the
	# tree's Makefile and run by test_progs on both kernels vmtest built for
	# each architecture (arm64: cross-built, run under TCG).
	for arch in x86_64 arm64; do
		[ -x scripts/vm-test-progs.sh ] &&
			tap "test-progs-$arch" scripts/vm-test-progs.sh "$arch"
	done
	# Objects optimized into Kops form, loaded and compared on the kernels
	# vmtest built (in KOPS_BUILD).
	for arch in x86_64 arm64; do
		[ -x scripts/kops-e2e.sh ] && tap "kops-e2e-$arch" scripts/kops-e2e.sh "$arch"
	done
	# bpftool from the tree vmtest prepared, handing commands to bpftool-ext.
	[ -d "$KOPS_BUILD/linux/tools/bpf/bpftool" ] &&
		tap bpftool-plugin scripts/test-bpftool-plugin.sh build/bpftool-ext
	# Z3/cvc5 proofs that every EInsn native emit (the bytes the kernel's
	# emitters produce, x86-64 and arm64) computes its proof sequence, the
	# models validated on the CPU and under qemu-aarch64, the mutants refuted
	# (proofs/README.md; a few minutes on two cores, table in the log).
	step proofs make proofs
	# make proofs re-extracted gen/ from the tree vmtest prepared: the
	# committed snapshot, which make proofs uses without a tree, must match.
	step proofs-gen-current proofs/scripts/gen-drift.sh
	echo "$passed $failed $skipped" >"$LOG/kernel-group.counts"
}
rm -f "$LOG/kernel-group.counts"
if [ -n "${CHECK_SERIAL:-}" ]; then
	kpid=
else
	note "kernel group (QEMU steps, proofs): running beside the rest, output in $LOG/kernel-group.out"
	kernel_group >"$LOG/kernel-group.out" 2>&1 &
	kpid=$!
fi

# The corpus first: several unit tests replay its programs.
step corpus scripts/build-corpus.sh
corpus=(build/corpus/samples/*.o build/corpus/selftests/*.o)

# Unit tests: every argument-less test_* program, under ASan/UBSan.
for t in bpftool-ext/tests/test_*.c; do
	name=$(basename "$t" .c)
	grep -q 'ARGS-REQUIRED' "$t" && continue
	# The mutation test is about the kernel agreeing with the checker,
	# and takes minutes; it runs from the plain build.
	if [ "$name" = test_equiv_mutation ]; then
		tap "$name" "build/tests/$name"
		continue
	fi
	tap "$name" "$SAN/tests/$name"
done


tap roundtrip-stress "$SAN/tests/test_roundtrip" "${corpus[@]}"
# LPM tries: updates, deletes and lookups driven by packet bytes, the
# interpreter's longest-prefix match against the kernel's trie
if have_bpf; then
	BPFEXT_PACKETS=2000 tap interp-lpm "$SAN/tests/test_interp_kernel" \
		build/tests/progs/lpm_trie.o
else
	echo "interp-lpm: skipped (needs root and bpf())"
	skipped=$((skipped + 1))
fi
if have_bpf; then
	tap roundtrip-kernel build/tests/test_roundtrip -l -s "${corpus[@]}"
else
	echo "roundtrip-kernel: skipped (needs root and bpf())"
	skipped=$((skipped + 1))
fi
# The safety analysis is sound relative to the kernel: no program the
# kernel loads may be reported unsafe.  And useful: -m 68, at least 68%
# of the programs the kernel loads proven safe (417 of 606, 68.8%, on
# this corpus; the rest are BTF-typed pointers, context writes not
# modelled, unlinkable programs and offsets the loader sets: README).
if have_bpf; then
	tap safety-corpus "$SAN/tests/test_safety_corpus" -m 68 "${corpus[@]}"
else
	echo "safety-corpus: skipped (needs root and bpf())"
	skipped=$((skipped + 1))
fi
# Issue #12: both builds loaded by libbpf against the running kernel (CO-RE,
# externs and global data resolved by the real loader) and replayed with
# BPF_PROG_TEST_RUN: r0, packets and every map must agree.  The whole
# corpus (each object's search cut at 3 s); then the group rich in
# load-time values - against the btf__core_reloc_* targets too, with
# .rodata/.data changed before load, and BCC's libbpf-tools - where prog
# equiv must also call no changed program "different".  -o: objects
# libbpf cannot open (linked_*, subskeletons, usdt_multispec, two legacy
# samples; in the group, linked_vars and subskeletons).
if have_bpf; then
	tap replay-kernel build/tests/test_optimize -K -T 3 -o 12 -b 0 "${corpus[@]}"
	targets=()
	while read -r o b; do
		targets+=("build/corpus/$o@build/corpus/$b")
	done <build/corpus/core/targets.tsv
	tap replay-core build/tests/test_optimize -K -D -E -T 3 -o 5 -b 1 \
		build/corpus/core/*.o "${targets[@]}" \
		$(ls build/corpus/libbpf-tools/*.o 2>/dev/null)
else
	echo "replay-kernel, replay-core: skipped (needs root and bpf())"
	skipped=$((skipped + 2))
fi
# Objects of Debian's xdp-tools, libxdp1 and cilium/ebpf testdata, which
# nobody here wrote: read and written back, loaded alike, optimized,
# replayed in the kernel and equiv-checked like the rest.  -o 1:
# fwd_decl, whose extern function only cilium/ebpf links.
debian=($(ls build/corpus/xdp-tools/*.o build/corpus/cilium/*.o 2>/dev/null))
if [ ${#debian[@]} -eq 0 ]; then
	echo "roundtrip-debian, replay-debian: skipped (no xdp-tools or cilium objects; build-corpus.sh says why)"
	skipped=$((skipped + 1))
else
	tap roundtrip-debian "$SAN/tests/test_roundtrip" "${debian[@]}"
	if have_bpf; then
		tap roundtrip-debian-kernel build/tests/test_roundtrip -l -s "${debian[@]}"
		tap replay-debian build/tests/test_optimize -K -D -E -T 3 -o 1 -b 1 "${debian[@]}"
	fi
fi
# A second compiler: the selftests GCC 12's BPF backend builds.  -r 18:
# objects whose calls no loader resolves (undefined helpers, subprogram
# calls GCC 12 encodes wrongly; libbpf refuses each of them too), each
# a skip with the reader's reason.  -o 50: objects libbpf cannot open.
gccbpf=($(ls build/corpus/gcc-bpf/*.o 2>/dev/null))
if [ ${#gccbpf[@]} -eq 0 ]; then
	echo "roundtrip-gcc, replay-gcc: skipped (no gcc-bpf objects; build-corpus.sh says why)"
	skipped=$((skipped + 1))
else
	tap roundtrip-gcc "$SAN/tests/test_roundtrip" -r 18 "${gccbpf[@]}"
	if have_bpf; then
		tap roundtrip-gcc-kernel build/tests/test_roundtrip -l -s -r 18 "${gccbpf[@]}"
		tap replay-gcc build/tests/test_optimize -K -D -E -T 3 -o 50 -r 18 -b 1 "${gccbpf[@]}"
	fi
fi
# The superoptimizer end to end: proven rewrites, the kernel's verdict,
# and the interpreter finding the same outcomes before and after.
# cpustat and xdp_monitor: comparisons with 64-bit constants (cmp_imm.c).
k2=(samples/xdp1.o samples/xdp2.o samples/xdp_fwd.o samples/sockex3.o
    samples/syscall_tp.o samples/xdp_router_ipv4.o selftests/test_l4lb.o
    selftests/test_xdp_noinline.o samples/cpustat.o samples/xdp_monitor.o)
# -S 12: the interpreter cannot run the six tp_btf programs of xdp_monitor
# and of xdp_router_ipv4 (their context holds kernel pointers it does not
# model: every input faults); any other program it cannot run fails.
tap optimize "$SAN/tests/test_optimize" -S 12 -b 4 "${k2[@]/#/build/corpus/}"
# `budget` is a deadline for the whole command, on the largest objects of
# the corpus (what it cannot cut short: bpftool-ext/tests/budget.sh).
tap budget bpftool-ext/tests/budget.sh build/bpftool-ext 2 \
	build/corpus/selftests/{pyperf600,pyperf180,strobemeta,test_verif_scale2,core_kern}.o \
	build/corpus/libbpf-tools/klockstat.bpf.o build/corpus/xdp-tools/xdp-bench-3.bpf.o
# EInsn recognition (Kops form) on the same programs, in the interpreter.
tap optimize-kops "$SAN/tests/test_optimize" -S 12 -k -b 0 "${k2[@]/#/build/corpus/}"
tap bad-input bpftool-ext/tests/bad_input.sh "$SAN/bpftool-ext" "$SAN/tests/mkbad" \
	build/examples/xdp_count.o build/tests/progs/legacy_map_in_map.o \
	$( [ -d build/corpus/cilium-be ] && echo build/corpus/cilium-be)
# legacy_maps.o: a legacy "maps" section with global data and a
# subprogram, linked and relocated by bpftool-ext itself;
# legacy_map_in_map.o: an array of maps with inner_map_idx.
tap cli bpftool-ext/tests/cli.sh "$SAN/bpftool-ext" build/examples/xdp_count.o \
	build/tests/progs/legacy_maps.o build/tests/progs/legacy_map_in_map.o \
	build/tests/progs/pin_by_name.o build/tests/progs/static_prog.o \
	build/tests/progs/prog_array_init.o build/tests/progs/unsized_map.o
[ -x bpftool-ext/tests/completion.sh ] &&
	tap completion bpftool-ext/tests/completion.sh build/bpftool-ext build/examples/xdp_count.o
[ -x bpftool-ext/tests/manpages.sh ] &&
	tap manpages bpftool-ext/tests/manpages.sh build
# bpftool-ext's copy of the series' UAPI header is the series' own
tap uapi-copy bpftool-ext/tests/uapi_copy.sh

install_tree() {
	local d
	d=$(mktemp -d) && make install DESTDIR="$d" PREFIX=/usr &&
		[ -x "$d/usr/sbin/bpftool-ext" ] &&
		[ -f "$d/usr/share/man/man8/bpftool-ext-prog.8" ] &&
		[ -f "$d/usr/share/bash-completion/completions/bpftool-ext" ]
	local rc=$?
	rm -rf "$d"
	return $rc
}
step install install_tree

# Bounded fuzzing of the decoder and the object reader.
step fuzz-build make fuzz
fuzz() {
	local h=$1 seeds=$LOG/seeds-$1 work=$LOG/corpus-$1
	mkdir -p "$seeds" "$work"
	cp build/examples/*.o "$seeds/"
	ls -S build/corpus/samples/*.o | tail -n 12 | xargs -r cp -t "$seeds/"
	# Inputs that once crashed a harness are replayed first; a fixed seed
	# makes a failure reproducible with the same command.
	cp bpftool-ext/fuzz/regress/"$h"/* "$seeds/" 2>/dev/null || true
	build/fuzz/"$h" -seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" \
		-timeout=10 -rss_limit_mb=4096 -max_len=65536 \
		-artifact_prefix="$LOG/$h-" "$work" "$seeds"
}
for h in build/fuzz/*; do
	[ -x "$h" ] && step "fuzz-$(basename "$h")" fuzz "$(basename "$h")"
done

if [ -n "$kpid" ]; then
	wait "$kpid"
	cat "$LOG/kernel-group.out"
else
	p0=$passed f0=$failed s0=$skipped
	kernel_group
	passed=$p0 failed=$f0 skipped=$s0
fi
if read -r kp kf ks <"$LOG/kernel-group.counts" 2>/dev/null; then
	passed=$((passed + kp)) failed=$((failed + kf)) skipped=$((skipped + ks))
else
	failed=$((failed + 1))
	echo "not ok - kernel group ended without its counts (see $LOG/kernel-group.out)"
fi

echo "check finished in $(( $(date +%s) - start ))s; $skipped skipped; logs in $LOG"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
