#!/bin/bash
# Run the guest suite on a list of kernel set-ups, building (or fetching from
# the cache) each kernel first.
#
#   tests/vm/matrix.sh SETUP...    SETUP: stock patched patched-thp-never
#                                  option-off debug
#
# Needs the initramfs (make initramfs).  Output: the PASS/FAIL/SKIP lines of
# run-vm.sh for every set-up; exit status non-zero if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
logdir=${TEST_LOGDIR:-$top/build/logs}/vm
failed=0

for setup in "$@"; do
	append= timeout=600
	case $setup in
	stock) flavour=stock expect=small ;;
	patched) flavour=patched expect=large ;;
	patched-thp-never) flavour=patched expect=small append=transparent_hugepage=never ;;
	option-off) flavour=option-off expect=small ;;
	debug) flavour=debug expect=large timeout=1800 ;;
	*) echo "matrix.sh: unknown set-up $setup" >&2; exit 2 ;;
	esac
	if ! kdir=$("$top/kernel/build.sh" "$flavour"); then
		echo "FAIL vm/$setup/kernel-build"
		failed=1
		continue
	fi
	# One accelerator for the whole matrix, probed with the first kernel.
	[ -n "${PMDZERO_VM_ACCEL:-}" ] ||
		export PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "$kdir")
	"$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "$setup" --expect "$expect" \
		--initrd "$initrd" --append "$append" --timeout "$timeout" \
		--logdir "$logdir" ${VM_ONLY:+--only "$VM_ONLY"} || failed=1
done
exit $failed
