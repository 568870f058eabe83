#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest lib.sh's clock arithmetic, on the host, with EPOCHREALTIME made
# an ordinary variable the checks set: a guest without an RTC (arm64) runs
# its first tests in the first second after 1970, where EPOCHREALTIME is
# "0.8...".  poll_until must succeed and time out there as anywhere else.
# One PASS/FAIL line per check, exit 1 if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
failed=0
pass() { echo "PASS guest-lib/$1"; }
flunk() { echo "FAIL guest-lib/$1: $2"; failed=1; }

# check NAME START STEP SUCCEED_AT TIMEOUT WANT: in a subshell (lib.sh's
# fail exits), a clock at START seconds advancing STEP per look, a
# condition true from look SUCCEED_AT on (0: never); WANT is what
# poll_until must report: "ok WAITED_S" or "timeout".
check() {
	local name=$1 got
	# PMDZERO_HOME: lib.sh reads kernel-splats from there, in tests/ here.
	got=$(PMDZERO_HOME=$here/.. bash -c '
		. "$1"
		unset EPOCHREALTIME
		EPOCHREALTIME=$2 step_us=$3 succeed_at=$4 looks=0
		nap() { :; }
		advance() {
			local us=$((10#${EPOCHREALTIME/./} + step_us))
			printf -v EPOCHREALTIME "%d.%06d" $((us / 1000000)) $((us % 1000000))
		}
		cond() {
			looks=$((looks + 1))
			[ "$succeed_at" -gt 0 ] && [ $looks -ge "$succeed_at" ] && return 0
			advance
			return 1
		}
		if poll_until "$5" "the condition" cond; then
			echo "ok $waited_s"
		else
			echo "timeout: $timed_out"
		fi' check "$here/guest/lib.sh" "$2" "$3" "$4" "$5" 2>&1)
	case $got in
	"$6"*) pass "$name" ;;
	*) flunk "$name" "got '$got', want '$6'" ;;
	esac
}

check poll-first-second 0.839110 100000 3 30 "ok 0.200"
check poll-first-second-octal-digits 0.078900 90000 2 30 "ok 0.090"
check poll-times-out-first-second 0.839110 500000 0 2 "timeout: timed out after 2s waiting for the condition"
check poll-2026 1796269035.839110 100000 3 30 "ok 0.200"
check poll-times-out-2026 1796269035.999999 700000 0 3 "timeout: timed out after 3s"

# record_check NAME WANT FIELD...: record(), in a subshell, with the kernel
# "k": its DATA line must be WANT; WANT "fail" wants a FAIL line and exit 1.
record_check() {
	local name=$1 want=$2 got
	shift 2
	got=$(PMDZERO_HOME=$here/.. PMDZERO_KERNEL=k PMDZERO_RESULTS=/dev/stdout bash -c '
		. "$1"; shift; record "$@"; echo "exit $?"' check "$here/guest/lib.sh" "$@" 2>&1)
	if [ "$want" = fail ]; then
		[[ $got == FAIL:* ]] && [[ $got != *"exit 0"* ]] && pass "$name" || flunk "$name" "got '$got', want a FAIL"
	else
		[ "$got" = "@@PMDZERO DATA $want"$'\n'"exit 0" ] && pass "$name" || flunk "$name" "got '$got', want '$want'"
	fi
}
# Text stays text, even when it looks like a number; := takes JSON.
record_check record-fields '{"kind":"t","kernel":"k","test":"a b","n":3,"v":[1,2],"id":"007","o":{"x":null}}' \
	t test="a b" n:=3 v:='[1,2]' id=007 o:='{"x":null}'
record_check record-text-with-equals '{"kind":"t","kernel":"k","append":"x=y"}' t append=x=y
record_check record-bad-json fail t n:=
record_check record-no-key fail t justtext
exit $failed
