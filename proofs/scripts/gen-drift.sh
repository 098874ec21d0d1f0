#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# proofs/scripts/gen-drift.sh: is the committed gen/ snapshot what the
# kernel tree yields?  Run after "make proofs" re-extracted gen/ from a
# tree with the series (make check does, from KOPS_BUILD/linux): a
# standalone "make proofs" without a tree uses the snapshot, so a
# snapshot that drifted from patches/ would prove old emitters there.
# Provenance (the tree's commit and path in the comments) is left aside.
set -u
cd "$(dirname "$0")/.." || exit 2
strip() {
	sed -e '2{/^ \* (.*)\.  Do not edit\. \*\/$/d}' \
	    -e '\|^/\* --- .* --- \*/$|d'
}
rc=0
for f in gen/*.inc; do
	if ! git cat-file -e "HEAD:proofs/$f" 2>/dev/null; then
		echo "$f: not in the committed snapshot"
		rc=1
	elif ! diff -u <(git show "HEAD:proofs/$f" | strip) <(strip <"$f"); then
		echo "$f: the committed snapshot differs from the tree's emitters (make -C proofs extract, then commit gen/)"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "gen/: the committed snapshot is what the tree yields"
exit $rc
