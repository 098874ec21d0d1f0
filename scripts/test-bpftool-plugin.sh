#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/test-bpftool-plugin.sh BPFTOOL_EXT
#
# Build bpftool from the kernel tree with the series applied (the tree
# scripts/vmtest.sh prepares in build/kops/linux) and check, as a user on
# a patched host would, that it hands the suite's commands to
# bpftool-ext: `bpftool kops list`, `bpftool prog optimize`, its global
# options passed through, its own commands untouched, and a clear error
# when bpftool-ext cannot be found.  TAP output.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
ext=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
B=${KOPS_BUILD:-$repo/build/kops}
src=$B/linux
out=$B/bpftool/
obj=$repo/build/examples/xdp_count.o
ops=$repo/bpftool-ext/tests/data/kops-x86_64.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$repo/bpftool-ext/tests/tap.sh"

if [ ! -f "$src/tools/bpf/bpftool/main.c" ]; then
	echo "test-bpftool-plugin.sh: no kernel tree in $src (run scripts/vmtest.sh first)" >&2
	exit 1
fi
mkdir -p "$out"
make -s -C "$src/tools/bpf/bpftool" OUTPUT="$out" -j2 >"$tmp/build.log" 2>&1
tap $? "bpftool builds from the patched tree"
bpftool=$out/bpftool
[ -x "$bpftool" ] || finish

run() { "$@" >"$tmp/out" 2>"$tmp/err"; }

BPFTOOL_EXT=$ext run "$bpftool" -j kops list file "$ops" &&
	jq -e 'length == 7 and .[0].name == "rotate"' "$tmp/out" >/dev/null
tap $? "bpftool -j kops list runs bpftool-ext with -j"
BPFTOOL_EXT=$ext run "$bpftool" -p prog optimize "$obj" budget 0 &&
	jq -e '.programs[0].name == "xdp_count"' "$tmp/out" >/dev/null &&
	[ "$(wc -l <"$tmp/out")" -gt 3 ]
tap $? "bpftool -p prog optimize runs bpftool-ext with -p"
BPFTOOL_EXT=$ext run "$bpftool" prog optimize "$obj" budget 0 frobnicate
[ $? -eq 2 ] && grep -q "^Error: expected no more arguments" "$tmp/err"
tap $? "bpftool-ext's errors and exit status come through"
BPFTOOL_EXT=$ext run "$bpftool" version && grep -q "bpftool v[0-9]" "$tmp/out"
tap $? "bpftool's own commands are not dispatched"
BPFTOOL_EXT=$ext run "$bpftool" prog help && grep -q "optimize | equiv" "$tmp/err"
tap $? "bpftool prog help lists the extension commands"

# Found next to bpftool, as 'make install' puts them in one directory.
cp "$bpftool" "$tmp/bpftool" && cp "$ext" "$tmp/bpftool-ext"
env -u BPFTOOL_EXT PATH=/usr/bin:/bin "$tmp/bpftool" kops list file "$ops" >"$tmp/out" 2>&1 &&
	grep -q "^1: rotate" "$tmp/out"
tap $? "bpftool-ext installed beside bpftool is found"
rm "$tmp/bpftool-ext"
env -u BPFTOOL_EXT PATH=/usr/bin:/bin "$tmp/bpftool" prog optimize "$obj" >"$tmp/out" 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "'prog optimize' is provided by bpftool-ext, which could not be run" "$tmp/err"
tap $? "without bpftool-ext: a clear one-line error"
finish
