#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# corpus-report.sh [-b SECONDS] DIR...
#
# One README table row per corpus group DIR (build/corpus/xdp-tools, ...):
# every object optimized with `prog optimize OBJ budget SECONDS`, then
# `prog equiv` of each object against its output.  Columns: objects
# read and written back, programs, programs made shorter, mean and median
# reduction in instructions over all programs, and prog equiv's verdicts
# on the programs that changed (equivalent / undecided / different / no
# verdict: prog equiv failed on the object).  Objects refused with a
# one-line reason are counted, not optimized; a crash or a failure
# without a reason stops the report, naming the object.
#
# Environment: BPFTOOL_EXT (default build/bpftool-ext).
set -euo pipefail

me=corpus-report.sh
budget=2
if [ "${1:-}" = -b ]; then
	budget=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: $me [-b SECONDS] DIR..." >&2; exit 2; }
bin=${BPFTOOL_EXT:-build/bpftool-ext}
[ -x "$bin" ] || { echo "$me: $bin not built (make)" >&2; exit 1; }
command -v jq >/dev/null || { echo "$me: jq not found (apt-get install jq)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "| Group | Objects (refused) | Programs | Made shorter | Mean / median reduction | prog equiv on changed: equivalent / undecided / different / no verdict |"
echo "|---|---|---|---|---|---|"
for dir in "$@"; do
	objs=0 refused=0
	: >"$tmp/red" ; : >"$tmp/eq"
	for o in "$dir"/*.o; do
		[ -e "$o" ] || continue
		rc=0
		"$bin" -j prog optimize "$o" budget "$budget" out "$tmp/out.o" \
			>"$tmp/opt.json" 2>/dev/null || rc=$?
		if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ -s "$tmp/opt.json" ] &&
		   jq -e 'has("error")' "$tmp/opt.json" >/dev/null 2>&1; then
			refused=$((refused + 1))	# a one-line reason
			continue
		fi
		if [ $rc -ne 0 ] || ! jq -e 'has("programs")' "$tmp/opt.json" >/dev/null 2>&1; then
			echo "$me: $o: prog optimize failed (exit $rc) without a reason" >&2
			exit 1
		fi
		objs=$((objs + 1))
		jq -r '.programs[] | "\(.name) \(.insns_before) \(.insns_after)"' \
			"$tmp/opt.json" >"$tmp/progs"
		changed=$(awk '$2 != $3 { print $1 }' "$tmp/progs")
		awk '$2 > 0 { printf "%.6f\n", ($2 - $3) / $2 }' "$tmp/progs" >>"$tmp/red"
		[ -n "$changed" ] || continue
		"$bin" -j prog equiv "$o" "$tmp/out.o" >"$tmp/eq.json" 2>/dev/null || true
		for p in $changed; do
			v=$(jq -r --arg p "$p" '.programs[]? | select(.name == $p) |
				if .equivalent == true then "equivalent"
				elif .equivalent == false then "different"
				else "undecided" end' "$tmp/eq.json" 2>/dev/null || true)
			echo "${v:-error}" >>"$tmp/eq"
		done
	done
	n=$(wc -l <"$tmp/red")
	shorter=$(awk '$1 > 0' "$tmp/red" | wc -l)
	stats=$(sort -g "$tmp/red" | awk '{ a[NR] = $1; s += $1 }
		END { if (!NR) { print "-"; exit }
		      m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		      printf "%.1f%% / %.1f%%", 100 * s / NR, 100 * m }')
	eq=$(grep -cx equivalent "$tmp/eq" || true)
	un=$(grep -cx undecided "$tmp/eq" || true)
	df=$(grep -cx different "$tmp/eq" || true)
	er=$(grep -cx error "$tmp/eq" || true)
	echo "| $(basename "$dir") | $objs ($refused) | $n | $shorter | $stats | $eq / $un / $df / $er |"
done
