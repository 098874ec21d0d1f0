#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a test corpus of real BPF ELF objects from Debian's linux-source-6.1:
#
#   OUT/samples/*.o     samples/bpf programs (XDP, socket filters, tc,
#                       tracepoints, kprobes, ...), clang -O2
#   OUT/selftests/*.o   tools/testing/selftests/bpf/progs/*.c that Debian's
#                       clang builds, clang -O2
#   OUT/O1/*.o          the K2 benchmark programs at -O1 ...
#   OUT/O3/*.o          ... and at -O3
#   OUT/core/*.o        the selftests rich in load-time values: every
#                       test_core_reloc_*, bpf_iter_* and object with
#                       __kconfig or __ksym externs (hard links into
#                       OUT/selftests); OUT/core/btf/ the btf__core_reloc_*
#                       target BTFs, OUT/core/targets.tsv which program
#                       goes with which (its CO-RE offsets differ there)
#   OUT/libbpf-tools/*.bpf.o  the BPF objects BCC's libbpf-tools embed
#                       (Debian package libbpf-tools; skipped with a
#                       message when it is not installed)
#   OUT/xdp-tools/*.o, OUT/cilium/*.o  objects of Debian's xdp-tools,
#                       libxdp1 and golang-github-cilium-ebpf-dev (the
#                       big-endian ones in OUT/cilium-be/*.elf)
#   OUT/gcc-bpf/*.o     the selftests progs GCC's BPF backend (gcc-bpf)
#                       compiles
#   OUT/manifest.tsv    one line per object: path (relative to OUT), source
#                       (relative to the kernel tree; "a+b" when linked),
#                       origin (samples|selftests), opt level (O1|O2|O3)
#   OUT/logs/           compiler output of every object that failed to build
#
# Usage: scripts/build-corpus.sh [OUT]      (or OUT=dir; default build/corpus)
#
# Objects are built the way the kernel's own Makefiles build them:
#  - samples/bpf/*_kern.c, parse_*.c: clang -O<n> -emit-llvm against the
#    kernel's headers (after an x86_64 tinyconfig + prepare in
#    build/linux-6.1-tiny), then llc -march=bpf -O<n>: the classic samples
#    pipeline, which K2 measured.  SAMPLES_PIPELINE=kernel uses the 6.1
#    Makefile's clang -Xclang -disable-llvm-passes | opt | llvm-dis | llc
#    instead, whose output is larger (xdp1: 78 instructions against 70);
#    the few samples that use CO-RE (map_perf_test, test_map_in_map,
#    test_probe_write_user) fall back to it, as llc alone cannot lower
#    preserve_access_index.
#    Several keep section names that libbpf 1.x does not know, and a few
#    keep legacy "maps" sections.
#  - samples/bpf/*.bpf.c: clang -target bpf with vmlinux.h, then linked with
#    xdp_sample.bpf.o by "bpftool gen object" (they share its maps and
#    tracepoint programs; xdp_monitor's programs all come from it).
#  - selftests progs: clang -target bpf -mcpu=v3 with vmlinux.h (of the
#    running kernel, or VMLINUX_BTF / VMLINUX_H), -fno-inline for the
#    *_noinline ones, as the selftests Makefile does.  Many fail to build
#    with clang 14 or against a newer kernel's vmlinux.h; they are skipped
#    and their logs kept.
#
# Incremental: each object records its command line (.cmd) and its header
# dependencies (.d, from clang -MD) under OUT/.work; an object is rebuilt only
# when one of them changed.  Failures are recorded the same way and not
# retried until their inputs change (rm -rf OUT/.work/*/*.failed to retry).
# The kernel extraction and the tinyconfig/prepare have their own stamps.
# At most 2 compilers run at a time (JOBS=1 for one).  A lock serialises
# concurrent runs on the same OUT and on the shared kernel tree.
#
# Environment: OUT, JOBS (1|2), CLANG, LLC, OPT, LLVM_DIS, BPFTOOL,
#   VMLINUX_BTF (BTF file for vmlinux.h, default /sys/kernel/btf/vmlinux),
#   VMLINUX_H (use this vmlinux.h instead), CORPUS_TIMEOUT (seconds per
#   compile, default 300), SAMPLES_PIPELINE (direct|kernel, see above).
set -euo pipefail

