#!/bin/bash
# The base pin refuses what it should, in one line that says how to fix it:
# kernel/base.sh against made-up pins (PMDZERO_BASE_FILE), the installed
# package untouched.  PASS/FAIL lines; exit status non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
base=$top/kernel/base.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS kernel/base-pin/$1"; }
fail() { echo "FAIL kernel/base-pin/$1${2:+ ($2)}"; failed=1; }
. "$top/kernel/BASE"

# pin FILE VAR=VALUE...: the real pin with some values replaced.
pin() {
	local f=$tmp/$1
	shift
	cp "$top/kernel/BASE" "$f"
	for kv in "$@"; do
		sed -i "s|^${kv%%=*}=.*|$kv|" "$f"
	done
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
	env PMDZERO_BASE_FILE="$(pin v BASE_VERSION=0.0-pmdzero-test)" "$base" tarball
bad=0000000000000000000000000000000000000000000000000000000000000000
check other-sha256 1 "not the pinned $bad" "apt-get install --reinstall" -- \
	env PMDZERO_BASE_FILE="$(pin s BASE_SHA256=$bad)" "$base" tarball
# A version the archive does not offer: said, pointing to the rebase, and
# nothing installed or removed.
if [ "$(id -u)" = 0 ]; then
	check gone-from-archive 1 "no longer offered by apt" "Rebasing" -- \
		env PMDZERO_BASE_FILE="$(pin g BASE_VERSION=0.0-pmdzero-test)" "$base" install
	[ "$(installed)" = "$before" ] && pass untouched || fail untouched "$BASE_PACKAGE went from $before to $(installed)"
else
	echo "SKIP kernel/base-pin/gone-from-archive (not root: base.sh install needs apt)"
fi
exit $failed
