#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create a git tree of Debian's pristine linux-source-6.1 in DIR with the
# pristine tree committed and tagged "base".  The Kops series is developed
# on top of it and exported with scripts/gen-patches.sh.
# Idempotent: an existing tree with a "base" tag is left alone.
set -euo pipefail

dir=${1:?usage: kernel-tree.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)

if git -C "$dir" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	exit 0
fi
"$here/extract-linux.sh" "$dir"
rm -f "$dir/.extracted"
cd "$dir"
git init -q
git config user.name "${GIT_AUTHOR_NAME:-Kops Builder}"
git config user.email "${GIT_AUTHOR_EMAIL:-kops@localhost}"
git config core.autocrlf false
git add -A -f .
git commit -q -m "Linux $(make -s kernelversion) (Debian linux-source-6.1)"
git tag base
touch .extracted
