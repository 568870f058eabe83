#!/bin/bash
# Run the guest suite on a list of kernel set-ups, building (or fetching from
# the cache) each kernel first.
#
#   tests/vm/matrix.sh SETUP...    boot each set-up and run its tests
#   tests/vm/matrix.sh --tier quick|full
#                                  the set-ups of a tier (make test, make
#                                  test-full), in order, one line
#   tests/vm/matrix.sh --flavours SETUP...
#                                  the kernel flavours the set-ups boot, one
#                                  per line, in their first set-up's order
#
# SETUP: a line of tests/vm/setups, which says for each its kernel, its
# boot (memory, kernel parameters, QEMU devices) and its tests.  The tests
# a set-up runs are its tests= list, or every test of its suite; run-vm.sh
# fails each one that reports nothing.  A flavour's checks= in
# kernel/flavours (the debug kernels: kmemleak,fail_make_request) boot as
# pmdzero.require=: there a leak scan or a fault injection that cannot run
# fails its test, and every part of the stress suite must report a leak
# count.  arm64 must pass, fail and skip the tests it ran exactly as
# patched did, if both ran.
#
# Needs the initramfs (make initramfs; make initramfs-arm64 for arm64).
# Output: the PASS/FAIL/SKIP lines of run-vm.sh for every set-up, then per
# set-up the tests expected, ran, passed, skipped as allowed
# (tests/expected-skips), failed and missing, a table of the bio and request
# counts each guest measured and the kill latencies of 070-kill-latency;
# exit status non-zero if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
initrd_arm64=${INITRD_ARM64:-$top/build/vm/initramfs-arm64.cpio}
logdir=${TEST_LOGDIR:-$top/build/logs}/vm
failed=0 leak_setups=
. "$top/tests/vm/disks.sh"

setups_table=$top/tests/vm/setups
# setup_row SETUP: the set-up's fields, from tests/vm/setups.
setup_row() {
	awk -v s="$1" '!/^#/ && $1 == s { $1 = ""; print; found = 1; exit } END { exit !found }' "$setups_table"
}

# setup_vars SETUP: the set-up's kernel flavour, boot and tests, in globals.
setup_vars() {
	local row field value
	row=$(setup_row "$1") || { echo "matrix.sh: no set-up '$1' in tests/vm/setups" >&2; return 2; }
	flavour='' expect='' timeout=600 iommu=() only='' mem=${PMDZERO_VM_MEM:-3G} suite=main
	append='' boot_initrd=$initrd disks=1
	for field in $row; do
		value=${field#*=}
		case $field in
		flavour=?*) flavour=$value ;;
		expect=large|expect=small) expect=$value ;;
		tiers=*) ;;
		suite=main|suite=stress) suite=$value ;;
		tests=?*) only=$value ;;
		mem=?*) mem=$value ;;
		timeout=?*) timeout=$value ;;
		append=?*) append+="${append:+ }$value" ;;
		iommu=yes) iommu=(-device intel-iommu,intremap=off) ;;
		disks=0) disks=0 ;;
		*) echo "matrix.sh: tests/vm/setups: $1: cannot read '$field'" >&2; return 2 ;;
		esac
	done
	if [ -z "$flavour" ] || [ -z "$expect" ]; then
		echo "matrix.sh: tests/vm/setups: $1 needs flavour= and expect=" >&2
		return 2
	fi
	only=${VM_ONLY:-$only}
	arch=$("$top/kernel/build.sh" --arch "$flavour") || return 2
	[ "$arch" = arm64 ] && boot_initrd=$initrd_arm64
	return 0
}

if [ "${1:-}" = --tier ]; then
	case ${2:-} in quick|full) ;; *) echo "matrix.sh: --tier quick or full, not '${2:-}'" >&2; exit 2 ;; esac
	awk -v t="$2" '!/^#/ && NF { for (i = 2; i <= NF; i++) if ($i ~ "^tiers=") {
		if (index("," substr($i, 7) ",", "," t ",")) { printf "%s%s", sep, $1; sep = " " } } }
		END { print "" }' "$setups_table"
	exit 0
fi

if [ "${1:-}" = --flavours ]; then
	shift
	declare -A seen=()
	for setup in "$@"; do
		setup_vars "$setup" || exit 2
		[ -n "${seen[$flavour]+set}" ] || echo "$flavour"
		seen[$flavour]=1
	done
	exit 0
