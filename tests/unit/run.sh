#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test program in O/tests/unit, O being the first argument
# (else $O, else build/default), and prints one line each:
#   PASS unit/NAME | FAIL unit/NAME (exit N) | SKIP unit/NAME: reason
# Output of each test goes to $TEST_LOGDIR/unit/NAME.log.  Exits 1 if any
# test failed.  The loop is tests/test-loop.sh's, shared with tests/host.

here=$(cd "$(dirname "$0")" && pwd)
O=${1:-${O:-$here/../../build/default}}
TEST_LOGDIR=${TEST_LOGDIR:-$O/logs}
dir=$O/tests/unit
logdir=$TEST_LOGDIR/unit

if [[ ! -d $dir ]]; then
	echo "FAIL unit/build (no tests in $dir; run make -C tests/unit O=$O)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
. "$here/../test-loop.sh"
# Every program the Makefile lists must be there: a test that did not
# build is a FAIL, not one fewer PASS.
tests=() missing=0
for name in $(make -s --no-print-directory -C "$here" print-tests); do
	if [[ -f $dir/$name && -x $dir/$name ]]; then
		tests+=("$dir/$name")
	else
		echo "FAIL unit/$name (not built: no $dir/$name)"
		missing=$((missing + 1))
	fi
done
_run_tests unit "$logdir" "${tests[@]}"
rc=$?
[[ $missing -eq 0 ]] || { echo "$missing unit test programs missing"; exit 1; }
exit $rc
