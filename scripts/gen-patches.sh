#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/gen-patches.sh [TREE]
#
# Regenerate patches/ from the Kops kernel tree (default /work/kbuild/split,
# made by scripts/kernel-tree.sh): git format-patch base..kops with a cover
# letter whose subject and text come from scripts/kops-cover-letter.txt
# (first line: subject; the rest: body).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/work/kbuild/split}
branch=${KOPS_BRANCH:-kops}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$tree" format-patch -q --cover-letter --no-signature --thread=shallow \
	-o "$tmp" "base..$branch"
python3 - "$tmp/0000-cover-letter.patch" "$repo/scripts/kops-cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read()
subject, body = text.split("\n", 1)
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject.strip(), 1)
s = s.replace("*** BLURB HERE ***", body.strip("\n"), 1)
open(cover, "w").write(s)
PY
mkdir -p "$repo/patches"
rm -f "$repo"/patches/*.patch
cp "$tmp"/*.patch "$repo/patches/"
ls "$repo/patches"
