#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# manpages.sh BUILD_DIR
#
# Renders every bpftool-ext/doc/*.rst into BUILD_DIR/man/*.8 with rst2man,
# failing on any docutils warning, and checks that the pages do not drift
# from the code: every word of `bpftool-ext prog help` (keywords, program
# types, options, placeholders) must appear in the prog page, every word of
# `bpftool-ext help` in the main page, and each command line of the prog
# page's synopsis must have the same keywords as the help's.  The binary is
# BUILD_DIR/bpftool-ext, or $BPFTOOL_EXT.  TAP output.
if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
bin=${BPFTOOL_EXT:-$build/bpftool-ext}
docdir=$(cd "$(dirname "$0")/../doc" && pwd)
mandir=$build/man
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"
diag() { sed 's/^/# /' "$@"; }

rst2man=$(command -v rst2man || command -v rst2man.py)
[ -n "$rst2man" ]; tap $? "rst2man is installed (python3-docutils)"
[ -x "$bin" ]; tap $? "bpftool-ext is built ($bin)"
mkdir -p "$mandir"; tap $? "created $mandir"
[ "$fail" -eq 0 ] || finish

# Render: no docutils message at all (--halt=warning makes them fatal).
pages=()
for rst in "$docdir"/*.rst; do
	[ -e "$rst" ] || continue
	page=$(basename "$rst" .rst)
	pages+=("$page")
	"$rst2man" --halt=warning --strip-comments "$rst" "$mandir/$page.8" \
		2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ -s "$mandir/$page.8" ]
	tap $? "$page.rst renders to $mandir/$page.8 without warnings"
	[ -s "$tmp/err" ] && diag "$tmp/err"
	if command -v groff >/dev/null; then
		groff -man -Tutf8 -ww -z "$mandir/$page.8" 2>"$tmp/err"
		[ ! -s "$tmp/err" ]
		tap $? "$page.8 formats without groff warnings"
		[ -s "$tmp/err" ] && diag "$tmp/err"
	else
		skip "$page.8 formats without groff warnings" "groff not installed"
	fi
done
for page in bpftool-ext bpftool-ext-prog; do
	[ -s "$mandir/$page.8" ]; tap $? "$page.8 exists"
done

# The text of a rendered page, fonts and escapes removed.
plain() {
	sed -e 's/\\f\[[^]]*\]//g' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' \
		-e 's/\\(aq/'"'"'/g' -e 's/\\(dq/"/g' -e 's/\\[&%]//g' \
		-e 's/\\e/\\/g' "$1"
}

# The words of a help text: keywords, types, options and placeholders.
help_words() {
	sed -e 's/Usage://' -e 's/:=//g' -e 's/[][{}|,]/ /g' "$1" |
		tr -s ' \t' '\n\n' | grep -v -e '^$' -e '^\.\.\.$' | sort -u
}

# check_words HELP_FILE PAGE: every word of HELP_FILE is in PAGE.8.
check_words() {
	local help=$1 page=$2 w re missing='' count=0
	[ -s "$mandir/$page.8" ] || { tap 1 "$page.8 to check words in"; return; }
	plain "$mandir/$page.8" >"$tmp/$page.txt"
	for w in $(help_words "$help"); do
		count=$((count + 1))
		re=$(printf '%s' "$w" | sed 's/[.]/\\./g')
		grep -qE "(^|[^A-Za-z0-9_/-])$re([^A-Za-z0-9_/-]|\$)" "$tmp/$page.txt" ||
			missing+=" $w"
	done
	[ "$count" -gt 0 ] && [ -z "$missing" ]
	tap $? "$page.8 has the $count words of '$(basename "$help" .help)'${missing:+ (missing:$missing)}"
}

"$bin" prog help >"$tmp/prog help.help" 2>&1
[ -s "$tmp/prog help.help" ]; tap $? "bpftool-ext prog help prints its usage"
"$bin" help >"$tmp/help.help" 2>&1
[ -s "$tmp/help.help" ]; tap $? "bpftool-ext help prints its usage"
check_words "$tmp/prog help.help" bpftool-ext-prog
check_words "$tmp/help.help" bpftool-ext

# Each "bpftool-ext prog CMD ..." line of the help (continuation lines
# joined) against the "| **bpftool-ext** **prog CMD** ..." line of the page:
# the same keywords (lower-case words) in the same order.
awk '/^$/ { exit }
     { sub(/^Usage:/, ""); sub(/^[ \t]+/, "") }
     /^bpftool-ext prog / { if (line != "") print line; line = $0; next }
     { line = line " " $0 }
     END { if (line != "") print line }' "$tmp/prog help.help" >"$tmp/usage"
[ -s "$tmp/usage" ]; tap $? "the prog help has command lines"
while read -r _ _ cmd rest; do
	want=$(printf '%s\n' "$cmd" $rest | tr -d '[]{}|' |
		grep -E '^[a-z][a-z0-9_/-]*$' | tr '\n' ' ')
	line=$(grep -E "^[|][[:space:]]+[*][*]bpftool-ext[*][*] [*][*]prog $cmd[*][*]" \
		"$docdir/bpftool-ext-prog.rst" | head -n 1)
	got=$(printf '%s\n' "$line" | grep -oE '[*][*][^*]+[*][*]' | tr -d '*' |
		tr ' ' '\n' | sed '/^$/d' | tail -n +3 | tr '\n' ' ')
	[ -n "$line" ] && [ "$want" = "$got" ]
	tap $? "synopsis of 'prog $cmd' has the keywords of the help ($want)"
	[ "$want" = "$got" ] || echo "# help: '$want'; page: '$got'"
done <"$tmp/usage"

finish
