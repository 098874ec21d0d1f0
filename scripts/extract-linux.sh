#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract Debian's linux-source-6.1 tarball into DIR (default build/linux-6.1).
# Idempotent: an existing, complete extraction is reused.
set -euo pipefail

dest=${1:-build/linux-6.1}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)

if [ -z "$tarball" ]; then
	echo "extract-linux.sh: linux-source-6.1 is not installed (apt-get install linux-source-6.1)" >&2
	exit 1
fi
if [ -f "$dest/.extracted" ]; then
	exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
tar -xf "$tarball" -C "$dest" --strip-components=1
touch "$dest/.extracted"
