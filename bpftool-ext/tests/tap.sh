# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# TAP output for the shell tests; source it, then call tap/skip and finish.
n=0 fail=0

tap() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=$((fail + 1))
	fi
}

skip() { # DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

finish() {
	echo "1..$n"
	[ "$fail" -eq 0 ]
	exit $?
}
