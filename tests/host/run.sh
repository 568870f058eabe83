#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the host tests and prints one line per test:
#   PASS host/NAME | FAIL host/NAME (exit N) | SKIP host/NAME: reason
# then "N passed, N failed, N skipped".  Each test's output goes to
# $TEST_LOGDIR/host/NAME.log.  A test also fails if the kernel log shows a
# WARNING, BUG or Oops while it ran.  Exits 1 if any test failed.
#
# The loop is tests/test-loop.sh's, shared with tests/unit.
#
# Environment: PMDZERO (default: $O/pmdzero), O (default: <repo>/build/default),
# TEST_LOGDIR (default: $O/logs).  Arguments: test names to run (default all).

here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$(cd "$here/../.." && pwd)/build/default}
export PMDZERO=${PMDZERO:-$O/pmdzero}
TEST_LOGDIR=${TEST_LOGDIR:-$O/logs}
logdir=$TEST_LOGDIR/host

case $PMDZERO in
/*) ;;
*) PMDZERO=$(cd "$(dirname "$PMDZERO")" && pwd)/$(basename "$PMDZERO") ;;
esac

. "$here/../test-loop.sh"
RUNNER_KMSG=0
[[ -w /dev/kmsg ]] && dmesg >/dev/null 2>&1 && RUNNER_KMSG=1

tests=()
for name in "$@"; do
	tests+=("$here/$name")
done
if [[ ${#tests[@]} -eq 0 ]]; then
	for t in "$here"/[0-9][0-9][0-9]-*; do
		[[ -x $t ]] && tests+=("$t")
	done
fi
_run_tests host "$logdir" "${tests[@]}"
