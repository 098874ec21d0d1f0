#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# tests/uapi_copy.sh: bpftool-ext carries a copy of the Kops series' UAPI
# header (bpftool-ext/include/uapi/linux/bpf_kops.h), as bpftool carries
# tools/include/uapi; it must be the header that patches/ creates, and the
# kernel-selftests must take the marker encoding from it, not from a copy
# of their own.  TAP output.
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/bpftool-ext/tests/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hdr=include/uapi/linux/bpf_kops.h
(cd "$tmp" && for p in "$repo"/patches/0*.patch; do
	git apply --allow-empty --include="$hdr" --include="tools/$hdr" "$p" || exit 1
done)
tap $? "the series' patches create $hdr"
cmp -s "$tmp/$hdr" "$repo/bpftool-ext/include/uapi/linux/bpf_kops.h"
tap $? "bpftool-ext's copy equals the series' $hdr"
cmp -s "$tmp/$hdr" "$tmp/tools/$hdr"
tap $? "the series' tools/$hdr equals $hdr"
! grep -rqE 'enum \{[^}]*ROTATE *= *1|define +[A-Z_]*EINSN_ROTATE +1' \
	"$repo/bpftool-ext/lib" "$repo/kernel-selftests/kops"
tap $? "no EInsn id table of its own in bpftool-ext/lib or kernel-selftests"
finish