me=build-corpus.sh
die() { echo "$me: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-${OUT:-$ROOT/build/corpus}}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LINUX=$ROOT/build/linux-6.1
KBUILD=$ROOT/build/linux-6.1-tiny
JOBS=${JOBS:-2}
case $JOBS in 1|2) ;; *) JOBS=2 ;; esac
CLANG=${CLANG:-clang}
LLC=${LLC:-llc}
OPT=${OPT:-opt}
LLVM_DIS=${LLVM_DIS:-llvm-dis}
BPFTOOL=${BPFTOOL:-bpftool}
CORPUS_TIMEOUT=${CORPUS_TIMEOUT:-300}
SAMPLES_PIPELINE=${SAMPLES_PIPELINE:-direct}
case $SAMPLES_PIPELINE in direct|kernel) ;; *) die "SAMPLES_PIPELINE must be direct or kernel" ;; esac
VMLINUX_BTF=${VMLINUX_BTF:-/sys/kernel/btf/vmlinux}

# The K2 benchmark programs, also built at -O1 and -O3.
BENCH_SAMPLES="xdp1 xdp2 xdp_fwd xdp_router_ipv4 xdp_redirect sockex3 xdp_monitor syscall_tp"
BENCH_SELFTESTS="test_l4lb test_xdp_noinline"

# --- required tools --------------------------------------------------------
need() { # tool package
	command -v "$1" >/dev/null 2>&1 ||
		die "required tool '$1' not found (apt-get install $2)"
}
need "$CLANG" clang
need "$LLC" llvm
need "$OPT" llvm
need "$LLVM_DIS" llvm
need "$BPFTOOL" bpftool
need make make
need gcc gcc
need flex flex
need bison bison
need bc bc
need tar tar
need xz xz-utils
need flock util-linux
need timeout coreutils
need md5sum coreutils
need xargs findutils
[ -f /usr/include/bpf/bpf_helpers.h ] ||
	die "/usr/include/bpf/bpf_helpers.h not found (apt-get install libbpf-dev)"
[ -f /usr/include/gelf.h ] ||
	die "/usr/include/gelf.h not found (apt-get install libelf-dev)"
"$LLC" -march=bpf -mattr=help >/dev/null 2>&1 ||
	die "$LLC does not support the BPF target"

# Do not let a calling make's jobserver or flags leak into the kernel's make.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

# --- lock --------------------------------------------------------------------
mkdir -p "$ROOT/build"
exec 8>"$OUT/.lock"
if ! flock -n 8; then
	echo "$me: waiting for another build of $OUT" >&2
	flock 8
fi

start=$SECONDS

# --- kernel tree, tinyconfig + prepare ---------------------------------------
# The tree is shared with anything else under build/, so only the extraction
# happens in it; the configuration and generated headers live in $KBUILD.
exec 9>"$ROOT/build/.linux-6.1.lock"
flock 9
"$ROOT/scripts/extract-linux.sh" "$LINUX"

kstamp=$KBUILD/.corpus-prepared
if [ -f "$kstamp" ] && [ ! "$LINUX/.extracted" -nt "$kstamp" ]; then
	:
elif [ -f "$LINUX/.config" ] || [ -d "$LINUX/include/config" ]; then
	# Someone configured the shared tree in-tree, which rules out O=.
	# Its generated headers do as well, if they are x86_64 ones.
	if grep -q '^#define CONFIG_X86_64 1' "$LINUX/include/generated/autoconf.h" 2>/dev/null &&
	   [ -f "$LINUX/arch/x86/include/generated/asm/syscalls_64.h" ]; then
		echo "$me: $LINUX is configured in-tree; using its generated headers" >&2
		KBUILD=$LINUX
		kstamp=$LINUX/include/generated/autoconf.h
	else
		die "$LINUX is configured in-tree but not prepared for x86_64, so neither it nor an out-of-tree build in $KBUILD can be used (make -C $LINUX mrproper, or prepare it)"
	fi