fi

for setup in "$@"; do
	setup_vars "$setup" || exit 2
	# What the kernel has for the checks that need it.
	require=$("$top/kernel/build.sh" --checks "$flavour") || { echo "FAIL vm/$setup/kernel-build"; failed=1; continue; }
	[ -n "$require" ] && append+="${append:+ }pmdzero.require=$require"
	# PMDZERO_SOAK=N multiplies the stress suite's rounds (make stress-soak).
	[ "$suite" = stress ] && [ -n "${PMDZERO_SOAK:-}" ] &&
		append+="${append:+ }pmdzero.soak=$PMDZERO_SOAK" timeout=$((timeout * PMDZERO_SOAK))
	rm -f "$logdir/$setup.tally"
	[ "$suite" = stress ] && [[ ,$require, == *,kmemleak,* ]] && leak_setups+=" $setup"
	if ! kdir=$("$top/kernel/build.sh" "$flavour"); then
		echo "FAIL vm/$setup/kernel-build"
		failed=1
		continue
	fi
	# One accelerator for the x86_64 boots, probed with the first kernel.
	[ -n "${PMDZERO_VM_ACCEL:-}" ] || [ "$arch" = arm64 ] ||
		export PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "$kdir")
	mkdir -p "$logdir"
	vm_disk_args=()
	[ $disks = 0 ] || vm_disks_create "$logdir/$setup" || { echo "FAIL vm/$setup/disks"; failed=1; continue; }
	# VM_ONLY runs part of a set-up: a base-kernel warning its full run
	# must show may then not show (run-vm.sh says it did not check).
	PMDZERO_VM_PARTIAL=${VM_ONLY:+1} PMDZERO_VM_MEM=$mem "$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "$setup" --expect "$expect" \
		--initrd "$boot_initrd" --suite "$suite" --append "$append" --timeout "$timeout" \
		--logdir "$logdir" ${only:+--only "$only"} -- "${iommu[@]}" "${vm_disk_args[@]}" || failed=1
	vm_disks_remove "$logdir/$setup"
done

# arm64 must pass, fail and skip the tests it ran exactly as x86_64 did.
if [[ " $* " == *" arm64 "* && " $* " == *" patched "* ]]; then
	setup_vars arm64
	arm64_tests=$only
	outcomes() { # setup: "test STATUS" per line, for the arm64 tests
		sed -n 's/^@@PMDZERO RESULT \([A-Z]*\) vm\/\([^ ]*\).*/\2 \1/p' "$logdir/$1.results.log" |
			grep -E "^(${arm64_tests//,/|}) " | sort
	}
	if [ -n "$(outcomes arm64)" ] && diff <(outcomes patched) <(outcomes arm64) > "$logdir/arm64.vs-x86_64.diff"; then
		echo "PASS vm/arm64/same-results-as-x86_64 ($(outcomes arm64 | awk '{ print $1 "=" $2 }' | paste -sd' '))"
	else
		echo "FAIL vm/arm64/same-results-as-x86_64 (see $logdir/arm64.vs-x86_64.diff)"
		failed=1
	fi
fi

# Every set-up: the tests it had to run, and what became of them.
echo
echo "tests per set-up (expected = ran = passed + skipped as allowed, or the set-up failed):"
echo
echo "| set-up | expected | ran | passed | skipped as allowed | failed | missing |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for setup in "$@"; do
	if [ -f "$logdir/$setup.tally" ]; then
		sed -E 's/^vm\/([^:]*): ([0-9]+) expected, ([0-9]+) ran, ([0-9]+) passed, ([0-9]+) skipped as allowed, ([0-9]+) failed, ([0-9]+) missing$/| \1 | \2 | \3 | \4 | \5 | \6 | \7 |/' \
			"$logdir/$setup.tally"
	else
		echo "| $setup | - | - | - | - | - | - (not booted) |"
	fi
done

# The counts the guests measured (their DATA lines), set-ups side by side:
# the figures the cover letter's table has per GiB; and the checks across
# set-ups (tests/vm/matrix-summary.py).
LEAK_SETUPS=$leak_setups python3 "$top/tests/vm/matrix-summary.py" "$logdir" "$@"
[ $? = 0 ] || failed=1
exit $failed
