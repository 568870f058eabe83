#!/bin/bash
# The base pin refuses what it should, in one line that says how to fix it:
# kernel/base.sh against made-up pins (PMDZERO_BASES_FILE: kernel/bases with
# a field of one row replaced), the installed package untouched.  PASS/FAIL lines; exit status non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
base=$top/kernel/base.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS kernel/base-pin/$1"; }
fail() { echo "FAIL kernel/base-pin/$1${2:+ ($2)}"; failed=1; }
. "$top/kernel/base.sh"
default_base=$BASE_NAME

# pin FILE BASE FIELD VALUE: kernel/bases with one field of BASE's row
# replaced (FIELD: its column, 1 = base).
pin() {
	local f=$tmp/$1
	awk -v b="$2" -v n="$3" -v v="$4" '!/^#/ && $1 == b { $n = v } { print }' "$top/kernel/bases" > "$f"
	echo "$f"
}
installed() { dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null; }
before=$(installed)

# check NAME WANT_RC MUST_CONTAIN... -- COMMAND...
check() {
	local name=$1 want=$2 out rc
	shift 2
	local -a needles=()
	while [ "$1" != -- ]; do needles+=("$1"); shift; done
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" = "$want" ] || { fail "$name" "exit $rc, wanted $want: $out"; return; }
	for n in "${needles[@]}"; do
		[[ $out == *"$n"* ]] || { fail "$name" "'$n' missing from: $out"; return; }
	done
	if [ "$want" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then
		fail "$name" "not one line: $out"
		return
	fi
	pass "$name"
}

check pinned-tarball 0 "$BASE_TARBALL" -- "$base" tarball
check other-version 1 "pinned to $BASE_PACKAGE 0.0-pmdzero-test" "found $before" "make deps-kernel" -- \
	env PMDZERO_BASES_FILE="$(pin v "$default_base" 3 0.0-pmdzero-test)" "$base" tarball
bad=0000000000000000000000000000000000000000000000000000000000000000
check other-sha256 1 "not the pinned $bad" "apt-get install --reinstall" -- \
	env PMDZERO_BASES_FILE="$(pin s "$default_base" 4 $bad)" "$base" tarball
# A version the archive does not offer: said, pointing to the rebase, and
# nothing installed or removed.
if [ "$(id -u)" = 0 ]; then
	check gone-from-archive 1 "no longer offered by apt" "Rebasing" -- \
		env PMDZERO_BASES_FILE="$(pin g "$default_base" 3 0.0-pmdzero-test)" "$base" install
	[ "$(installed)" = "$before" ] && pass untouched || fail untouched "$BASE_PACKAGE went from $before to $(installed)"
else
	echo "SKIP kernel/base-pin/gone-from-archive (not root: base.sh install needs apt)"
fi

# A downloaded base (archive a suite, not host): fetched into the cache and
# checked the same way; the host's apt sources and packages untouched.
sources() { cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum; }
sources_before=$(sources)
for b in $(base_list); do
	(
		base_select "$b"
		[ "$BASE_ARCHIVE" != host ] || exit 0
		check "$b/pinned-tarball" 0 "$BASE_TARBALL" -- "$base" --base "$b" tarball
		check "$b/other-sha256" 1 "not the pinned $bad" "fetch it again" -- \
			env PMDZERO_BASES_FILE="$(pin "s$b" "$b" 4 $bad)" "$base" --base "$b" tarball
		check "$b/gone-from-archive" 1 "no longer offered by Debian $BASE_ARCHIVE" "Rebasing" -- \
			env PMDZERO_BASES_FILE="$(pin "g$b" "$b" 3 0.0-pmdzero-test)" "$base" --base "$b" tarball
		[ -z "$(dpkg-query -W -f='${db:Status-Abbrev}' "$BASE_PACKAGE" 2>/dev/null | grep '^ii')" ] &&
			pass "$b/not-installed" || fail "$b/not-installed" "$BASE_PACKAGE is installed on the host"
		exit $failed
	) || failed=1
done
[ "$(sources)" = "$sources_before" ] && pass apt-sources-untouched || fail apt-sources-untouched
exit $failed
