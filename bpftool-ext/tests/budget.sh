#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bpftool-ext/tests/budget.sh BPFTOOL_EXT BUDGET OBJ...
#
# `budget SECONDS` is a deadline for the whole of `prog optimize`: the
# search, its proofs, the safety analysis and the kernel check.  What it
# cannot cut short is stated in bpfext_opt.h: the checks of the input
# (the kernel's verdicts and the safety analysis, done first and reported
# as input_load_s and input_safety_s: C in all), the same checks of the
# output, which take up to about as long again plus the building of its
# image, and a small constant (clean-ups, writing, a proof that began
# just before the end).  When the input's checks take most of the
# budget, the search still gets a tenth of it.  So every run must end
# within
#
#	max(BUDGET, C + BUDGET / 10) + 2 C + SLACK
#
# with SLACK 4 s (the largest objects are 80,000 instructions, and the
# test runs beside the kernel group), and report the wall time it took.  Prints TAP; an
# object the command refuses with a one-line reason is a skip.
set -u

bin=$1 budget=$2
shift 2
slack=4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0 bad=0
for obj in "$@"; do
	i=$((i + 1))
	name=${obj#build/corpus/}
	s=$(date +%s.%N)
	"$bin" -j prog optimize "$obj" budget "$budget" cache none \
		out "$tmp/o.o" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	e=$(date +%s.%N)
	if [ $rc -ne 0 ]; then
		# refused with a one-line reason: not a run of the search
		if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^Error: ' "$tmp/err"; then
			echo "ok $i - $name # SKIP $(cat "$tmp/err")"
		else
			echo "not ok $i - $name: exit $rc without a one-line reason"
			bad=1
		fi
		continue
	fi
	if jq -e --argjson b "$budget" --argjson s "$slack" --argjson took "$(echo "$e - $s" | bc)" '
		.search.wall_s as $w | (.search.input_load_s + .search.input_safety_s) as $l |
		(([$b, $l + $b / 10] | max) + 2 * $l + $s) as $limit |
		$w > 0 and $w <= $took and $took <= $limit + 0.5 and $w <= $limit' \
		"$tmp/out" >/dev/null; then
		echo "ok $i - $name: $(jq -r '"\(.search.wall_s * 10 | round / 10) s (kernel on the input \(.search.input_load_s * 10 | round / 10) s), \(.search.unsearched_windows) of \(.search.windows) windows unsearched"' "$tmp/out")"
	else
		echo "not ok $i - $name: $(echo "$e - $s" | bc) s, $(jq -c '.search | {wall_s, input_load_s, windows, unsearched_windows, dropped_at_deadline}' "$tmp/out" 2>/dev/null) over budget $budget"
		bad=1
	fi
done
echo "1..$i"
exit $bad