else
	echo "$me: configuring $KBUILD (x86_64 tinyconfig, prepare)" >&2
	mkdir -p "$OUT/logs"
	klog=$OUT/logs/kbuild-prepare.log
	rm -rf "$KBUILD"
	mkdir -p "$KBUILD"
	if ! { make -C "$LINUX" O="$KBUILD" ARCH=x86_64 tinyconfig &&
	       make -C "$LINUX" O="$KBUILD" ARCH=x86_64 -j"$JOBS" prepare; } >"$klog" 2>&1; then
		die "kernel tinyconfig/prepare failed, see $klog"
	fi
	touch "$kstamp"
fi
flock -u 9

# Kernel include flags for samples/bpf *_kern.c ($(LINUXINCLUDE) of the top
# Makefile for an out-of-tree build).
SYS_INC=$("$CLANG" -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }' |
	tr '\n' ' ')
LINUXINCLUDE="-I$LINUX/arch/x86/include -I$KBUILD/arch/x86/include/generated \
-I$LINUX/include -I$KBUILD/include -I$LINUX/arch/x86/include/uapi \
-I$KBUILD/arch/x86/include/generated/uapi -I$LINUX/include/uapi \
-I$KBUILD/include/generated/uapi -include $LINUX/include/linux/compiler-version.h \
-include $LINUX/include/linux/kconfig.h"

# samples/bpf/syscall_nrs.h (needed by tracex5), as kbuild's filechk_offsets.
GEN=$OUT/.work/gen
mkdir -p "$GEN" "$OUT/include" "$OUT/logs" "$OUT/samples" "$OUT/selftests" "$OUT/O1" "$OUT/O3"
if [ ! -f "$GEN/syscall_nrs.h" ] || [ "$kstamp" -nt "$GEN/syscall_nrs.h" ]; then
	{
		echo "#ifndef __SYSCALL_NRS_H__"
		echo "#define __SYSCALL_NRS_H__"
		"$CLANG" -nostdinc -isystem "$("$CLANG" -print-file-name=include)" \
			$LINUXINCLUDE -D__KERNEL__ -S -o - "$LINUX/samples/bpf/syscall_nrs.c" |
		sed -ne 's:^[[:space:]]*\.ascii[[:space:]]*"\(.*\)".*:\1:; /^->/{s:->#\(.*\):/* \1 */:; s:^->\([^ ]*\) [\$#]*\([^ ]*\) \(.*\):#define \1 \2 /* \3 */:; s:->::; p;}'
		echo "#endif"
	} >"$GEN/syscall_nrs.h.tmp" 2>"$OUT/logs/syscall_nrs.log" ||
		die "generating syscall_nrs.h failed, see $OUT/logs/syscall_nrs.log"
	mv "$GEN/syscall_nrs.h.tmp" "$GEN/syscall_nrs.h"
fi

# --- vmlinux.h -----------------------------------------------------------------
# Rewritten only when its content changes, so objects stay up to date.
VMH=$OUT/include/vmlinux.h
if [ -n "${VMLINUX_H:-}" ]; then
	[ -f "$VMLINUX_H" ] || die "VMLINUX_H=$VMLINUX_H does not exist"
	cmp -s "$VMLINUX_H" "$VMH" || cp "$VMLINUX_H" "$VMH"
else
	[ -r "$VMLINUX_BTF" ] ||
		die "no kernel BTF at $VMLINUX_BTF (kernel built without CONFIG_DEBUG_INFO_BTF?), cannot generate vmlinux.h; set VMLINUX_BTF=/path/to/vmlinux or VMLINUX_H=/path/to/vmlinux.h"
	"$BPFTOOL" btf dump file "$VMLINUX_BTF" format c >"$VMH.tmp" 2>"$OUT/logs/vmlinux.h.log" ||
		die "bpftool btf dump file $VMLINUX_BTF failed, see $OUT/logs/vmlinux.h.log"
	if cmp -s "$VMH.tmp" "$VMH"; then rm -f "$VMH.tmp"; else mv "$VMH.tmp" "$VMH"; fi
