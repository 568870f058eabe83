#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test program in O/tests/unit, O being the first argument
# (else $O, else build/default), and prints one line each:
#   PASS unit/NAME | FAIL unit/NAME (exit N) | SKIP unit/NAME: reason
# Output of each test goes to $TEST_LOGDIR/unit/NAME.log.  Exits 1 if any
# test failed.

here=$(cd "$(dirname "$0")" && pwd)
O=${1:-${O:-$here/../../build/default}}
TEST_LOGDIR=${TEST_LOGDIR:-$O/logs}
dir=$O/tests/unit
logdir=$TEST_LOGDIR/unit
mkdir -p "$logdir"

pass=0 fail=0 skip=0
if [[ ! -d $dir ]]; then
	echo "FAIL unit/build (no tests in $dir; run make -C tests/unit O=$O)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
for t in "$dir"/*; do
	[[ -f $t && -x $t ]] || continue
	name=$(basename "$t")
	log=$logdir/$name.log
	"$t" >"$log" 2>&1
	rc=$?
	case $rc in
	0) echo "PASS unit/$name"; pass=$((pass + 1)) ;;
	77) echo "SKIP unit/$name: $(tail -n 1 "$log")"; skip=$((skip + 1)) ;;
	*) echo "FAIL unit/$name (exit $rc)"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
