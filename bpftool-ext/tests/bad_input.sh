#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# bad_input.sh BPFTOOL_EXT MKBAD GOOD.o [LEGACY_MAP_IN_MAP.o [BIG_ENDIAN_DIR]]
#
# Every damaged input must give exactly one "Error: FILE: ..." line, a
# non-zero exit below 128 (no crash, no sanitizer abort), and no output file.
set -u
bin=$1 mkbad=$2 good=$3 legacy=${4:-} bigendian=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

# expect_error NAME INPUT PATTERN [ARGS...]: run prog optimize INPUT out OUT.
expect_error() {
	local name=$1 input=$2 pattern=$3 out=${OUT:-$tmp/out-$1.o} rc lines
	shift 3
	timeout 60 "$bin" prog optimize "$input" out "$out" "$@" \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	lines=$(wc -l <"$tmp/stderr")
	if [ $rc -ne 0 ] && [ $rc -lt 124 ] && [ "$lines" -eq 1 ] &&
	   grep -q "^Error: .*$pattern" "$tmp/stderr" &&
	   { [ -d "$out" ] || [ ! -e "$out" ]; } && [ ! -s "$tmp/stdout" ] && [ -z "$(ls -A "$(dirname "$out")" 2>/dev/null | grep '^\.bpftool-ext')" ]; then
		tap 0 "$name: $(cat "$tmp/stderr")"
	else
		tap 1 "$name: rc=$rc, stderr: $(head -c 300 "$tmp/stderr" | tr '\n' '|')"
	fi
}

damaged() { # MODE -> path of a damaged copy of $good
	"$mkbad" "$1" "$good" "$tmp/$1.o" && echo "$tmp/$1.o"
}

expect_error missing-file "$tmp/nope.o" "$tmp/nope.o: No such file"
printf 'not an object\n' >"$tmp/text.o"
expect_error not-elf "$tmp/text.o" "text.o: not an ELF file"
expect_error non-bpf-elf "$mkbad" "mkbad: not a .*object"
: >"$tmp/empty.o"
expect_error empty-file "$tmp/empty.o" "empty.o: not an ELF file"
expect_error truncated "$(damaged truncate)" "truncate.o: "
expect_error corrupt-shdr "$(damaged shdr)" "shdr.o: corrupt section headers"
expect_error wrong-machine "$(damaged machine)" "machine.o: not a BPF object"
expect_error unknown-opcode "$(damaged opcode)" "opcode.o: section .*: insn [0-9]*: .*opcode"
expect_error jump-out-of-range "$(damaged jump)" "jump.o: section .*: insn [0-9]*: jump to [0-9]* is out of range"
expect_error broken-ldimm64 "$(damaged ldimm64)" "ldimm64.o: section .*: insn [0-9]*: "
expect_error falls-off-the-end "$(damaged fallthrough)" "fallthrough.o: section .*: insn [0-9]*: the last instruction of a function is not an exit or a jump"
expect_error reloc-missing-symbol "$(damaged reloc-sym)" "reloc-sym.o: section .*: relocation #0 references missing symbol"
expect_error reloc-outside-section "$(damaged reloc-off)" "reloc-off.o: section .*: relocation #0 at offset .* is outside the section"
expect_error reloc-wrong-insn "$(damaged reloc-insn)" "reloc-insn.o: section .*: relocation against .* is not on an ld_imm64"
if [ -n "$legacy" ]; then
	for m in legacy-offset-wrap legacy-inner-self legacy-inner-negative; do
		"$mkbad" $m "$legacy" "$tmp/$m.o" || echo "# mkbad $m failed"
	done
	expect_error legacy-map-offset-wraps "$tmp/legacy-offset-wrap.o" \
		"legacy-offset-wrap.o: legacy map outer at offset [0-9]* lies outside the maps section"
	expect_error legacy-map-is-its-own-inner "$tmp/legacy-inner-self.o" \
		"legacy-inner-self.o: legacy map outer: inner map index 2 is not another map of the section"
	expect_error legacy-map-inner-index-negative "$tmp/legacy-inner-negative.o" \
		"legacy-inner-negative.o: legacy map outer: inner map index 2147483648 is not another map"
	# Five-field definitions (cilium/ebpf's testdata): read and optimized
	# like any other; only loading needs the inner map its loader supplies.
	if [ "$(id -u)" = 0 ]; then
		expect_error legacy-map-of-maps-without-inner "${legacy%/*}/legacy_mim_noinner.o" \
			"legacy_mim_noinner.o: program noinner_prog: map outer: a map of maps with no inner map in the object (inner_map_idx): its own loader supplies one" verify
	fi
fi
# Objects from the wild: cilium/ebpf's big-endian testdata.
if [ -n "$bigendian" ]; then
	for f in "$bigendian"/*.elf; do
		expect_error "big-endian-$(basename "$f" .elf)" "$f" \
			"$(basename "$f"): big-endian BPF objects are not supported"
	done
fi
OUT=/proc/version/out.o expect_error unwritable-output "$good" "/proc/version/out.o: cannot create a file in /proc/version"
mkdir -p "$tmp/ro" && OUT="$tmp/ro/missing-dir/out.o" \
	expect_error missing-output-dir "$good" "missing-dir/out.o: cannot create a file"
mkdir -p "$tmp/adir"
OUT="$tmp/adir" expect_error output-is-a-directory "$good" "adir: is a directory"
expect_error unknown-prog "$good" "no program named 'nosuch'" prog nosuch
expect_error unknown-type "$good" "unknown program type 'bogus'" type bogus
expect_error bad-keyword "$good" "expected no more arguments" frobnicate

# A failed run must not replace an existing output file.
echo keep >"$tmp/existing.o"
"$bin" prog optimize "$(damaged opcode)" out "$tmp/existing.o" 2>/dev/null
[ "$(cat "$tmp/existing.o")" = keep ]
tap $? "existing output file is left alone when the input is bad"

finish
