#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/test-bpftool-plugin.sh BPFTOOL_EXT
#
# Build bpftool from the kernel tree with the series applied (the tree
# scripts/vmtest.sh prepares in build/kops/linux) and check, as a user on
# a patched host would, that `bpftool kops list` is its own command,
# reading the kernel's /sys/kernel/bpf_kops/ops (here a copy of its layout
# in a private mount namespace, as the host kernel has no Kops), and that
# it hands `prog optimize` and `prog equiv` to bpftool-ext: its global
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

# kops list: bpftool's own, never bpftool-ext's
printf '#!/bin/sh\ntouch %s/ext-ran\n' "$tmp" >"$tmp/fake-ext"
chmod +x "$tmp/fake-ext"
BPFTOOL_EXT=$tmp/fake-ext run "$bpftool" kops list
[ $? -ne 0 ] && [ ! -e "$tmp/ext-ran" ] &&
	grep -q "^Error: can't open /sys/kernel/bpf_kops/ops: No such file or directory" "$tmp/err"
tap $? "bpftool kops list is bpftool's own: a one-line error without Kops"
sysfs_ops() {
	local d=/sys/kernel/bpf_kops/ops op
	# Private first: the new namespace's /sys may share mounts with the
	# host's (unshare cannot make a chroot's root private for us).
	mount --make-rprivate /sys && mount -t tmpfs none /sys/kernel || return 1
	for op in rotate:1:4::vmlinux prefetch:5:1:perfmon:vmlinux umin:64:2::test_bpf_kops; do
		IFS=: read -r name id len flags owner <<<"$op"
		mkdir -p "$d/$name"
		echo "$id" >"$d/$name/id"
		echo "$len" >"$d/$name/len"
		echo "D:dst,A:src" >"$d/$name/form"
		echo "x86_64 arm64" >"$d/$name/archs"
		echo "$flags" >"$d/$name/flags"
		echo 0 >"$d/$name/users"
		echo "$owner" >"$d/$name/owner"
	done
	"$bpftool" "$@"
}
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	export -f sysfs_ops
	export bpftool
	unshare -m --propagation unchanged bash -c 'sysfs_ops -j kops list' >"$tmp/out" 2>"$tmp/err" &&
		jq -e 'length == 3 and .[0].name == "rotate" and .[0].id == 1 and
		       .[1].flags == ["perfmon"] and .[2].id == 64 and
		       .[2].owner == "test_bpf_kops" and
		       .[2].native_archs == ["x86_64","arm64"]' "$tmp/out" >/dev/null
	st=$?
	tap $st "bpftool -j kops list reads a directory per op, in id order"
	[ $st -eq 0 ] || sed 's/^/# /' "$tmp/err"
	unshare -m --propagation unchanged bash -c 'sysfs_ops kops list' >"$tmp/out" 2>"$tmp/err" &&
		grep -q "^5: prefetch  proof_len 1  native x86_64 arm64  owner vmlinux  users 0  flags perfmon" "$tmp/out"
	st=$?
	tap $st "bpftool kops list prints one op per entry"
	[ $st -eq 0 ] || sed 's/^/# /' "$tmp/err"
else
	skip "bpftool kops list on a sysfs-style tree" "needs root and unshare"
fi
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
env -u BPFTOOL_EXT PATH=/usr/bin:/bin "$tmp/bpftool" -j prog optimize "$obj" budget 0 \
	>"$tmp/out" 2>&1 && jq -e '.programs[0].name == "xdp_count"' "$tmp/out" >/dev/null
tap $? "bpftool-ext installed beside bpftool is found"
rm "$tmp/bpftool-ext"
env -u BPFTOOL_EXT PATH=/usr/bin:/bin "$tmp/bpftool" prog optimize "$obj" >"$tmp/out" 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "'prog optimize' is provided by bpftool-ext, which could not be run" "$tmp/err"
tap $? "without bpftool-ext: a clear one-line error"
finish