fi

# --- one compile job -------------------------------------------------------------
# build_one KIND NAME SRC OPTLEVEL OUTFILE
#   KIND: kern (samples *_kern.c via llc), sbpf (samples *.bpf.c), self (selftests)
up_to_date() { # target cmdfile cmd depfile
	[ -f "$1" ] && [ -f "$2" ] && [ -f "$4" ] || return 1
	[ "$(cat "$2")" = "$3" ] || return 1
	local deps
	deps=$(sed -e '1s/^[^:]*://' -e 's/\\$//' "$4")
	# shellcheck disable=SC2086
	[ -z "$(find $deps -maxdepth 0 -newer "$1" -print -quit 2>&1)" ]
}

build_one() {
	local kind=$1 name=$2 src=$3 o=$4 out=$5
	local work=$OUT/.work/$o
	local base=$work/$name.$kind
	local cmd log=$OUT/logs/$o-$name.log
	local tmp=$base.tmp.$$
	case $kind in
	kern)
		cmd="$CLANG -nostdinc -isystem $($CLANG -print-file-name=include) $LINUXINCLUDE \
-fno-stack-protector -g -I$GEN -I$LINUX/tools/testing/selftests/bpf/ $SYS_INC \
-D__KERNEL__ -D__BPF_TRACING__ -Wno-unused-value -Wno-pointer-sign \
-D__TARGET_ARCH_x86 -Wno-compare-distinct-pointer-types \
-Wno-gnu-variable-sized-type-not-at-end -Wno-address-of-packed-member \
-Wno-tautological-compare -Wno-unknown-warning-option \
-fno-asynchronous-unwind-tables -I$LINUX/samples/bpf/ -include asm_goto_workaround.h \
-$o -emit-llvm -MD -MF $tmp.d"
		local kpipe="$cmd -Xclang -disable-llvm-passes -c $src -o - \
| $OPT -$o -mtriple=bpf-pc-linux | $LLVM_DIS | $LLC -march=bpf -$o -filetype=obj -o $tmp"
		if [ "$SAMPLES_PIPELINE" = kernel ]; then
			cmd=$kpipe
		else
			# CO-RE relocations (preserve_access_index) need the BPF
			# IR passes that only opt -mtriple=bpf runs.
			cmd="{ $cmd -c $src -o - | $LLC -march=bpf -$o -filetype=obj -o $tmp; } || \
{ echo '$me: retrying with the opt pipeline'; $kpipe; }"
		fi
		;;
	sbpf)
		cmd="$CLANG -g -$o -target bpf -D__TARGET_ARCH_x86 \
-Wno-compare-distinct-pointer-types -I$OUT/include -I$LINUX/include \
-I$LINUX/samples/bpf -I$LINUX/tools/include $SYS_INC -MD -MF $tmp.d \
-c $src -o $tmp"
		;;
	self)
		local extra=
		case $name in *_noinline) extra=-fno-inline ;; esac
		cmd="$CLANG -g -D__TARGET_ARCH_x86 -mlittle-endian -I$OUT/include \
-I$LINUX/tools/testing/selftests/bpf -I$LINUX/tools/include/uapi $extra \
$SYS_INC -Wno-compare-distinct-pointer-types -DENABLE_ATOMICS_TESTS \
-$o -target bpf -mcpu=v3 -MD -MF $tmp.d -c $src -o $tmp"
		;;
	esac
	# The command with the temporary names normalised is the .cmd stamp.
	local stamp=${cmd//$tmp/$base}
	if up_to_date "$out" "$base.cmd" "$stamp" "$base.d"; then
		return 0
	fi
	if [ -f "$base.failed" ] && [ -f "$base.cmd" ] && [ "$(cat "$base.cmd")" = "$stamp" ] &&
	   [ -z "$(find "$src" "$OUT/include/vmlinux.h" "$kstamp" \
			-maxdepth 0 -newer "$base.failed" -print -quit)" ]; then
		return 0
	fi
	rm -f "$base.failed"
	if timeout "$CORPUS_TIMEOUT" bash -o pipefail -c "$cmd" >"$log" 2>&1; then
		mv "$tmp" "$out"
		sed "1s|^[^:]*:|$out:|" "$tmp.d" >"$base.d"
		rm -f "$tmp.d"
		printf '%s\n' "$stamp" >"$base.cmd"
		rm -f "$log"
	else
		local rc=$?
		[ $rc -eq 124 ] && echo "$me: timed out after ${CORPUS_TIMEOUT}s" >>"$log"
		rm -f "$tmp" "$tmp.d" "$out" "$base.d"
		printf '%s\n' "$stamp" >"$base.cmd"
		touch "$base.failed"
	fi
	return 0
}
export -f build_one up_to_date
export OUT LINUX KBUILD kstamp GEN CLANG LLC OPT LLVM_DIS LINUXINCLUDE SYS_INC CORPUS_TIMEOUT SAMPLES_PIPELINE me

