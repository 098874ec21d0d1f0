#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# completion.sh BPFTOOL_EXT OBJ.o
#
# The bash completion of bpftool-ext: loads bash-completion's helpers and
# bpftool-ext/bash-completion/bpftool-ext, then completes command lines by
# calling _bpftool_ext the way readline does (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT) and compares COMPREPLY with what is expected.
# Program names and program types are checked against BPFTOOL_EXT itself.
# TAP output.
if [ $# -ne 2 ]; then
	echo "usage: $0 BPFTOOL_EXT OBJ.o" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
obj=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
helpers=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
compfile=$here/../bash-completion/bpftool-ext
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

bash -n "$compfile"; tap $? "completion file parses"
[ -r "$helpers" ]; tap $? "bash-completion helpers found ($helpers)"
[ -x "$bin" ] && [ -r "$obj" ]; tap $? "bpftool-ext and the object exist"
if [ "$fail" -ne 0 ]; then
	echo "1..$n"
	exit 1
fi

# Hermetic: no user or compat completion files, bpftool-ext from the build.
export BASH_COMPLETION_USER_FILE=/dev/null
export BASH_COMPLETION_COMPAT_DIR=/nonexistent
# shellcheck disable=SC1090
. "$helpers"
# shellcheck disable=SC1090
. "$compfile"
declare -F _bpftool_ext >/dev/null; tap $? "_bpftool_ext is defined"
complete -p bpftool-ext 2>/dev/null | grep -q -- '-F _bpftool_ext'
tap $? "registered for bpftool-ext"

# Scratch directory to complete file names in.
cd "$tmp" || exit 1
mkdir sub "with space"
cp "$obj" a.o
cp "$obj" "my obj.o"
: >b.txt
PATH=$(dirname "$bin"):$PATH
export HOME=$tmp

# comp WORD... : complete the last WORD (the one under the cursor, at its
# end) of the command line made of WORDs; the result is in COMPREPLY and,
# sorted, one per line, in $got.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE=$(IFS=' '; echo "$*")
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_bpftool_ext "$1" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}" 2>"$tmp/stderr"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort -u | sed '/^$/d')
	[ -s "$tmp/stderr" ] && sed 's/^/# stderr: /' "$tmp/stderr"
}

# expect DESCRIPTION "W1 W2 ..." WORD... : exactly the words W1 W2 ...
# (separated by newlines instead if there is a newline in the list).
expect() {
	local desc=$1 want
	if [[ $2 == *$'\n'* ]]; then
		want=$(printf '%s\n' "$2" | LC_ALL=C sort -u | sed '/^$/d')
	else
		# shellcheck disable=SC2086 # split the list on blanks
		want=$(printf '%s\n' $2 | LC_ALL=C sort -u | sed '/^$/d')
	fi
	shift 2
	comp "$@"
	[ "$got" = "$want" ]
	tap $? "$desc"
	[ "$got" = "$want" ] ||
		echo "# line: '$COMP_LINE'; want: $(printf %s "$want" | tr '\n' ,); got: $(printf %s "$got" | tr '\n' ,)"
}

# offers / lacks DESCRIPTION WORD LINE-WORD... : WORD is (not) offered.
offers() {
	local desc=$1 w=$2
	shift 2
	comp "$@"
	printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w"
	tap $? "$desc"
}
lacks() {
	local desc=$1 w=$2
	shift 2
	comp "$@"
	! printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w"
	tap $? "$desc"
}

B=bpftool-ext
opt_kw="out prog type verify pinmaps pin budget jobs seed cost kops target cache select changes map"

# Objects, commands, global options.
expect "bpftool-ext pr<TAB> gives prog" "prog" $B pr
expect "bpftool-ext <TAB> offers objects, help and version" "kops prog help version" $B ''
expect "bpftool-ext kops <TAB> offers list and help" "list help" $B kops ''
expect "bpftool-ext kops list <TAB> offers file" "file" $B kops list ''
expect "nothing after kops list file FILE" "" $B kops list file x ''
expect "bpftool-ext --<TAB> offers the long options" \
	"--json --pretty --debug --version --help" $B --
