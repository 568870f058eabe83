#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The loop shared by tests/host/run.sh and tests/unit/run.sh; source it and
# call _run_tests SUITE LOGDIR PROGRAM...
# Each program runs with its output in LOGDIR/NAME.log and exit status
# 0 pass, 77 skip (the log's last line says why), anything else fail; one
# line each:
#   PASS SUITE/NAME | FAIL SUITE/NAME (exit N) | SKIP SUITE/NAME: reason
# then "N passed, N failed, N skipped".  Returns 1 if any test failed.
# A skip that tests/expected-skips does not allow is a FAIL under CI=true
# (tests/skips.sh).
# With RUNNER_KMSG=1 a test also fails if the kernel log shows a splat
# (tests/kernel-splats: WARNING, BUG, Oops, UBSAN, a hung task, ...) after
# a marker written to /dev/kmsg before it ran.

. "$(dirname "${BASH_SOURCE[0]}")/skips.sh"
. "$(dirname "${BASH_SOURCE[0]}")/kernel-splats.sh"

_run_tests() {
	local suite=$1 logdir=$2 t name log rc marker pass=0 fail=0 skip=0 splat
	shift 2
	splat=$(kernel_splat_re "$(dirname "${BASH_SOURCE[0]}")/kernel-splats") || return 1
	mkdir -p "$logdir"
	for t in "$@"; do
		name=$(basename "$t")
		log=$logdir/$name.log
		marker="pmdzero-$suite-test: start $name $$ $RANDOM"
		[[ ${RUNNER_KMSG:-0} -eq 1 ]] && echo "$marker" >/dev/kmsg
		"$t" >"$log" 2>&1 </dev/null
		rc=$?
		if [[ ${RUNNER_KMSG:-0} -eq 1 && $rc -ne 77 ]] &&
		   dmesg | sed -n "/$marker/,\$p" | grep -Eq "$splat"; then
			dmesg | sed -n "/$marker/,\$p" >>"$log"
			echo "kernel log shows a splat (tests/kernel-splats) during the test" >>"$log"
			[[ $rc -eq 0 ]] && rc=1
		fi
		case $rc in
		0) echo "PASS $suite/$name"; pass=$((pass + 1)) ;;
		77)
			if skip_report "$suite/$name" "$(tail -n 1 "$log")"; then
				skip=$((skip + 1))
			else
				fail=$((fail + 1))
			fi
			;;
		*) echo "FAIL $suite/$name (exit $rc)"; fail=$((fail + 1)) ;;
		esac
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[[ $fail -eq 0 ]]
}
