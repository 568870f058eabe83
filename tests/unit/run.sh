#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test program in O/tests/unit, O being the first argument
# (else $O, else build/default), and prints one line each:
#   PASS unit/NAME | FAIL unit/NAME (exit N) | SKIP unit/NAME: reason
# Output of each test goes to $TEST_LOGDIR/unit/NAME.log.  Exits 1 if any
# test failed.  The loop is tests/runner.sh's, shared with tests/host.

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
. "$here/../runner.sh"
tests=()
for t in "$dir"/*; do
	[[ -f $t && -x $t ]] && tests+=("$t")
done
_run_tests unit "$logdir" "${tests[@]}"