expect "options are skipped before OBJECT" "prog" $B -j -p pr
expect "nothing after -h" "" $B -h ''
expect "bpftool-ext prog <TAB> offers the commands" "optimize dump equiv check help" $B prog ''
expect "equiv OBJ_A OBJ_B <TAB> offers prog" "prog" $B prog equiv a.o b.o ''
expect "equiv OBJ_A <TAB>: .o files and directories" $'a.o\nmy obj.o\nsub\nwith space' $B prog equiv a.o ''
expect "bpftool-ext prog o<TAB> gives optimize" "optimize" $B prog o
expect "nothing after prog help" "" $B prog help ''
expect "no options after OBJECT (not accepted there)" "" $B prog optimize a.o -

# Files and directories.
expect "OBJ: .o files and directories" $'a.o\nmy obj.o\nsub\nwith space' $B prog optimize ''
expect "dump OBJ: .o files and directories" $'a.o\nmy obj.o\nsub\nwith space' $B prog dump ''
expect "check OBJ: .o files and directories" $'a.o\nmy obj.o\nsub\nwith space' $B prog check ''
expect "out FILE: .o files and directories" $'a.o\nmy obj.o\nsub\nwith space' \
	$B prog optimize a.o out ''
expect "pin PATH: directories only" $'sub\nwith space' $B prog optimize a.o pin ''
expect "pinmaps DIR: directories only" $'sub\nwith space' $B prog optimize a.o pinmaps ''

# Keywords: all of them first, then only those not used yet.
expect "optimize OBJ <TAB> offers every keyword" "$opt_kw" $B prog optimize a.o ''
expect "after verify, verify is not offered again" "out prog type pinmaps pin budget jobs seed cost kops target cache select changes map" \
	$B prog optimize a.o verify ''
expect "after out FILE and type TYPE, neither is offered again" "prog verify pinmaps pin budget jobs seed cost kops target cache select changes map" \
	$B prog optimize a.o out x.o type xdp ''
expect "a value that looks like a keyword is not taken for one" \
	"prog type verify pinmaps pin budget jobs seed cost kops target cache select changes map" $B prog optimize a.o out prog ''
expect "p<TAB> offers prog, pinmaps and pin" "prog pinmaps pin" $B prog optimize a.o p
expect "abbreviated keywords count as used (ver, ou)" "prog type pinmaps pin budget jobs seed cost kops target cache select changes map" \
	$B prog optimize a.o ver ou x.o ''
expect "map <TAB> offers name" "name" $B prog optimize a.o map ''
expect "map name NAME <TAB> offers entries" "entries" $B prog optimize a.o map name counts ''
expect "map name NAME entries N: map may come again" "$opt_kw" $B prog optimize a.o map name counts entries 4 ''
expect "pin and pinmaps are told apart" "out prog type verify budget jobs seed cost kops target cache select changes map" \
	$B prog optimize a.o pin sub pinmaps sub ''
expect "all keywords used: only map, which may come again" "map" \
	$B prog optimize a.o out x.o prog p type xdp verify pinmaps sub pin sub \
	budget 1 jobs 1 seed 1 cost insns kops auto target t.txt cache none select measured changes ''
expect "after a word that is not a keyword: nothing" "" $B prog optimize a.o frob ''
expect "cost <TAB> offers the cost models" "insns latency jit" $B prog optimize a.o cost ''
expect "kops <TAB> offers the modes and the EInsn ops" \
	"auto none rotate select bfext ldbswap prefetch memcpy lea" $B prog optimize a.o kops ''
expect "ta<TAB> gives target" "target" $B prog optimize a.o ta
expect "ca<TAB> gives cache" "cache" $B prog optimize a.o ca
offers "cache <TAB> offers none" none $B prog optimize a.o cache ''
expect "select <TAB> offers model and measured" "model measured" $B prog optimize a.o select ''
expect "after changes, changes is not offered again" \
	"out prog type verify pinmaps pin budget jobs seed cost kops target cache select map" $B prog optimize a.o changes ''
