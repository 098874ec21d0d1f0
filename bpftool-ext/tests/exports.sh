#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# tests/exports.sh [BUILD_DIR]: the library's public surface, kept the way
# libbpf keeps its own (TAP output):
#   - every global symbol libbpfext.a and libbpfext_opt.a define is
#     prefixed bpfext_ (nm; the archives of BUILD_DIR, default build);
#   - the commands (src/) include no library header but bpfext.h and
#     bpfext_opt.h;
#   - every options struct of those headers starts with its size_t sz
#     and names its last field (TYPE__last_field) for BPFEXT_OPTS_GET().
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/bpftool-ext/tests/tap.sh"
O=${1:-$repo/build}
lib=$repo/bpftool-ext/lib

for a in libbpfext.a libbpfext_opt.a; do
	if [ ! -f "$O/$a" ]; then
		tap 1 "$a: not built under $O"
		continue
	fi
	bad=$(nm -g --defined-only "$O/$a" | awk 'NF == 3 && $3 !~ /^bpfext_/ { print $3 }' |
	      sort -u | head -n 5 | tr '\n' ' ')
	cnt=$(nm -g --defined-only "$O/$a" | awk 'NF == 3' | wc -l)
	[ -z "$bad" ] && [ "$cnt" -gt 0 ]
	tap $? "$a: $cnt global symbols, all prefixed bpfext_${bad:+ (not: $bad)}"
done

for f in "$repo"/bpftool-ext/src/*.[ch]; do
	bad=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" |
	      grep -v -x -e bpfext.h -e bpfext_opt.h -e main.h -e json_writer.h | tr '\n' ' ')
	[ -z "$bad" ]
	tap $? "src/$(basename "$f") includes only the public headers${bad:+ (also: $bad)}"
done

for h in "$lib"/bpfext.h "$lib"/bpfext_opt.h; do
	for t in $(sed -n 's/^struct \(bpfext_[a-z_]*_opts\) {$/\1/p' "$h"); do
		first=$(sed -n "/^struct $t {\$/{n;p;q}" "$h")
		[[ "$first" == *"size_t sz;"* ]] && grep -q "^#define ${t}__last_field " "$h"
		tap $? "$(basename "$h"): struct $t starts with sz and names its last field"
	done
done
finish
