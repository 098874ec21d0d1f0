#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kernel-tree.sh DIR
#
# Create a git tree of Debian's pristine linux-source-$KOPS_KVER (the base
# of the Kops series, default 6.12) in DIR with the pristine tree committed
# and tagged "base".  The series is developed on top of it and exported
# with scripts/gen-patches.sh.  Idempotent: an existing tree with a "base"
# tag of the same version is left alone; one of another version is
# replaced.
set -euo pipefail

dir=${1:?usage: kernel-tree.sh DIR}
ver=${KOPS_KVER:-6.12}
here=$(cd "$(dirname "$0")" && pwd)

if git -C "$dir" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	have=$(git -C "$dir" log -1 --format=%s base)
	case $have in
	*"(Debian linux-source-$ver)") exit 0 ;;
	esac
	echo "kernel-tree.sh: $dir holds '$have', replacing it with linux-source-$ver" >&2
	rm -rf "$dir"
fi
"$here/extract-linux.sh" "$dir" "$ver"
rm -f "$dir/.extracted"
cd "$dir"
git init -q
git config user.name "${GIT_AUTHOR_NAME:-Kops Builder}"
git config user.email "${GIT_AUTHOR_EMAIL:-kops@localhost}"
git config core.autocrlf false
git add -A -f .
git commit -q -m "Linux $(make -s kernelversion) (Debian linux-source-$ver)"
git tag base
touch .extracted