expect "dump OBJ <TAB> offers prog" "prog" $B prog dump a.o ''
expect "dump OBJ prog NAME <TAB>: nothing" "" $B prog dump a.o prog xdp ''
expect "check OBJ <TAB> offers prog" "prog" $B prog check a.o ''
expect "check OBJ prog NAME <TAB>: nothing" "" $B prog check a.o prog xdp ''
expect "abbreviated object and command (p o)" "$opt_kw" $B p o a.o ''

# Program types.
offers "type <TAB> offers xdp" xdp $B prog optimize a.o type ''
offers "type <TAB> offers cgroup/skb" cgroup/skb $B prog optimize a.o type ''
lacks "type <TAB> does not offer keywords" verify $B prog optimize a.o type ''
expect "type cgroup/sock<TAB>" "cgroup/sock cgroup/sock_release" \
	$B prog optimize a.o type cgroup/sock
comp $B prog optimize a.o type ''
types=("${COMPREPLY[@]}")
[ "${#types[@]}" -ge 40 ]; tap $? "type <TAB> offers the whole TYPE list (${#types[@]})"
help_types=$("$bin" prog help 2>&1 | sed -n '/TYPE := {/,/}/p' |
	sed -e 's/.*TYPE := {//' -e 's/[{}|]/ /g')
missing=
for t in $help_types; do
	[ "$t" = "..." ] && continue
	printf '%s\n' "${types[@]}" | grep -qxF -- "$t" || missing+=" $t"
done
[ -n "$help_types" ] && [ -z "$missing" ]
tap $? "every TYPE of 'bpftool-ext prog help' is offered${missing:+ (missing:$missing)}"
if command -v bpftool >/dev/null; then
	# The list comes from bpftool's: each of its types that bpftool-ext
	# accepts must be offered.
	missing=
	for t in $(bpftool prog help 2>&1 | sed -n '/ TYPE := {/,/}/p' |
		sed -e 's/.*TYPE := {//' -e 's/[{}|]/ /g'); do
		printf '%s\n' "${types[@]}" | grep -qxF -- "$t" && continue
		"$bin" prog optimize "$obj" type "$t" >/dev/null 2>&1 && missing+=" $t"
	done
	[ -z "$missing" ]
	tap $? "every TYPE of 'bpftool prog help' that bpftool-ext takes is offered${missing:+ (missing:$missing)}"
else
	n=$((n + 1))
	echo "ok $n - TYPE list of 'bpftool prog help' # SKIP bpftool not installed"
fi
refused=
for t in "${types[@]}"; do
	"$bin" prog optimize "$obj" type "$t" >/dev/null 2>&1 || refused+=" $t"
done
[ -z "$refused" ]; tap $? "bpftool-ext accepts every type offered${refused:+ (refused:$refused)}"

# Program names, from the object itself.
names=$("$bin" prog dump "$obj" | sed -n 's/^\([^ ]*\) (section .*):$/\1/p' |
	LC_ALL=C sort -u)
[ -n "$names" ]; tap $? "the object has programs ($(printf %s "$names" | tr '\n' ' '))"
expect "optimize OBJ prog <TAB> offers the object's programs" "$names" \
	$B prog optimize "$obj" prog ''
expect "dump OBJ prog <TAB> offers the object's programs" "$names" \
	$B prog dump "$obj" prog ''
expect "check OBJ prog <TAB> offers the object's programs" "$names" \
	$B prog check "$obj" prog ''
first=$(echo "$names" | head -n 1)
expect "prog <partial name><TAB> completes it" "$first" \
	$B prog optimize "$obj" prog "${first:0:3}"
expect "names with a quoted object path (my\\ obj.o)" "$names" \
	$B prog optimize 'my\ obj.o' prog ''
expect "names with a quoted object path ('my obj.o')" "$names" \
	$B prog optimize "'my obj.o'" prog ''
# shellcheck disable=SC2088 # the completion sees the ~ as typed
expect "names with ~/ in the object path" "$names" $B prog dump '~/a.o' prog ''
expect "names when bpftool-ext is called by its path" "$names" \
	"$bin" prog optimize a.o verify prog ''
expect "no names for a missing object" "" $B prog optimize nothere.o prog ''
expect "no names for a file that is not an object" "" $B prog optimize b.txt prog ''

finish
