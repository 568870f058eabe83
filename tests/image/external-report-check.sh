#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/image/external-report.py (make external's side-by-side report) on
# suite output made up here in blktests' and fstests' formats: the totals,
# the tests that differ, a regression (passed on stock, failed on patched)
# failing the run, a fix not failing it, a kernel that left no result,
# and a suite cut off at its time bound.
# One PASS/FAIL line per check.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
report=$top/tests/image/external-report.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS image/external-report-$1"; }
fail() { echo "FAIL image/external-report-$1: $2"; failed=1; }

# blktests prints a test's name first, then again with its status; a
# device test is "TEST => DEV", a variant carries its condition.
blk() { # NVME006-FILE-STATUS
	cat <<-EOF
	block/001 (stress device hotplugging)                        
	block/001 (stress device hotplugging)                        [passed]
	    runtime    ...  12.3s
	block/003 => vdd (run various discard sizes)                 [passed]
	block/004 => vdd (run lots of flushes)                       [not run]
	    device does not support write cache
	nvme/006 (tr=loop bd=device) (create an NVMeOF target)       [passed]
	nvme/006 (tr=loop bd=file) (create an NVMeOF target)         [$1]
	block/*** => vdd                                             [not run]
	EOF
}
fst() { # FAILURES-LINE
	printf 'generic/008 4s ...  4s\nRan: generic/008 generic/009 xfs/242\nNot run: generic/009\n%s' "$1"
}
mkdir -p "$tmp/a/stock" "$tmp/a/on"
blk passed > "$tmp/a/stock/blktests.log"
blk failed > "$tmp/a/on/blktests.log"
fst $'Failures: xfs/242\nFailed 1 of 3 tests\n' > "$tmp/a/stock/fstests-65536.log"
fst $'Passed all 3 tests\n' > "$tmp/a/on/fstests-65536.log"
if python3 "$report" "$tmp/a" stock on > /dev/null 2>&1; then
	fail regression "a test that passes on stock and fails on patched did not fail the run"
else
	pass regression
fi
j=$tmp/a/summary.json
check() { # NAME JQ WANT
	local got
	got=$(jq -c "$2" "$j" 2> /dev/null)
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "$2 is $got, want $3"; fi
}
check blktests-totals '.suites.blktests.totals' '{"stock":{"passed":4,"failed":0,"not run":1},"on":{"passed":3,"failed":1,"not run":1}}'
check blktests-names '.suites.blktests.results.stock | keys' '["block/001","block/003=>vdd","block/004=>vdd","nvme/006 (tr=loop bd=device)","nvme/006 (tr=loop bd=file)"]'
check regressions '.regressions' '["blktests: nvme/006 (tr=loop bd=file)"]'
check fstests-totals '.suites["fstests xfs bs=65536"].totals' '{"stock":{"passed":1,"failed":1,"not run":1},"on":{"passed":2,"failed":0,"not run":1}}'
check fstests-differ '.suites["fstests xfs bs=65536"].differ' '{"xfs/242":{"stock":"failed","on":"passed"}}'

# Fixed on patched, nothing worse: the run passes.
mkdir -p "$tmp/b/stock" "$tmp/b/on"
blk passed > "$tmp/b/stock/blktests.log"
blk passed > "$tmp/b/on/blktests.log"
cp "$tmp/a/stock/fstests-65536.log" "$tmp/b/stock/"
cp "$tmp/a/on/fstests-65536.log" "$tmp/b/on/"
if python3 "$report" "$tmp/b" stock on > /dev/null 2>&1 &&
   grep -q 'Regressions (passed on stock, not on a patched kernel): none' "$tmp/b/summary.md"; then
	pass no-regression
else
	fail no-regression "a run whose only difference is a fix did not pass"
fi
# A kernel whose suite left nothing.
mkdir -p "$tmp/c/stock" "$tmp/c/on"
blk passed > "$tmp/c/stock/blktests.log"
: > "$tmp/c/on/blktests.log"
if python3 "$report" "$tmp/c" stock on > /dev/null 2>&1; then
	fail empty "an empty log on one kernel passed"
elif grep -q 'PROBLEM: blktests: no result on on' "$tmp/c/summary.md"; then
	pass empty
else
	fail empty "no PROBLEM line for the empty log"
fi
# A suite stopped at its time bound: a problem, not a pass.
mkdir -p "$tmp/d/stock" "$tmp/d/on"
blk passed > "$tmp/d/stock/blktests.log"
blk passed > "$tmp/d/on/blktests.log"
echo 124 > "$tmp/d/on/blktests.status"
if python3 "$report" "$tmp/d" stock on > /dev/null 2>&1; then
	fail cut-off "a suite stopped at its time bound passed"
elif grep -q 'PROBLEM: blktests: cut off on on at its time bound' "$tmp/d/summary.md"; then
	pass cut-off
else
	fail cut-off "no PROBLEM line for the suite stopped at its bound"
fi
# fstests stopped before its end prints no closing lines: what it
# finished still counts, the test it was in does not.
mkdir -p "$tmp/e/stock" "$tmp/e/on"
printf 'FSTYP -- xfs\n\ngeneric/008         88s\ngeneric/009 4s ...  5s\ngeneric/042         - output mismatch (see x)\n    --- a\ngeneric/456        [not run] This test requires dm flakey support\ngeneric/538        \n' \
	> "$tmp/e/stock/fstests-65536.log"
cp "$tmp/e/stock/fstests-65536.log" "$tmp/e/on/"
echo 124 > "$tmp/e/on/fstests-65536.status"
python3 "$report" "$tmp/e" stock on > /dev/null 2>&1
j=$tmp/e/summary.json
check fstests-cut-off-results '.suites["fstests xfs bs=65536"].results.on' \
	'{"generic/008":"passed","generic/009":"passed","generic/042":"failed","generic/456":"not run"}'
check fstests-cut-off-problem '.problems' '["fstests xfs bs=65536: cut off on on at its time bound; the tests after it did not run"]'
exit $failed
