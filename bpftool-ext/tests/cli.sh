#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# cli.sh BPFTOOL_EXT EXAMPLE.o [LEGACY.o [LEGACY_MAP_IN_MAP.o]]
#
# The command line as a user drives it: grammar, help, JSON, dry runs,
# output files, verification and pinning.  TAP output.
set -u
bin=$1 obj=$2 legacy=${3:-} mim=${4:-} pbn=${5:-} static=${6:-} parr=${7:-} unsized=${8:-}
tmp=$(mktemp -d)
pins=
cleanup() {
	[ -n "$pins" ] && rm -rf "$pins"
	rm -rf "$tmp"
}
trap cleanup EXIT
# The default rule cache lives under XDG_CACHE_HOME: keep it in $tmp.
export XDG_CACHE_HOME=$tmp/xdg
. "$(dirname "$0")/tap.sh"
run() { "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; }

run version; tap $? "version exits 0"
grep -q "^bpftool-ext v" "$tmp/out"; tap $? "version names the tool"
run -j version && jq -e '.version and .libbpf_version' "$tmp/out" >/dev/null
tap $? "-j version is JSON with version and libbpf_version"
run prog help; tap $? "prog help exits 0"
grep -q "optimize OBJ \[out FILE\]" "$tmp/err"; tap $? "prog help shows the optimize grammar"
run help; grep -q "OBJECT := { prog" "$tmp/err"; tap $? "top-level help lists objects"
run frob; [ $? -ne 0 ]; tap $? "unknown object fails"
run prog optimize; [ $? -ne 0 ] && grep -q "^Error: 'optimize' needs at least 1 arguments" "$tmp/err"
tap $? "optimize without OBJ is an error"
for bad in "map name m entries 0" "map name m entries 4294967296" "map name m entries -1" \
	   "map name m entries x" "map name m entries 0x10" "map name m" "map m entries 1" \
	   "map name m entries 1 map name m entries 2" "map name nosuch entries 2" \
	   "map name proto_count entries 1000" "select measured map name m entries 2"; do
	run prog optimize "$obj" budget 0 $bad
	[ $? -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^Error: " "$tmp/err"
	tap $? "'$bad' is a one-line error"
done

run prog optimize "$obj" budget 0; tap $? "dry run exits 0"
[ -z "$(ls "$tmp" | grep -v -e '^out$' -e '^err$')" ]; tap $? "dry run writes nothing"
grep -q "insns" "$tmp/out"; tap $? "dry run reports instruction counts"

run -j prog optimize "$obj" budget 0 out "$tmp/o.o" verify; rc=$?
tap $rc "optimize out FILE verify exits 0"
[ -s "$tmp/o.o" ]; tap $? "output file written"
jq -e '.programs | length > 0' "$tmp/out" >/dev/null; tap $? "JSON has a programs array"
jq -e '.programs[] | (.name|type)=="string" and (.section|type)=="string" and
       (.type|type)=="string" and (.insns_before|type)=="number" and
       (.insns_after|type)=="number" and .loaded==true and
       (.verifier_insns_processed > 0) and (.xlated_len > 0) and
       (.jited_len|type)=="number"' "$tmp/out" >/dev/null
tap $? "JSON program records carry the documented fields"
run -p prog optimize "$obj" budget 0; jq -e . "$tmp/out" >/dev/null && [ "$(wc -l <"$tmp/out")" -gt 3 ]
tap $? "-p pretty-prints valid JSON"

run prog optimize "$tmp/o.o" budget 2 verify; tap $? "the output optimizes and verifies again"

# The search: its keywords, determinism, interruption.
run -j prog optimize "$obj" budget 3 jobs 2 verify && jq -e '.programs[0].insns_after < .programs[0].insns_before and
	.programs[0].equivalence_proven.scope == "windows" and
	.programs[0].equivalence_proven.windows > 0 and
	.programs[0].equivalence_proven.whole_program == false and
	(.programs[0].equivalence_proven.assumptions | length) > 0 and
	.programs[0].kernel_checked == true and .search.kernel_checked == true and
	.programs[0].loaded == true and
	.search.solver_calls > 0 and .search.rewrites > 0' "$tmp/out" >/dev/null
tap $? "the search shortens the example, proves it window by window and verifies it"
# Issue #12: no kernel check is claimed for a program the kernel refuses.
refused=$(dirname "$obj")/../tests/progs/refused.o
run -j prog optimize "$refused" budget 1 cache none && jq -e '
	.programs[0].insns_after < .programs[0].insns_before and
	.programs[0].equivalence_proven.windows == 1 and
	.programs[0].kernel_checked == false and .search.kernel_checked == false' \
	"$tmp/out" >/dev/null
tap $? "a rewritten program whose original the kernel refuses is not reported kernel-checked"
run -j prog optimize bpftool-ext/tests/data/core_off.o budget 1 cache none &&
	jq -e '.programs[0].equivalence_proven.scope == "unchanged" and
	       .programs[0].insns_after == .programs[0].insns_before' "$tmp/out" >/dev/null
tap $? "the issue's CO-RE program comes out unchanged, and says so"
run prog optimize "$obj" budget 2 jobs 1 seed 5 cache none out "$tmp/s1.o" &&
	"$bin" prog optimize "$obj" budget 2 jobs 1 seed 5 cache none out "$tmp/s2.o" >/dev/null 2>&1 &&
	cmp -s "$tmp/s1.o" "$tmp/s2.o"
tap $? "jobs 1 with the same seed gives the same object"
run prog optimize "$obj" budget 1 cost latency changes && grep -q " | " "$tmp/out"
tap $? "cost latency runs and changes lists old and new instructions"
run -j prog optimize "$obj" budget 0 verify && before=$(jq '[.programs[].jited_len] | add' "$tmp/out") &&
	run -j prog optimize "$obj" budget 2 jobs 1 cache none cost jit verify &&
	jq -e --argjson b "$before" '([.programs[].jited_len] | add) <= $b and
		([.programs[] | select(.loaded)] | length) == (.programs | length)' "$tmp/out" >/dev/null
tap $? "cost jit: the output loads and its JIT-ed code is no larger"
# The rule cache: what one run found, the next starts from.
run -j prog optimize "$obj" budget 4 jobs 1 cache "$tmp/rules" &&
	jq -e '.rule_cache.learned > 0 and .search.from_rule_cache == 0' "$tmp/out" >/dev/null &&
	head -1 "$tmp/rules" | grep -q "^# bpftool-ext rule cache"
tap $? "a run stores the rewrites it found in the rule cache"
run -j prog optimize "$obj" budget 2 jobs 1 cache "$tmp/rules" &&
	jq -e '.search.from_rule_cache > 0 and .rule_cache.rules > 0' "$tmp/out" >/dev/null
tap $? "the next run reuses them"
run prog optimize "$obj" budget 1 jobs 1 && [ -s "$tmp/xdg/bpftool-ext/rules" ]
tap $? "the default cache is XDG_CACHE_HOME/bpftool-ext/rules"
printf 'no cache\n' >"$tmp/badrules"
run prog optimize "$obj" budget 1 cache "$tmp/badrules"; [ $? -eq 2 ] &&
	grep -q "^Error: $tmp/badrules: not a bpftool-ext rule cache$" "$tmp/err" &&
	[ "$(wc -l <"$tmp/err")" -eq 1 ]
tap $? "a corrupt rule cache is a one-line error naming the file"
run -j prog optimize "$obj" budget 3 jobs 1 cache none select measured verify &&
	jq -e '.select.measured == true and .select.candidates == 4 and
		(.select.kept | IN("none", "insns", "latency", "jit")) and
		([.programs[] | select(.test_run_ns_before > 0 and .test_run_ns_after > 0 and .loaded)]
		 | length) == (.programs | length)' "$tmp/out" >/dev/null
tap $? "select measured times the builds of each cost model and keeps one that loads"
for bad in "budget -1" "budget x" "jobs 0" "jobs 1000" "seed q" "cost fast" "select best"; do
	run prog optimize "$obj" $bad; [ $? -eq 2 ] && grep -q "^Error: ${bad%% *} must be" "$tmp/err"
	tap $? "'$bad' is refused with a one-line error"
done
"$bin" prog optimize "$obj" budget 600 jobs 1 out "$tmp/int.o" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 2
kill -INT $pid
t0=$(date +%s)
wait $pid; rc=$?
[ $rc -eq 0 ] && [ $(( $(date +%s) - t0 )) -lt 30 ] && [ -s "$tmp/int.o" ] &&
	grep -q "(interrupted)" "$tmp/out" && "$bin" prog optimize "$tmp/int.o" budget 0 verify >/dev/null
tap $? "SIGINT ends the search and writes the best program proven so far"
# prog check: the static safety analysis.
run prog check "$obj"; tap $? "prog check of the example exits 0"
grep -qE '^[a-z_0-9]+: (safe|unknown: insn [0-9]+: .+)$' "$tmp/out"
tap $? "prog check prints one verdict line per program"
run -j prog check "$obj" && jq -e '.programs | length > 0 and
	all(.[]; (.name|type)=="string" and (.section|type)=="string" and
	    (.verdict == "safe" or .verdict == "unknown"))' "$tmp/out" >/dev/null
tap $? "prog check -j gives name, section and verdict"
# An unsafe copy of the example: its first instruction becomes r0 = *(u64 *)(r10 -8),
# a read of uninitialized stack (opcode 0x79, dst r0, src r10, off -8).
cp "$obj" "$tmp/unsafe.o"
off=$(python3 - "$tmp/unsafe.o" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
def sh(i):
    return struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize)
names = sh(shstrndx)[4]
for i in range(shnum):
    s = sh(i)
    name = d[names + s[0]:d.index(b'\0', names + s[0])].decode()
    if s[1] == 1 and s[2] & 4 and s[5] >= 8 and name != '.text':
        print(s[4])
        break
PY
)
[ -n "$off" ] && printf '\x79\xa0\xf8\xff\x00\x00\x00\x00' |
	dd of="$tmp/unsafe.o" bs=1 seek="$off" conv=notrunc 2>/dev/null
run prog check "$tmp/unsafe.o"; [ $? -eq 1 ] &&
	grep -q 'unsafe: insn 0: invalid read from stack off -8' "$tmp/out"
tap $? "prog check finds an uninitialized stack read: exit 1, insn 0 and the reason"
run -j prog check "$tmp/unsafe.o"; [ $? -eq 1 ] &&
	jq -e '.programs[0].verdict == "unsafe" and .programs[0].insn == 0' "$tmp/out" >/dev/null
tap $? "prog check -j reports the violation"
run prog check "$obj" prog nosuch; [ $? -eq 2 ] && grep -q "no program named 'nosuch'" "$tmp/err"
tap $? "prog check with an unknown program name: exit 2"

run prog dump "$obj"; tap $? "prog dump exits 0"
grep -q "exit" "$tmp/out"; tap $? "prog dump prints instructions in verifier notation"
run -j prog dump "$obj" && jq -e '.[0].insns | length > 0 and
	(map(.pc) == (map(.pc) | sort)) and all(.[]; (.disasm|type)=="string" and (.code|type)=="number") and
	any(.[]; .reloc == "proto_count")' "$tmp/out" >/dev/null
tap $? "prog dump -j lists instructions"

name=$(jq -r '.[0].name' "$tmp/out")
run -j prog optimize "$obj" budget 0 prog "$name" && jq -e --arg n "$name" '[.programs[].name] == [$n]' "$tmp/out" >/dev/null
tap $? "prog NAME selects one program"
run -j prog optimize "$obj" budget 0 type socket && jq -e '.programs[0].type == "socket_filter"' "$tmp/out" >/dev/null
tap $? "type TYPE overrides the inferred type"
# The original does not load as a socket filter: said before any search
# (there is no report), with the verifier's reason, whatever the budget.
run -j prog optimize "$obj" budget 600 type socket verify; [ $? -eq 1 ] &&
	jq -e '(.error | test("program .*: the kernel rejects the original, so no result could be verified \\(nothing searched\\): .+")) and (has("programs") | not)' "$tmp/out" >/dev/null
tap $? "verify: an original the kernel rejects is a one-line error before the search"
run prog optimize "$obj" budget 600 type socket pin "$tmp/nopin"; [ $? -eq 1 ] &&
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no result could be pinned" "$tmp/err" &&
	[ ! -s "$tmp/out" ]
tap $? "pin: the same, in plain output"
run -j prog optimize "$obj" budget 0 verify && jq -e 'all(.programs[]; .original_loaded == true and .loaded == true)' "$tmp/out" >/dev/null
tap $? "verify: the JSON has original_loaded beside loaded"
run prog optimize "$obj" budget 0 type socket verify out "$tmp/rej.o"; [ $? -ne 0 ] && [ ! -e "$tmp/rej.o" ]
tap $? "a rejected program is not written"
run -j prog optimize "$tmp/missing.o" budget 0; [ $? -ne 0 ] && jq -e '.error | test("missing.o")' "$tmp/out" >/dev/null
tap $? "-j errors are JSON objects naming the file"

# prog equiv: translation validation of two builds.
run -j prog equiv "$obj" "$tmp/o.o" && jq -e '.programs[0].equivalent == true' "$tmp/out" >/dev/null
tap $? "prog equiv proves the optimized example equivalent (exit 0)"
"$(dirname "$bin")/tests/mkbad" retval "$obj" "$tmp/other.o"
run -j prog equiv "$obj" "$tmp/other.o"; [ $? -eq 1 ] &&
	jq -e '.programs[0].equivalent == false and (.programs[0].counterexample.outputs | length) == 2 and
	       .programs[0].counterexample.outputs[0].r0 != .programs[0].counterexample.outputs[1].r0' \
	"$tmp/out" >/dev/null
tap $? "prog equiv finds a changed constant: exit 1 and a counterexample"
run prog equiv "$obj" "$tmp/other.o"; grep -q "DIFFERENT" "$tmp/out" && grep -q "difference: r0" "$tmp/out"
tap $? "prog equiv prints the counterexample and the differing outputs"
# Nothing clears the stack: a map key stored as 0 and one never stored
# differ, and the counterexample holds the stack bytes read as the key.
"$(dirname "$bin")/tests/mkbad" stack-zero "$obj" "$tmp/zero.o" &&
	"$(dirname "$bin")/tests/mkbad" stack-drop "$obj" "$tmp/drop.o"
run -j prog equiv "$tmp/zero.o" "$tmp/drop.o"; [ $? -eq 1 ] &&
	jq -e '.programs[0].equivalent == false and
	       (.programs[0].counterexample.stack | length) == 1024 and
	       (.programs[0].counterexample.stack[1016:1024] != "00000000")' "$tmp/out" >/dev/null
tap $? "prog equiv: a key stored as 0 and one never stored differ (the stack is an input)"
# Issue #12: a CO-RE offset folded as its local value 0 is found, with
# the value the loader may choose and the helper answers that show it.
core=bpftool-ext/tests/data/core_off.o
run -j prog equiv "$core" "${core%.o}.bad.o"; [ $? -eq 1 ] &&
	jq -e '.programs[0].equivalent == false and
	       (.programs[0].counterexample.load_time_values |
		keys == ["core:field_byte_offset:task_struct___local:0:0"])' "$tmp/out" >/dev/null
tap $? "prog equiv: the miscompiled CO-RE pair of issue #12 is different, with the load-time value"
run prog equiv "$core" "$core"; [ $? -eq 0 ] && grep -q "core_off: equivalent" "$tmp/out"
tap $? "prog equiv: a raw_tp program with helpers and CO-RE is equivalent to itself"
run prog equiv "$obj" "$tmp/nothere.o"; [ $? -eq 2 ] && grep -q "^Error: $tmp/nothere.o" "$tmp/err"
tap $? "prog equiv with a missing object: exit 2, one-line error"
run prog equiv "$obj" "$obj" prog nosuch; [ $? -eq 2 ] && grep -q "no program named 'nosuch'" "$tmp/err"
tap $? "prog equiv with an unknown program name: exit 2"

# kops list, from a target description and from the running kernel.
ops=$(dirname "$0")/data/kops-x86_64.txt
run -j kops list file "$ops" && jq -e 'length == 7 and .[0].name == "rotate" and
	.[0].id == 1 and .[0].proof_len == 4 and .[0].native_archs == ["x86_64","arm64"] and
	.[0].owner == "vmlinux" and .[4].flags == ["perfmon"] and .[0].flags == []' \
	"$tmp/out" >/dev/null
tap $? "kops list file FILE reads a target description"
run kops list file "$ops" && grep -q "^1: rotate  proof_len 4  native x86_64 arm64  owner vmlinux" "$tmp/out" &&
	grep -q "^5: prefetch  proof_len 1  native x86_64 arm64  owner vmlinux  users 0  flags perfmon" "$tmp/out"
tap $? "kops list prints one op per entry, as bpftool kops list does"
# the kernel's layout: a directory per op, a file per value
for op in rotate:1:4 umin:64:2; do
	d=$tmp/sysfs-ops/${op%%:*}
	mkdir -p "$d"
	echo "${op#*:}" | cut -d: -f1 >"$d/id"
	echo "${op##*:}" >"$d/len"
	echo "D:dst,A:src" >"$d/form"
	echo "x86_64 arm64" >"$d/archs"
	echo >"$d/flags"
	echo 3 >"$d/users"
	echo vmlinux >"$d/owner"
done
echo test_bpf_kops >"$tmp/sysfs-ops/umin/owner"
run -j kops list file "$tmp/sysfs-ops" && jq -e 'length == 2 and
	.[0].name == "rotate" and .[1].name == "umin" and .[1].id == 64 and
	.[1].owner == "test_bpf_kops" and .[1].users == 3 and
	.[1].native_archs == ["x86_64","arm64"]' "$tmp/out" >/dev/null
tap $? "kops list reads a sysfs-style directory of ops, sorted by id"
echo 1x >"$tmp/sysfs-ops/umin/id"
run kops list file "$tmp/sysfs-ops"; [ $? -eq 2 ] && grep -q "^Error: $tmp/sysfs-ops: umin/id: bad value" "$tmp/err"
tap $? "a bad sysfs value is a one-line error naming op and file"
printf 'id=1 name=rotate\nid=x name=bad\n' >"$tmp/bad-ops"
run kops list file "$tmp/bad-ops"; [ $? -eq 2 ] && grep -q "^Error: $tmp/bad-ops: line 2: bad field 'id=x'" "$tmp/err"
tap $? "a malformed op table is a one-line error naming file and line"

# prog optimize with Kops ops of a target table.
run -j prog optimize "$obj" budget 0 kops auto target "$ops" &&
	jq -e '.kops.ops | length == 7' "$tmp/out" >/dev/null &&
	jq -e '.programs[] | .kops | has("rotate") and has("lea")' "$tmp/out" >/dev/null
tap $? "kops auto target FILE: every EInsn op, a kops count per program"
run -j prog optimize "$obj" budget 0 kops rotate,bfext target "$ops" &&
	jq -e '.kops.ops == ["rotate","bfext"] and
	       (.programs[] | .kops | keys == ["bfext","rotate"])' "$tmp/out" >/dev/null
tap $? "kops OP,OP uses only the ops named"
run prog optimize "$obj" budget 0 kops frob target "$ops"; [ $? -ne 0 ] &&
	grep -q "^Error: kops: unknown kops op 'frob'" "$tmp/err"
tap $? "an unknown op is a one-line error"
grep -v name=lea "$ops" >"$tmp/no-lea"
run prog optimize "$obj" budget 0 kops lea target "$tmp/no-lea"; [ $? -ne 0 ] &&
	grep -q "^Error: kops: op 'lea' is not offered by" "$tmp/err"
tap $? "an op the target lacks is a one-line error"
run -j prog optimize "$obj" budget 0 kops none target "$ops" &&
	jq -e '.kops.ops == [] and .kops.sites == 0' "$tmp/out" >/dev/null
tap $? "kops none emits no Kops form"
if [ ! -e /sys/kernel/bpf_kops/ops ]; then
	run prog optimize "$obj" budget 0 kops auto; [ $? -ne 0 ] &&
		grep -q "^Error: kops auto: the running kernel has no Kops" "$tmp/err"
	tap $? "kops auto without a Kops kernel or target is an error"
	run -j prog optimize "$obj" budget 0 && jq -e '.kops.sites == 0' "$tmp/out" >/dev/null
	tap $? "without a Kops kernel the default is kops none"
	kobj=$(dirname "$obj")/kops_idioms.o
	if [ "$(id -u)" = 0 ] && [ -e "$kobj" ]; then
		run prog optimize "$kobj" budget 0 kops auto target "$ops" verify out "$tmp/k.o"
		[ $? -eq 1 ] && [ ! -e "$tmp/k.o" ] &&
			grep -q "running kernel has no Kops" "$tmp/err"
		tap $? "verify: a kernel without Kops refuses Kops form, nothing written"
		run -j prog optimize "$kobj" budget 0 kops auto target "$ops" verify
		[ $? -eq 1 ] && jq -e 'any(.programs[]; .original_loaded == true and
			.loaded == false and (.error | length > 0))' "$tmp/out" >/dev/null
		tap $? "verify: a rejected result gives exit 1 and the log tail"
	fi
