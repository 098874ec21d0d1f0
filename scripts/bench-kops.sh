#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench (second part): what Kops form buys, measured on this machine.
#
#   1. native JIT image size (jited_prog_len) of every program of
#      bpftool-ext/examples/kops_e2e.c, as built (clang -O2) and after
#      `prog optimize ... budget 0 cache none kops auto`, on the x86_64 and arm64
#      kernels with the series (QEMU), against the Kops paper's 22.8%
#      (x86-64) and 12.1% (arm64) smaller;
#   2. run time of the x86-64 JIT images on this machine's CPU: the guest
#      prints them, build/bench/bench_kops_jit runs them in user space with
#      a fake struct xdp_buff, original and Kops side by side, against the
#      paper's 1.242x geometric-mean speed-up.
#
# Both come from scripts/kops-e2e.sh, which must pass first.  Environment:
# KOPS_BUILD (the kernels, default build/kops, as vmtest.sh), BENCH_ITERS
# (calls per timing, default 20000), BENCH_ROUNDS (default 201; many short
# rounds give stable medians on a loaded machine).  Results:
# build/bench/kops.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/bench/kops
res=build/bench/kops.md
iters=${BENCH_ITERS:-20000}
rounds=${BENCH_ROUNDS:-201}
mkdir -p "$out"
die() { echo "bench-kops.sh: $*" >&2; exit 1; }
export LC_ALL=C	# for sort and join

# "ARCH IMAGE (sha1 ..., DATE)": which kernel the figures come from
kernel() {
	local f=${KOPS_BUILD:-build/kops}/obj-$1/$2
	printf '%s %s (sha1 %.12s, %s)' "$1" "$f" "$(sha1sum <"$f")" "$(date -u -r "$f" '+%F %H:%M UTC')"
}

# taken before the runs: others may rebuild the kernels meanwhile
kernels="$(kernel x86_64 arch/x86/boot/bzImage 2>/dev/null || true), $(kernel arm64 arch/arm64/boot/Image 2>/dev/null || true)"
for arch in x86_64 arm64; do
	echo "bench-kops: end-to-end run on $arch" >&2
	KOPS_E2E_OUT=$out/$arch scripts/kops-e2e.sh "$arch" >"$out/$arch.tap" ||
		die "kops-e2e.sh $arch failed (see $out/$arch); no figures from a failing test"
done
make -s build/bench/bench_kops_jit

# "# size NAME ORIG KOPS NATIVE-OFF" lines of a guest run
sizes() { sed -n 's/^# size //p' "$out/$1/default.tap"; }

{
echo "## Kops: native JIT image size (jited_prog_len, bytes)"
echo
echo "Programs: bpftool-ext/examples/kops_e2e.c (clang -O2), optimized with"
echo "\`bpftool-ext prog optimize kops_e2e.o budget 0 cache none kops auto target"
echo "bpftool-ext/tests/data/kops-ARCH.txt\`; sizes from linux-source-6.12 with patches/"
echo "under QEMU (-cpu max): $kernels."
echo
echo "| Program | x86-64 before | after | change | arm64 before | after | change |"
echo "|---|---:|---:|---:|---:|---:|---:|"
join <(sizes x86_64 | sort) <(sizes arm64 | sort) |
awk '{
	printf "| %s | %d | %d | %+.1f%% | %d | %d | %+.1f%% |\n", $1, $2, $3,
		100 * ($3 - $2) / $2, $5, $6, 100 * ($6 - $5) / $5
	xo += $2; xk += $3; ao += $5; ak += $6
	xl += log($3 / $2); al += log($6 / $5); n++
} END {
	printf "| **total** | %d | %d | %+.1f%% | %d | %d | %+.1f%% |\n", xo, xk,
		100 * (xk - xo) / xo, ao, ak, 100 * (ak - ao) / ao
	printf "\nThe Kops paper: 22.8%% smaller on x86-64, 12.1%% on arm64; here %.1f%% and %.1f%% in total",
		100 * (xo - xk) / xo, 100 * (ao - ak) / ao
	printf ", %.1f%% and %.1f%% by the geometric mean of the per-program ratios.\n",
		100 * (1 - exp(xl / n)), 100 * (1 - exp(al / n))
}'
echo
# the images of the CPU variant this machine can run
variant=default
if ! grep -qw bmi1 /proc/cpuinfo || ! grep -qw movbe /proc/cpuinfo; then
	variant=no-bmi-movbe
fi
echo "## Kops: run time of the x86-64 JIT images on this CPU"
echo
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg); images of the '$variant' guest;"
echo "median of $rounds rounds of $iters calls each, original and Kops alternating;"
echo "256-byte Ethernet/IPv4/TCP packets: one packet over and over, and 1024"
echo "varied packets in turn (build/bench/bench_kops_jit)."
echo
echo "| Program | bytes before | after | ns/run before | after | speed-up | 1024 packets: ns before | after | speed-up | results |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
build/bench/bench_kops_jit "$out/x86_64/$variant.log.txt" "$iters" "$rounds" >"$out/timing.tsv" ||
	die "bench_kops_jit failed or found different results (see $out/timing.tsv)"
awk -F'\t' '$1 == "geomean" { g1 = $2; g2 = $3; next }
	{ printf "| %s | %s | %s | %s | %s | %sx | %s | %s | %sx | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }
	END { printf "\nGeometric mean speed-up %sx on one packet, %sx on 1024 packets (the Kops paper: 1.242x on x86-64 microbenchmarks).\n", g1, g2 }' \
	"$out/timing.tsv"
echo
echo "Reproduce: KOPS_BUILD=DIR scripts/bench-kops.sh (needs the kernels of"
echo "scripts/vmtest.sh in DIR); or, step by step:"
echo "KOPS_E2E_OUT=$out/x86_64 scripts/kops-e2e.sh x86_64 &&"
echo "build/bench/bench_kops_jit $out/x86_64/$variant.log.txt $iters $rounds"
} >"$res"
cat "$res"