# --- job list ----------------------------------------------------------------------
SB=$LINUX/samples/bpf
ST=$LINUX/tools/testing/selftests/bpf/progs
jobs=$OUT/.work/jobs
mkdir -p "$OUT/.work/O1" "$OUT/.work/O2" "$OUT/.work/O3"
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
{
	# Heavy ones first, so that two workers finish together.
	for n in pyperf600 pyperf600_nounroll pyperf180 pyperf100 strobemeta \
		 strobemeta_nounroll1 strobemeta_nounroll2 strobemeta_subprogs \
		 pyperf600_bpf_loop pyperf_subprogs pyperf_global pyperf50 \
		 test_verif_scale1 test_verif_scale2 test_verif_scale3 profiler1 \
		 profiler2 profiler3 xdp_synproxy_kern test_cls_redirect \
		 test_cls_redirect_subprogs; do
		[ -f "$ST/$n.c" ] && echo "self $n $ST/$n.c O2 $OUT/selftests/$n.o"
	done
	for f in "$SB"/*_kern.c "$SB"/parse_*.c; do
		n=$(basename "$f" .c); n=${n%_kern}
		echo "kern $n $f O2 $OUT/samples/$n.o"
		if in_list "$n" "$BENCH_SAMPLES"; then
			echo "kern $n $f O1 $OUT/O1/$n.o"
			echo "kern $n $f O3 $OUT/O3/$n.o"
		fi
	done
	for f in "$SB"/*.bpf.c; do
		n=$(basename "$f" .bpf.c)
		for o in O1 O2 O3; do
			if [ $o = O2 ] || [ "$n" = xdp_sample ] || in_list "$n" "$BENCH_SAMPLES"; then
				echo "sbpf $n $f $o $OUT/.work/$o/$n.bpf.o"
			fi
		done
	done
	for f in "$ST"/*.c; do
		n=$(basename "$f" .c)
		echo "self $n $f O2 $OUT/selftests/$n.o"
		if in_list "$n" "$BENCH_SELFTESTS"; then
			echo "self $n $f O1 $OUT/O1/$n.o"
			echo "self $n $f O3 $OUT/O3/$n.o"
		fi
	done
} | awk '!seen[$5]++' >"$jobs"

njobs=$(wc -l <"$jobs")
echo "$me: $njobs compile jobs, $JOBS at a time (logs of failures in $OUT/logs)" >&2
xargs -P "$JOBS" -L 1 bash -c 'build_one "$@"' _ <"$jobs" ||
	die "the compile driver failed unexpectedly (xargs exit $?)"

# --- link the samples/bpf *.bpf.c with xdp_sample.bpf.o ---------------------------
for f in "$SB"/*.bpf.c; do
	n=$(basename "$f" .bpf.c)
	[ "$n" = xdp_sample ] && continue
	for o in O1 O2 O3; do
		if [ $o = O2 ]; then dst=$OUT/samples/$n.o
		elif in_list "$n" "$BENCH_SAMPLES"; then dst=$OUT/$o/$n.o
		else continue; fi
		a=$OUT/.work/$o/$n.bpf.o b=$OUT/.work/$o/xdp_sample.bpf.o
		log=$OUT/logs/$o-$n.link.log
		if [ ! -f "$a" ] || [ ! -f "$b" ]; then
			rm -f "$dst"
			continue
		fi
		if [ -f "$dst" ] && [ ! "$a" -nt "$dst" ] && [ ! "$b" -nt "$dst" ]; then
			continue
		fi
		if "$BPFTOOL" gen object "$dst.tmp" "$a" "$b" >"$log" 2>&1; then
			mv "$dst.tmp" "$dst"
			rm -f "$log"
		else
			rm -f "$dst.tmp" "$dst"
		fi
	done
done

# --- manifest ------------------------------------------------------------------------
# Rebuilt from the job list and what exists, so removed/failed objects vanish.
man=$OUT/manifest.tsv
: >"$man.tmp"
while read -r kind n src o out; do
	case $kind in
	sbpf)
		[ "$n" = xdp_sample ] && continue
		out=$OUT/$([ $o = O2 ] && echo samples || echo $o)/$n.o
		src="${src#"$LINUX"/}+samples/bpf/xdp_sample.bpf.c" ;;
	*)	src=${src#"$LINUX"/} ;;
	esac
	[ -f "$out" ] || continue
	case $kind in self) origin=selftests ;; *) origin=samples ;; esac
	printf '%s\t%s\t%s\t%s\n' "${out#"$OUT"/}" "$src" "$origin" "$o" >>"$man.tmp"
done <"$jobs"
sort -o "$man.tmp" "$man.tmp"
mv "$man.tmp" "$man"

# Objects no longer produced (source gone or now failing) must not linger.
for d in samples selftests O1 O3; do
	for f in "$OUT/$d"/*.o; do
		[ -e "$f" ] || continue
		grep -q "^$d/$(basename "$f")	" "$man" || rm -f "$f"
	done
done

# --- load-time values: CO-RE relocations and externs --------------------------
# The selftests' programs rich in them, with the target BTFs of
# progs/btf__core_reloc_*.c, whose types lay fields out unlike the
# programs' local ones (tools/testing/selftests/bpf/prog_tests/core_reloc.c
# pairs them the same way: by name, a btf__core_reloc_X[___flavour] for
# test_core_reloc_X, or for X without its last _part).
rm -rf "$OUT/core"
mkdir -p "$OUT/core/btf"
for f in "$OUT"/selftests/*.o; do
	n=$(basename "$f" .o)
	case $n in
	btf__core_reloc_*) ln -f "$f" "$OUT/core/btf/" ;;
	test_core_reloc_*|bpf_iter_*|*kconfig*) ln -f "$f" "$OUT/core/" ;;
	*) if LC_ALL=C grep -qa -e '\.kconfig' -e '\.ksyms' "$f"; then
		ln -f "$f" "$OUT/core/"
	   fi ;;
	esac
done
: >"$OUT/core/targets.tsv"
for f in "$OUT"/core/test_core_reloc_*.o; do
	[ -e "$f" ] || continue
	x=$(basename "$f" .o)
	x=${x#test_core_reloc_}
	while :; do
		btfs=$(ls "$OUT"/core/btf/btf__core_reloc_"$x".o \
			  "$OUT"/core/btf/btf__core_reloc_"$x"___*.o 2>/dev/null || true)
		[ -n "$btfs" ] || [ "$x" = "${x%_*}" ] || { x=${x%_*}; continue; }
		break
	done
	for b in $btfs; do
		printf '%s\t%s\n' "core/$(basename "$f")" "core/btf/$(basename "$b")" \
			>>"$OUT/core/targets.tsv"
	done
done
ncore=$(ls "$OUT"/core/*.o 2>/dev/null | wc -l)
ntarg=$(wc -l <"$OUT/core/targets.tsv")

# --- BCC's libbpf-tools ---------------------------------------------------------
# Real-world objects: kprobes, tracepoints, fentry, CO-RE everywhere,
# .rodata their user space sets.  Extracted from the executables again
# when the package changes.
LT=$OUT/libbpf-tools
ltexe=$(dpkg -L libbpf-tools 2>/dev/null | grep '^/usr/sbin/' || true)
if [ -z "$ltexe" ]; then
	rm -rf "$LT"
	echo "$me: skipping the libbpf-tools group: package libbpf-tools is not installed (apt-get install libbpf-tools)" >&2
	nlt=0
else
	if [ ! -f "$LT/.stamp" ] || [ -n "$(find $ltexe -newer "$LT/.stamp" -print -quit)" ]; then
		rm -rf "$LT"
		mkdir -p "$LT"
		# shellcheck disable=SC2086
		"$ROOT/scripts/extract-bpf-objects.sh" "$LT" $ltexe >/dev/null 2>"$OUT/logs/libbpf-tools.log" ||
			die "extracting the libbpf-tools objects failed, see $OUT/logs/libbpf-tools.log"
		touch "$LT/.stamp"
	fi
	nlt=$(ls "$LT"/*.o 2>/dev/null | wc -l)
fi

# --- Debian's other BPF packages ----------------------------------------------
# Objects nobody here wrote or built, each group skipped with a message
# when its package is missing:
#  - xdp-tools, libxdp1: the objects they install under /usr/lib/*/bpf
#    and those their executables embed, one copy of each;
#  - golang-github-cilium-ebpf-dev: cilium/ebpf's testdata, the little-
#    endian objects in OUT/cilium, their big-endian twins in OUT/cilium-be
#    (for the bad-input test: a one-line error each).
# (Re)extracted when a package's version changes (dpkg keeps the files'
# own dates, so their mtimes say nothing).
pkg_stamp() { # package...
	dpkg-query -W -f='${Package} ${Version}\n' "$@" 2>/dev/null || true
}
XT=$OUT/xdp-tools
xtfiles=$(dpkg -L xdp-tools libxdp1 2>/dev/null | grep -E '^/usr/(sbin/|lib/.*/bpf/.*\.o$)' || true)
xtstamp=$(pkg_stamp xdp-tools libxdp1)
if [ -z "$xtfiles" ]; then
	rm -rf "$XT"
	echo "$me: skipping the xdp-tools group: packages xdp-tools and libxdp1 are not installed" >&2
elif [ "$(cat "$XT/.stamp" 2>/dev/null)" != "$xtstamp" ]; then
	rm -rf "$XT" "$OUT/.work/xdp-tools"
	mkdir -p "$XT" "$OUT/.work/xdp-tools"
	xtexe=$(echo "$xtfiles" | grep /sbin/ || true)
	# shellcheck disable=SC2086
	if [ -n "$xtexe" ]; then
		"$ROOT/scripts/extract-bpf-objects.sh" "$OUT/.work/xdp-tools" $xtexe \
			>/dev/null 2>"$OUT/logs/xdp-tools.log" ||
			die "extracting the xdp-tools objects failed, see $OUT/logs/xdp-tools.log"
	fi
	# installed objects first, so a copy embedded in a tool keeps their name
	for f in $(echo "$xtfiles" | grep '\.o$') "$OUT"/.work/xdp-tools/*.o; do
		[ -f "$f" ] || continue
		sum=$(md5sum <"$f" | cut -d' ' -f1)
		grep -qx "$sum" "$XT/.sums" 2>/dev/null && continue
		echo "$sum" >>"$XT/.sums"
		cp "$f" "$XT/$(basename "$f")"
	done
	echo "$xtstamp" >"$XT/.stamp"
fi
nxt=$(ls "$XT"/*.o 2>/dev/null | wc -l)
CE=$OUT/cilium
cetd=/usr/share/gocode/src/github.com/cilium/ebpf
cefiles=$(dpkg -L golang-github-cilium-ebpf-dev 2>/dev/null | grep -E '/testdata/[^/]*\.elf$' || true)
cestamp=$(pkg_stamp golang-github-cilium-ebpf-dev)
if [ -z "$cefiles" ]; then
	rm -rf "$CE" "$CE-be"
	echo "$me: skipping the cilium group: package golang-github-cilium-ebpf-dev is not installed" >&2
elif [ "$(cat "$CE/.stamp" 2>/dev/null)" != "$cestamp" ]; then
	rm -rf "$CE" "$CE-be"
	mkdir -p "$CE" "$CE-be"
	for f in $cefiles; do
		rel=${f#"$cetd"/}
		name=$(echo "${rel%.elf}" | sed 's,/testdata/,-,; s,^testdata/,,')
		case $name in
		*-eb) cp "$f" "$CE-be/$name.elf" ;;
		*) cp "$f" "$CE/$name.o" ;;
		esac
	done
	echo "$cestamp" >"$CE/.stamp"
fi
nce=$(ls "$CE"/*.o 2>/dev/null | wc -l)

# --- a second compiler: GCC's BPF backend ------------------------------------
# The selftests progs that Debian's gcc-bpf (GCC 12) compiles, with the
# flags the clang build uses: other code shapes, other relocations.
# Most fail to build (GCC 12 cannot call helpers declared as pointers);
# some that build call functions no loader can resolve.  Rebuilt when
# bpf-gcc, the kernel tree or vmlinux.h change.
GB=$OUT/gcc-bpf
if ! command -v bpf-gcc >/dev/null 2>&1; then
	rm -rf "$GB"
	echo "$me: skipping the gcc-bpf group: bpf-gcc not found (apt-get install gcc-bpf)" >&2
else
	# -gbtf: BTF and CO-RE records, which GCC emits only when asked
	export GCC_BPF_FLAGS="-gbtf -D__TARGET_ARCH_x86 -mlittle-endian -I$OUT/include -I$LINUX/tools/testing/selftests/bpf -I$LINUX/tools/include/uapi -idirafter /usr/include/$(gcc -print-multiarch) -idirafter /usr/include -O2 -mcpu=v3"
	gstamp="$(bpf-gcc --version | head -1) $(md5sum <"$VMH" | cut -d' ' -f1) $(stat -c %Y "$LINUX/.extracted") $GCC_BPF_FLAGS"
	if [ "$(cat "$GB/.stamp" 2>/dev/null)" != "$gstamp" ]; then
		rm -rf "$GB" "$OUT/logs/gcc-bpf"
		mkdir -p "$GB" "$OUT/logs/gcc-bpf"
		export GB CORPUS_TIMEOUT
		# shellcheck disable=SC2016
		ls "$ST"/*.c | xargs -P "$JOBS" -I{} sh -c '
			n=$(basename "{}" .c)
			timeout "$CORPUS_TIMEOUT" bpf-gcc $GCC_BPF_FLAGS -c "{}" -o "$GB/$n.o" \
				>"$OUT/logs/gcc-bpf/$n.log" 2>&1 &&
				rm -f "$OUT/logs/gcc-bpf/$n.log" || rm -f "$GB/$n.o"
			true'
		# none at all: something is wrong here, try again next time
		if ls "$GB"/*.o >/dev/null 2>&1; then
			echo "$gstamp" >"$GB/.stamp"
		fi
	fi
fi
ngb=$(ls "$GB"/*.o 2>/dev/null | wc -l)

s=$(awk -F'\t' '$4 == "O2" && $3 == "samples"' "$man" | wc -l)
t=$(awk -F'\t' '$4 == "O2" && $3 == "selftests"' "$man" | wc -l)
v=$(awk -F'\t' '$4 != "O2"' "$man" | wc -l)
failed=$(find "$OUT/.work" -name '*.failed' | wc -l)
echo "$me: $v more at -O1/-O3 in $OUT/O1 and $OUT/O3; $failed compile jobs failed (logs in $OUT/logs); $((SECONDS - start))s" >&2
echo "corpus: $((s + t)) objects (samples $s, selftests $t); core: $ncore (of the selftests) and $ntarg target BTFs; libbpf-tools: $nlt; xdp-tools: $nxt; cilium: $nce; gcc-bpf: $ngb" >&2
