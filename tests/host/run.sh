#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the host tests and prints one line per test:
#   PASS host/NAME | FAIL host/NAME (exit N) | SKIP host/NAME: reason
# then "N passed, N failed, N skipped".  Each test's output goes to
# $TEST_LOGDIR/host/NAME.log.  A test also fails if the kernel log shows a
# WARNING, BUG or Oops while it ran.  Exits 1 if any test failed.
#
# Environment: PMDZERO (default: $O/pmdzero), O (default: <repo>/build/default),
# TEST_LOGDIR (default: $O/logs).  Arguments: test names to run (default all).

here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$(cd "$here/../.." && pwd)/build/default}
export PMDZERO=${PMDZERO:-$O/pmdzero}
TEST_LOGDIR=${TEST_LOGDIR:-$O/logs}
logdir=$TEST_LOGDIR/host
mkdir -p "$logdir"

case $PMDZERO in
/*) ;;
*) PMDZERO=$(cd "$(dirname "$PMDZERO")" && pwd)/$(basename "$PMDZERO") ;;
esac

kmsg_ok=0
[[ -w /dev/kmsg ]] && dmesg >/dev/null 2>&1 && kmsg_ok=1

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
	for t in "$here"/[0-9][0-9][0-9]-*; do
		[[ -x $t ]] && tests+=("$(basename "$t")")
	done
fi

pass=0 fail=0 skip=0
for name in "${tests[@]}"; do
	t=$here/$name
	log=$logdir/$name.log
	marker="pmdzero-host-test: start $name $$ $RANDOM"
	[[ $kmsg_ok -eq 1 ]] && echo "$marker" >/dev/kmsg
	"$t" >"$log" 2>&1 </dev/null
	rc=$?
	if [[ $kmsg_ok -eq 1 && $rc -ne 77 ]] &&
	   dmesg | sed -n "/$marker/,\$p" | grep -Eq 'WARNING:|BUG:|Oops|general protection'; then
		dmesg | sed -n "/$marker/,\$p" >>"$log"
		echo "kernel log shows a WARNING/BUG/Oops during the test" >>"$log"
		[[ $rc -eq 0 ]] && rc=1
	fi
	case $rc in
	0) echo "PASS host/$name"; pass=$((pass + 1)) ;;
	77) echo "SKIP host/$name: $(tail -n 1 "$log")"; skip=$((skip + 1)) ;;
	*) echo "FAIL host/$name (exit $rc)"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
