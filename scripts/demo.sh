#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job on the bundled example: optimize an XDP object, verify the
# result in the running kernel, and show the program before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/bpftool-ext
in=build/examples/xdp_count.o
out=build/examples/xdp_count.opt.o

echo "== $bin prog optimize $in out $out verify"
$bin prog optimize "$in" out "$out" verify
echo
echo "== before (left) and after (right)"
diff -y -W 120 <($bin prog dump "$in") <($bin prog dump "$out") || true
