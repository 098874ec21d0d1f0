#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages the build, the tests, the proofs, the
# QEMU steps and the benchmarks use.  Every package a command of this
# repository runs or a build includes is named here, even where another
# package would pull it in as a dependency or a recommendation: what a
# machine happened to have must not decide whether `make check` works
# (scripts/fresh-check.sh proves it on a root file system built from
# nothing).  Only packages that are missing are installed.
set -euo pipefail

pkgs=(
	# user space: build, sanitizers, fuzzers (libFuzzer is in libclang-rt)
	make gcc libc6-dev pkg-config clang llvm libclang-rt-14-dev
	libbpf-dev libelf-dev zlib1g-dev libz3-dev
	# the corpus and the examples (clang -target bpf, llc, opt, llvm-dis),
	# vmlinux.h from the running kernel's BTF, the 6.12 selftests (clang-19)
	bpftool clang-19 llvm-19 lld-19
	# the corpus: BPF objects of Debian's own BPF packages (BCC's
	# libbpf-tools, xdp-tools and libxdp, cilium/ebpf's testdata)
	libbpf-tools xdp-tools libxdp1 golang-github-cilium-ebpf-dev
	# ... and a second compiler's code: GCC's BPF backend
	gcc-bpf
	# kernel trees, kernel builds, the series' checks
	linux-source-6.1 linux-source-6.12 flex bison bc libssl-dev dwarves
	kmod cpio xz-utils tar perl python3 python3-ply python3-git git rsync
	# test_progs, with the kernel's selftests Makefile: the LLVM
	# disassembler for __jited, libcap, zstd; zstd(1) unpacks the Debian
	# 6.12 vmlinuz whose BTF gives the selftests their vmlinux.h
	llvm-19-dev libzstd-dev libcap-dev zstd
	# arm64 cross builds: kernel, guest selftests, proofs' runner, and
	# test_progs, which links Debian's arm64 builds of its libraries
	# (multiarch: the arm64 architecture is added to dpkg for them)
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
	libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 libcap-dev:arm64
	libssl-dev:arm64
	# QEMU steps
	qemu-system-x86 qemu-system-arm qemu-user busybox-static xxd
	# proofs
	z3 cvc5
	# scripts and tests: JSON, man pages, completion
	jq python3-docutils groff-base bash-completion
	coreutils util-linux findutils sed gawk grep diffutils
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
if [[ " ${missing[*]}" == *:arm64* ]] &&
   ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "install-deps.sh: adding arm64 to dpkg's architectures (multiarch)"
	dpkg --add-architecture arm64
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
