#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/matrix-summary.py on made-up set-ups whose every figure is known:
# the counts table, the XFS model compared across kernels (same: PASS;
# one differs: FAIL and exit 1), kmemleak scans required where LEAK_SETUPS
# says, faults from a part the table has no column for, and a record of
# an unknown kind.  The records are written by the guests' own record().  One PASS/FAIL
# line per check, exit 1 if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
summary=$here/matrix-summary.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS matrix-summary/$1"; }
flunk() { echo "FAIL matrix-summary/$1: $2"; failed=1; }

# rec KERNEL KIND FIELD...: a record as the guests write it (lib.sh's
# record()), without its DATA prefix.
rec() {
	PMDZERO_HOME=$here/.. PMDZERO_KERNEL=$1 PMDZERO_RESULTS=/dev/stdout bash -c '
		. "$1"; shift; record "$@"' rec "$here/guest/lib.sh" "${@:2}" | sed 's/^@@PMDZERO DATA //'
}
model() { # kernel checksum
	rec "$1" xfs-model seed:=1 workers:=2 ops:=10 counts:='{"dwrite":6,"zero":4}' checksum="$2" repair=clean
}
part() { # setup stress cases bytes faults leaks
	rec "$1" stress stress="$2" cases:=$3 bytes_verified:=$4 faults:=$5 corrupt:=0 leaks:=$6
}
# run NAME SETUP... with LEAK_SETUPS from the environment: out in $tmp/NAME.out.
run() {
	local name=$1
	shift
	python3 "$summary" "$tmp/$name" "$@" > "$tmp/$name.out" 2>&1
	echo $? > "$tmp/$name.rc"
}
rc() { cat "$tmp/$1.rc"; }

# Two kernels, same model, counts on one.
mkdir -p "$tmp/same"
{ rec patched test-counts test="blkzeroout 1 GiB" bios:=129 requests:=8225; part a device-errors 20 100 25 0
  part a xfs-64k 10 50 0 0; model patched ab; } > "$tmp/same/a.data"
{ rec stock test-counts test="blkzeroout 1 GiB" bios:=1024 requests:=9216; part b xfs-64k 10 50 0 null
  model stock ab; } > "$tmp/same/b.data"
LEAK_SETUPS=a run same a b
if [ "$(rc same)" = 0 ] && grep -qx 'PASS vm/xfs-64k-model-same-on-a-b' "$tmp/same.out"; then
	pass model-same
else
	flunk model-same "exit $(rc same): $(cat "$tmp/same.out")"
fi
grep -qx '| blkzeroout 1 GiB | 129 / 8225 | 1024 / 9216 |' "$tmp/same.out" && pass counts-table ||
	flunk counts-table "$(grep -F 'blkzeroout 1 GiB' "$tmp/same.out")"
grep -qx '| a | 2 | 20 | 10 | 150 | 25 | 0 | ? | ? | 0 | 0 |' "$tmp/same.out" && pass stress-row ||
	flunk stress-row "$(grep -F '| a |' "$tmp/same.out")"
grep -qx 'PASS vm/a/leaks-scanned (all 2 parts)' "$tmp/same.out" && pass leaks-scanned ||
	flunk leaks-scanned "$(cat "$tmp/same.out")"

# One kernel's model differs: a FAIL line and exit 1.
mkdir -p "$tmp/differ"
cp "$tmp/same/a.data" "$tmp/differ/"
model stock cd > "$tmp/differ/b.data"
LEAK_SETUPS= run differ a b
if [ "$(rc differ)" = 1 ] && grep -qx 'FAIL vm/xfs-64k-model-same-on-a-b' "$tmp/differ.out"; then
	pass model-differs
else
	flunk model-differs "exit $(rc differ): $(cat "$tmp/differ.out")"
fi

# A kmemleak set-up with a part that did not scan: FAIL, exit 1.
mkdir -p "$tmp/noscan"
part d device-errors 20 100 25 null > "$tmp/noscan/d.data"
LEAK_SETUPS=d run noscan d
if [ "$(rc noscan)" = 1 ] && grep -q '^FAIL vm/d/leaks-scanned (no kmemleak scan in device-errors)' "$tmp/noscan.out"; then
	pass leaks-not-scanned
else
	flunk leaks-not-scanned "exit $(rc noscan): $(cat "$tmp/noscan.out")"
fi

# Faults from a part with no column of its own: FAIL, exit 1.
mkdir -p "$tmp/column"
part e limits-edges 5 10 3 null > "$tmp/column/e.data"
LEAK_SETUPS= run column e
if [ "$(rc column)" = 1 ] && grep -q '^FAIL vm/e/stress-columns (3 faults' "$tmp/column.out"; then
	pass stress-columns
else
	flunk stress-columns "exit $(rc column): $(cat "$tmp/column.out")"
fi

# A record of a kind the summary does not know: FAIL, exit 1.
mkdir -p "$tmp/kind"
rec f mystery n:=1 > "$tmp/kind/f.data"
LEAK_SETUPS= run kind f
if [ "$(rc kind)" = 1 ] && grep -q "^FAIL vm/f/data (a record of unknown kind 'mystery'" "$tmp/kind.out"; then
	pass unknown-kind
else
	flunk unknown-kind "exit $(rc kind): $(cat "$tmp/kind.out")"
fi
exit $failed
