#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The library's layer rule: a file of bpftool-ext/lib/LAYER/ includes only
# headers of its own layer and of the layers below it (LIB_LAYERS in the
# Makefile, lowest first; lib/*.c is the top, the pipeline), and its
# object calls only functions defined in those layers.  Public headers
# (lib/bpfext*.h) are the contract, not a layer, but bpfext_opt.h (the
# optimizer's) is for semantics and above.  Also: libbpfext.a needs
# neither Z3 nor libbpfext_opt.a.
#
# Usage: scripts/check-layers.sh [BUILD_DIR]   (default build; the symbol
# checks need `make O=BUILD_DIR` done).  TAP output, one line per library
# source file and one per archive.
set -u
cd "$(dirname "$0")/.."
. bpftool-ext/tests/tap.sh
O=${1:-build}
lib=bpftool-ext/lib

read -r -a layers <<<"$(sed -n 's/^LIB_LAYERS *:= *//p' Makefile)"
[ ${#layers[@]} -gt 0 ] || { echo "Bail out! no LIB_LAYERS in the Makefile"; exit 1; }
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
top=${#layers[@]}

# layer_of PATH (relative to lib/): its layer's rank, top for lib/*.
layer_of() {
	case $1 in
	*/*) echo "${rank[${1%%/*}]:--1}" ;;
	*) echo "$top" ;;
	esac
}

# Which layer defines each global function or variable of the library.
declare -A def_rank
if [ -d "$O/obj/lib" ]; then
	while read -r obj; do
		rel=${obj#"$O"/obj/lib/}
		# an object left by an older layout of the tree is not the library
		[ -f "$lib/${rel%.o}.c" ] || continue
		r=$(layer_of "$rel")
		while read -r sym; do
			def_rank[$sym]=$r
		done < <(nm --defined-only -g "$obj" | awk 'NF == 3 { print $3 }')
	done < <(find "$O/obj/lib" -name '*.o')
fi

for f in $(cd "$lib" && find . -name '*.[ch]' | sed 's|^\./||' | sort); do
	case $f in bpfext*.h) continue ;; esac
	r=$(layer_of "$f")
	bad=()
	if [ "$r" -lt 0 ]; then
		tap 1 "$f: in no layer of LIB_LAYERS"
		continue
	fi
	while read -r inc; do
		case $inc in
		bpfext.h) continue ;;
		bpfext_opt.h)	# the optimizer's API: semantics (the Z3 side) and up
			[ "$r" -ge "${rank[semantics]}" ] && continue
			bad+=("includes $inc") && continue ;;
		helper_args.h) [ "${f%%/*}" = analysis ] && continue ;;	# generated
		esac
		ir=$(layer_of "$inc")
		if [ "$ir" -lt 0 ] || [ "$ir" -gt "$r" ] || [ ! -f "$lib/$inc" ]; then
			bad+=("includes $inc")
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$lib/$f")
	obj=$O/obj/lib/${f%.c}.o
	if [ "${f%.c}" != "$f" ] && [ -f "$obj" ]; then
		while read -r sym; do
			dr=${def_rank[$sym]:-}
			[ -n "$dr" ] && [ "$dr" -gt "$r" ] && bad+=("calls $sym")
		done < <(nm -u "$obj" | awk '{ print $2 }')
	elif [ "${f%.c}" != "$f" ]; then
		bad+=("no $obj to read symbols from")
	fi
	if [ ${#bad[@]} -eq 0 ]; then
		tap 0 "$f"
	else
		tap 1 "$f: ${bad[*]}"
	fi
done

# libbpfext.a must link without Z3 and without the optimizer's archive.
if [ -f "$O/libbpfext.a" ] && [ -f "$O/libbpfext_opt.a" ]; then
	opt=$(nm --defined-only -g "$O/libbpfext_opt.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
	need=$(nm -u "$O/libbpfext.a" 2>/dev/null | awk '{ print $2 }' | sort -u)
	z3=$(grep '^Z3_' <<<"$need" | head -n 3 | tr '\n' ' ')
	up=$(comm -12 <(echo "$opt") <(echo "$need") | head -n 3 | tr '\n' ' ')
	[ -z "$z3$up" ]
	tap $? "libbpfext.a needs neither Z3 nor libbpfext_opt.a${z3:+ (Z3: $z3)}${up:+ (opt: $up)}"
else
	tap 1 "libbpfext.a and libbpfext_opt.a under $O (run make O=$O first)"
fi
finish
