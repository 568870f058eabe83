#!/bin/bash
# A test that cannot fail proves nothing: build the patched kernel with one
# patch of the series taken back out and check that the guest test meant
# to catch it fails.  Each mutation is MUTATION.patch here, applied after
# the series (kernel/build.sh's PMDZERO_EXTRA_PATCHES, so it gets a source
# tree, objects and a cache entry of its own: a full build, 6-7 minutes).
#
#   kernel/experiments/mutations/run.sh [MUTATION ...]   default: all
#
#   revert-0003   mm_get_huge_zero_folio() counts per-mm references to the
#                 static folio again; 001-kunit's mm reference case must fail
#
# Prints "PASS mutation/NAME: caught by TEST" or "FAIL mutation/NAME: ...".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
declare -A catcher=([revert-0003]=001-kunit)
[ $# -gt 0 ] || set -- "${!catcher[@]}"
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
[ -f "$initrd" ] || { echo "mutations: no initramfs (make initramfs)" >&2; exit 2; }
logdir=${TEST_LOGDIR:-$top/build/logs}/mutations
failed=0
for m in "$@"; do
	test=${catcher[$m]:-}
	[ -n "$test" ] || { echo "mutations: unknown mutation $m" >&2; exit 2; }
	kdir=$(PMDZERO_EXTRA_PATCHES="$here/$m.patch" "$top/kernel/build.sh" patched) ||
		{ echo "FAIL mutation/$m: the kernel did not build"; failed=1; continue; }
	out=$("$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "mutation-$m" --expect large \
		--initrd "$initrd" --logdir "$logdir" --only "$test" 2>/dev/null)
	if grep -q "^FAIL vm/mutation-$m/$test" <<< "$out"; then
		echo "PASS mutation/$m: caught by $test ($(grep "^FAIL vm/mutation-$m/$test" <<< "$out" | cut -d'(' -f2-)"
	else
		echo "FAIL mutation/$m: $test did not fail"
		failed=1
	fi
done
exit $failed