fi
if [ -e /sys/kernel/bpf_kops/ops ]; then
	run kops list; tap $? "kops list reads the running kernel"
else
	run kops list; [ $? -eq 3 ] && grep -q "does not offer Kops" "$tmp/err"
	tap $? "kops list on a kernel without Kops: clear message, exit 3"
fi

if [ "$(id -u)" -eq 0 ]; then
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null
	pins=$(mktemp -d /sys/fs/bpf/bpftool_ext_test_XXXXXX)
	run prog optimize "$obj" budget 0 pin "$pins/progs" pinmaps "$pins/maps"; rc=$?
	[ $rc -eq 0 ] && [ -n "$(ls "$pins/progs")" ] && [ -n "$(ls "$pins/maps")" ]
	tap $? "pin PATH pinmaps DIR pin programs and maps"
	id=$(bpftool -j prog show pinned "$pins/progs/$name" 2>/dev/null | jq -r .id)
	[ -n "$id" ] && [ "$id" != null ]; tap $? "the pinned program is live in the kernel"
	run prog optimize "$obj" budget 0 prog "$name" pin "$pins/one"
	[ $? -eq 0 ] && [ "$(ls "$pins/one")" = "$name" ]
	tap $? "pin with prog NAME pins only that program"
	run prog optimize "$obj" budget 0 pin "$pins/nodir/deeper" out "$tmp/pinfail.o"
	[ $? -ne 0 ] && [ ! -e "$tmp/pinfail.o" ]
	tap $? "a failed pin leaves no output file"
	if [ -n "$legacy" ]; then
		run prog optimize "$legacy" budget 0 pin "$pins/legacy" pinmaps "$pins/legacy-maps"
		[ $? -eq 0 ] && [ -n "$(ls "$pins/legacy")" ] && [ -n "$(ls "$pins/legacy-maps")" ]
		tap $? "a legacy-maps object loads and pins too"
	fi
	if [ -n "$mim" ]; then
		run prog optimize "$mim" budget 0 verify pin "$pins/mim" pinmaps "$pins/mim-maps"
		[ $? -eq 0 ] && grep -q "verifier: accepted" "$tmp/out" &&
			bpftool -j map show pinned "$pins/mim-maps/outer" >"$tmp/map" &&
			jq -e '.type == "array_of_maps"' "$tmp/map" >/dev/null
		tap $? "legacy map-in-map: inner_map_idx counts in section order"
	fi
	if [ -n "$static" ]; then
		run -j prog optimize "$static" budget 0 verify pin "$pins/static" &&
			jq -e '[.programs[] | .original_loaded and .loaded] == [true, true]' "$tmp/out" >/dev/null &&
			[ -e "$pins/static/static_xdp" ]
		tap $? "a static entry program loads, verifies and pins (libbpf 1.1 refuses it)"
	fi
	if [ -n "$unsized" ]; then
		run prog optimize "$unsized" budget 0 verify
		[ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q "map 'counts' has max_entries 0 in the object" "$tmp/err"
		tap $? "verify: a map the object leaves unsized is named in one line"
		run -j prog optimize "$unsized" budget 0 verify map name counts entries 16 &&
			jq -e '.programs[0].original_loaded and .programs[0].loaded' "$tmp/out" >/dev/null
		tap $? "verify with map name NAME entries N: the loader's size given"
		run prog optimize "$unsized" budget 0 verify map name counts entries 16 map name nosuch entries 2
		[ $? -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q "no map named 'nosuch' to size" "$tmp/err"
		tap $? "map name NAME entries N: a map the object lacks is an error"
		if [ -n "$legacy" ]; then
			run prog optimize "$legacy" budget 0 verify map name nosuch entries 2
			[ $? -ne 0 ] && grep -q "no map named 'nosuch' to size" "$tmp/err"
			tap $? "map name NAME entries N: legacy objects too"
		fi
	fi
	if [ -n "$parr" ]; then
		run -j prog optimize "$parr" budget 0 verify prog tail_main &&
			jq -e '.programs[0].original_loaded and .programs[0].loaded' "$tmp/out" >/dev/null
		tap $? "verify prog NAME: a program array filled with the object's programs"
	fi
	if [ -n "$pbn" ]; then
		# A check must not create, reuse or leave a map pinned by name...
		shared=/sys/fs/bpf/bpfext_pbn_counts
		rm -f "$shared"
		run prog optimize "$pbn" budget 0 verify
		[ $? -eq 0 ] && [ ! -e "$shared" ]
		tap $? "verify: a map pinned by name is not pinned in /sys/fs/bpf"
		bpftool map create "$shared" type array key 4 value 8 entries 1 name bpfext_pbn_counts &&
			id0=$(bpftool -j map show pinned "$shared" | jq -r .id) &&
			run prog optimize "$pbn" budget 0 verify &&
			[ "$(bpftool -j map show pinned "$shared" | jq -r .id)" = "$id0" ]
		tap $? "verify leaves a map another tool pinned by that name in place"
		# ... and a deployed program shares it, as bpftool prog load does.
		run prog optimize "$pbn" budget 0 pin "$pins/pbn" &&
			pid=$(bpftool -j prog show pinned "$pins/pbn/pbn_prog" | jq -r '.map_ids[0]') &&
			[ "$pid" = "$id0" ]
		tap $? "pin: the program uses the map pinned by name"
		rm -f "$shared"
	fi
else
	skip "pinning" "needs root"
fi
finish
