#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/fresh-check.sh
#
# Run the README's two commands the way a new user on a bare Debian 12
# machine would, where nothing this machine happens to have can help:
# build a minimal Debian 12 root file system with mmdebstrap in a
# temporary directory, copy a clean clone of the repository's HEAD into
# it, mount /proc, /sys, /dev and a bpffs, and run inside it (chroot, as
# root, HOME empty, so every cache and kernel build starts cold)
#
#	make demo
#	make check
#
# It prints what each command installed, how long each took and the test
# summary, and exits non-zero if either fails.  `make fresh-check` runs it.
#
# Environment:
#   FRESH_DIR    where the root file system goes (default: a new directory
#                under /var/tmp; it needs ~25 GB for the kernel builds)
#   FRESH_KEEP=1 keep the root file system afterwards (for a post-mortem)
#   MIRROR       Debian mirror (default: the host's apt sources)
#
# What the chroot starts with is Debian's minbase variant plus `make`, the
# one package the README tells a new user to install before its commands.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
t0=$(date +%s)
log() { echo "fresh-check +$(($(date +%s) - t0))s: $*"; }
die() { echo "fresh-check: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot and mounts)"
if ! command -v mmdebstrap >/dev/null; then
	log "installing mmdebstrap on the host"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		mmdebstrap >/dev/null
fi

root=${FRESH_DIR:-$(mktemp -d /var/tmp/fresh-check.XXXXXX)}
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	if [ "${FRESH_KEEP:-0}" = 1 ]; then
		echo "fresh-check: root file system kept in $root"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT

# 1. a minimal Debian 12 from the same mirror the host uses
sources=$(mktemp)
if [ -n "${MIRROR:-}" ]; then
	echo "deb $MIRROR bookworm main" > "$sources"
else
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list 2>/dev/null > "$sources" || true
fi
log "mmdebstrap bookworm (minbase + make) into $root"
rm -rf "$root"
mmdebstrap --quiet --variant=minbase --include=make \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	bookworm "$root" - < "$sources" || die "mmdebstrap failed"
rm -f "$sources"
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package}\n' | sort > "$root/.pkgs-base"
log "base system: $(wc -l < "$root/.pkgs-base") packages"

# 2. a clean clone of HEAD (committed work only, as CI sees it)
git clone -q --no-local "$repo" "$root/root/src"
git -C "$root/root/src" log -1 --format='fresh-check: testing %h %s'

# 3. what the tests need from the kernel
for m in proc sys dev dev/pts; do
	mkdir -p "$root/$m"
done
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" && mounted+=("$root/sys")
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounted+=("$root/dev")
mountpoint -q "$root/sys/fs/bpf" || mount -t bpf bpf "$root/sys/fs/bpf"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# 4. the README's two commands, as a new user runs them
inside() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 /bin/bash -c "cd /root/src && $1"
}
rc=0
declare -A took
for cmd in "make demo" "make check"; do
	log "running '$cmd'"
	s=$(date +%s)
	set +e
	inside "$cmd" 2>&1 | tee "$root/.log-${cmd#make }" | sed 's/^/    | /'
	st=${PIPESTATUS[0]}
	set -e
	took[$cmd]=$(($(date +%s) - s))
	log "'$cmd' exited $st after ${took[$cmd]}s"
	[ "$st" -eq 0 ] || rc=1
done

# 5. the report
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package}\n' | sort > "$root/.pkgs-after"
echo
echo "== fresh-check report"
echo "packages installed by the README's commands: $(comm -13 "$root/.pkgs-base" "$root/.pkgs-after" | wc -l)"
grep -h '^install-deps.sh: installing' "$root"/.log-* | sed 's/^/  /' || true
for cmd in "make demo" "make check"; do
	printf '%-11s %5ss\n' "$cmd" "${took[$cmd]}"
done
echo "test summary: $(tail -n 1 "$root/.log-check")"
[ $rc -eq 0 ] && echo "fresh-check: PASS" || echo "fresh-check: FAIL"
exit $rc
