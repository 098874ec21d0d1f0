#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages the build, the tests and the kernel
# series need.  Only packages that are missing are installed.
set -euo pipefail

pkgs=(
	build-essential pkg-config clang llvm libclang-rt-14-dev
	libbpf-dev libelf-dev zlib1g-dev libz3-dev z3 cvc5 bpftool
	linux-source-6.1 flex bison bc libssl-dev dwarves kmod cpio xz-utils
	qemu-system-x86 qemu-system-arm qemu-user gcc-aarch64-linux-gnu
	busybox-static python3 python3-docutils python3-ply python3-git jq
	bash-completion git
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
