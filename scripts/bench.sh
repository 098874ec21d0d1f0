#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the figures of the README, measured on this machine.
#
#   1. the superoptimizer on the K2 benchmark programs: instruction slots
#      at clang -O1/-O2/-O3, after `prog optimize` of the -O2 build, time
#      to the best program, K2's published reduction, and run time under
#      BPF_PROG_TEST_RUN before and after (needs root);
#   2. the interpreter: interpreted instructions per second;
#   3. the equivalence checker: time per window query.
#
# Environment: BENCH_BUDGET (seconds per object, default 60), BENCH_JOBS
# (default 2).  Results: build/bench/results.md.
set -u
cd "$(dirname "$0")/.."

BUDGET=${BENCH_BUDGET:-60}
JOBS=${BENCH_JOBS:-2}
out=build/bench
mkdir -p "$out"
res=$out/results.md
bin=build/bpftool-ext

scripts/build-corpus.sh >/dev/null 2>&1 || { echo "bench: corpus build failed" >&2; exit 1; }

# K2's published reductions (SIGCOMM'21) for the programs we also have.
k2_of() {
	case $1 in
	xdp1) echo "-8.2%" ;;
	xdp2) echo "-9.0%" ;;
	xdp_fwd) echo "-17.4%" ;;
	xdp_router_ipv4) echo "-10.8%" ;;
	sockex3) echo "-6 to -7%" ;;
	xdp_monitor|syscall_tp) echo "-11 to -17%" ;;
	test_l4lb|test_xdp_noinline) echo "-9.3% (Katran)" ;;
	*) echo "n/a" ;;
	esac
}

# slots OBJ: "name slots" per program, as loaded.
slots() {
	"$bin" -j prog optimize "$1" budget 0 2>/dev/null |
		jq -r '.programs[] | "\(.name) \(.insns_before)"'
}

progs=(samples/xdp1 samples/xdp2 samples/xdp_fwd samples/xdp_router_ipv4
       samples/sockex3 samples/syscall_tp samples/xdp_monitor
       selftests/test_l4lb selftests/test_xdp_noinline)

{
echo "## Superoptimizer (budget ${BUDGET} s per object, ${JOBS} jobs, seed 0)"
echo
echo "| Program | -O1 | -O2 | -O3 | optimized -O2 | reduction | K2 (published) | time to best (s) | test_run ns before | after |"
echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$res"

# One rule cache for the run, empty at its start: what the search finds
# in one program is tried first in the later ones.
rm -f "$out/rules"
for p in "${progs[@]}"; do
	name=$(basename "$p")
	o2=build/corpus/$p.o
	[ -f "$o2" ] || continue
	opt=$out/$name.opt.o
	"$bin" -j prog optimize "$o2" budget "$BUDGET" jobs "$JOBS" out "$opt" \
		cache "$out/rules" \
		>"$out/$name.json" 2>"$out/$name.err" || { echo "bench: $name failed" >&2; continue; }
	declare -A s1=() s3=() lat_a=() lat_b=()
	while read -r n c; do s1[$n]=$c; done < <(slots "build/corpus/O1/$name.o")
	while read -r n c; do s3[$n]=$c; done < <(slots "build/corpus/O3/$name.o")
	if [ "$(id -u)" -eq 0 ]; then
		while IFS=$'\t' read -r n a b; do
			lat_a[$n]=$a lat_b[$n]=$b
		done < <(build/bench/bench_latency "$o2" "$opt" 20000 2>/dev/null)
	fi
	jq -r '.programs[] | "\(.name) \(.insns_before) \(.insns_after) \(.time_to_best_s)"' \
		"$out/$name.json" | while read -r n before after ttb; do
		red=$(awk -v b="$before" -v a="$after" 'BEGIN { printf "%.1f%%", b ? 100 * (a - b) / b : 0 }')
		printf '| %s/%s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s |\n' \
			"$name" "$n" "${s1[$n]:--}" "$before" "${s3[$n]:--}" "$after" \
			"$red" "$(k2_of "$name")" "$ttb" "${lat_a[$n]:--}" "${lat_b[$n]:--}"
	done >>"$res"
	unset s1 s3 lat_a lat_b
done

{
echo
echo "The programs run in the order listed, sharing one rule cache that"
echo "starts empty; $(grep -vc '^#' "$out/rules" 2>/dev/null || echo 0) rules at the end."
echo
echo "test_run ns: median of 5 rounds of 20000 runs (the two builds in turns),"
echo "summed over the 8 representative packets of bpfext_measure(), on this"
echo "machine's CPU and kernel JIT; '-' where the program type has no test_run."
echo
echo "## Interpreter"
echo
echo '```'
build/bench/bench_interp build/corpus/samples/xdp1.o build/corpus/samples/xdp2.o \
	build/corpus/samples/xdp_fwd.o build/corpus/selftests/test_l4lb.o \
	build/corpus/selftests/test_xdp_noinline.o 2>&1 | tail -n 8
echo '```'
echo
echo "## Equivalence checker (window queries, K2's speed-ups on and off)"
echo
echo "CPU time per query on windows of the corpus; -s names what is off."
echo
echo '```'
for sw in "" "-s cache" "-e offset" "-s modular" "-s modular -e offset"; do
	# shellcheck disable=SC2086
	build/bench/bench_equiv $sw -n 150 build/corpus/samples/xdp1.o \
		build/corpus/samples/xdp2.o build/corpus/samples/xdp_fwd.o \
		build/corpus/O1/xdp1.o build/corpus/O3/xdp2.o 2>&1 | tail -n 5
	echo
done
echo '```'
} >>"$res"

cat "$res"
