#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/extract-linux.sh [DIR [VERSION]]
#
# Extract Debian's linux-source-VERSION tarball (default 6.1, the corpus's
# source) into DIR (default build/linux-VERSION).  Idempotent: an existing,
# complete extraction is reused.
set -euo pipefail

ver=${2:-6.1}
dest=${1:-build/linux-$ver}
tarball=$(ls /usr/src/linux-source-"$ver".tar.* 2>/dev/null | head -n1 || true)

if [ -z "$tarball" ]; then
	echo "extract-linux.sh: linux-source-$ver is not installed (apt-get install linux-source-$ver)" >&2
	exit 1
fi
if [ -f "$dest/.extracted" ]; then
	exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
tar -xf "$tarball" -C "$dest" --strip-components=1
touch "$dest/.extracted"
