#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# extract-bpf-objects.sh OUTDIR EXECUTABLE...
#
# Copy the BPF ELF objects that executables embed (libbpf skeletons keep
# theirs as a byte array, as BCC's libbpf-tools do) to OUTDIR/NAME.bpf.o,
# or NAME-K.bpf.o when one executable holds several.  An embedded object
# is an ELF header (7f 45 4c 46, 64-bit, little endian) whose e_machine
# is EM_BPF (247); it ends where the last of its section contents and
# its section header table ends.  Prints one line per object; an
# executable without one is named on stderr.  Exit 1 if an argument is
# not a readable file.
set -euo pipefail

me=extract-bpf-objects.sh
[ $# -ge 2 ] || { echo "usage: $me OUTDIR EXECUTABLE..." >&2; exit 2; }
out=$1
shift
mkdir -p "$out"

# u LEN OFFSET FILE: little-endian unsigned integer of LEN bytes.
u() {
	od -An -t u"$1" -j "$2" -N "$1" --endian=little "$3" | tr -d ' '
}

rc=0
for exe in "$@"; do
	if [ ! -f "$exe" ] || [ ! -r "$exe" ]; then
		echo "$me: $exe: not a readable file" >&2
		rc=1
		continue
	fi
	name=$(basename "$exe")
	n=0 found=()
	# Byte offsets of every 64-bit little-endian ELF header.
	while read -r off; do
		[ "$(u 2 $((off + 18)) "$exe")" = 247 ] || continue
		shoff=$(u 8 $((off + 40)) "$exe")
		shentsize=$(u 2 $((off + 58)) "$exe")
		shnum=$(u 2 $((off + 60)) "$exe")
		[ "$shentsize" = 64 ] && [ "$shnum" -gt 0 ] || continue
		end=$((shoff + shnum * shentsize))
		# Section contents after the header table (never, with LLVM)
		# still belong to the object.
		for ((i = 0; i < shnum; i++)); do
			sh=$((off + shoff + i * 64))
			type=$(u 4 $((sh + 4)) "$exe")
			soff=$(u 8 $((sh + 24)) "$exe")
			size=$(u 8 $((sh + 32)) "$exe")
			[ "$type" = 8 ] && continue		# SHT_NOBITS
			[ $((soff + size)) -gt "$end" ] && end=$((soff + size))
		done
		found+=("$off:$end")
	done < <(LC_ALL=C grep -obUaP '\x7fELF\x02\x01\x01' "$exe" | cut -d: -f1)
	if [ ${#found[@]} -eq 0 ]; then
		echo "$me: $exe: no embedded BPF object" >&2
		continue
	fi
	for f in "${found[@]}"; do
		off=${f%%:*} size=${f#*:}
		if [ ${#found[@]} -eq 1 ]; then
			dst=$out/$name.bpf.o
		else
			n=$((n + 1))
			dst=$out/$name-$n.bpf.o
		fi
		dd if="$exe" of="$dst.tmp" iflag=skip_bytes,count_bytes bs=65536 \
			skip="$off" count="$size" status=none
		mv "$dst.tmp" "$dst"
		echo "$dst"
	done
done
exit $rc
