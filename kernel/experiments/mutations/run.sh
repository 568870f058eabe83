#!/bin/bash
# A test that cannot fail proves nothing: build the patched kernel with one
# patch of the series taken back out (or its one number changed), boot it
# with the guest tests that count what the series changes, and check that
# exactly the tests expected to fail fail, and the rest pass.  Each
# mutation is MUTATION.patch here, applied after the series
# (kernel/build.sh's PMDZERO_EXTRA_PATCHES, so it gets a source tree,
# objects and a cache entry of its own: a full build, 6-7 minutes idle).
#
#   kernel/experiments/mutations/run.sh [MUTATION ...]   default: all
#
#   revert-0002  the folio is never pinned at boot (static_pmd_zero_folio
#                stays NULL, the thp-zero shrinker frees it): KUnit's
#                expected folio, every zeroing count, the folio's lifetime
#   revert-0003  mm_get_huge_zero_folio() counts per-mm references to the
#                static folio again: KUnit's mm reference case only
#   revert-0005  BLKZEROOUT back on ZERO_PAGE: the BLKZEROOUT and
#                fallocate counts; iomap's zeroing still uses the folio
#   revert-0006  iomap_dio_zero() back to 6.12.118's one 64 KiB page:
#                045's iomap bios and its no-64-KiB-page check only
#   cap-32m      zeroing bios of 32 MiB, not 8: the counts, and the kill
#                latency against its same-boot baseline (070)
#   thp-policy-v2  series v2's policy back, booted with
#                transparent_hugepage=never: the folio is skipped for THP's
#                sake, so every count and 080's boot-time folio fail
#   alloc-fail   not a mutation the tests must catch but the fallback they
#                must accept: the boot-time allocation fails (the branch
#                taken when get_huge_zero_page() cannot allocate), the
#                kernel must behave as without the option (booted as
#                expected small: every test passes) and log the failure
#
# Every mutation boots with the same tests ($tests); the table says which
# must fail.  Prints "PASS mutation/NAME: ..." when the failures are
# exactly those, "FAIL mutation/NAME: ..." naming the difference.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tests=001-kunit,010-blkzeroout-bios,011-fallocate-bios,020-requests-max-sectors,045-xfs-64k-dio-zero-bios,070-kill-latency,080-huge-zero-lifetime
declare -A must_fail=(
	[revert-0002]="001-kunit 010-blkzeroout-bios 011-fallocate-bios 020-requests-max-sectors 045-xfs-64k-dio-zero-bios 080-huge-zero-lifetime"
	[revert-0003]="001-kunit"
	[revert-0005]="001-kunit 010-blkzeroout-bios 011-fallocate-bios 020-requests-max-sectors"
	[revert-0006]="045-xfs-64k-dio-zero-bios"
	[cap-32m]="010-blkzeroout-bios 011-fallocate-bios 020-requests-max-sectors 070-kill-latency"
	[thp-policy-v2]="001-kunit 010-blkzeroout-bios 011-fallocate-bios 020-requests-max-sectors 045-xfs-64k-dio-zero-bios 080-huge-zero-lifetime"
	[alloc-fail]=none
)
# The zero folio a mutation boots expecting (default large), and a line its
# boot log must show.
declare -A boot_expect=([alloc-fail]=small)
declare -A boot_log=([alloc-fail]="static PMD zero folio allocation failed, using ZERO_PAGE")
# The kernel command line a mutation boots with, where it needs one.
declare -A boot_append=(
	[thp-policy-v2]=transparent_hugepage=never
)
[ $# -gt 0 ] || set -- revert-0002 revert-0003 revert-0005 revert-0006 cap-32m thp-policy-v2 alloc-fail
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
[ -f "$initrd" ] || { echo "mutations: no initramfs (make initramfs)" >&2; exit 2; }
logdir=${TEST_LOGDIR:-$top/build/logs}/mutations
. "$top/tests/vm/disks.sh"
for m in "$@"; do
	if [ -z "${must_fail[$m]:-}" ] || [ ! -f "$here/$m.patch" ]; then
		echo "mutations: unknown mutation $m" >&2
		exit 2
	fi
done

failed=0
for m in "$@"; do
	kdir=$(PMDZERO_EXTRA_PATCHES="$here/$m.patch" "$top/kernel/build.sh" patched) ||
		{ echo "FAIL mutation/$m: the kernel did not build"; failed=1; continue; }
	# The disks every matrix boot gets: 045 needs the virtio-blk one.
	mkdir -p "$logdir"
	vm_disks_create "$logdir/$m" || { echo "FAIL mutation/$m: cannot make its disks"; failed=1; continue; }
	out=$("$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "mutation-$m" --expect "${boot_expect[$m]:-large}" \
		--initrd "$initrd" --logdir "$logdir" --only "$tests" --append "${boot_append[$m]:-}" \
		-- "${vm_disk_args[@]}" 2>/dev/null)
	vm_disks_remove "$logdir/$m"
	wrong='' caught=''
	for t in ${tests//,/ }; do
		line=$(grep -E "^(PASS|FAIL|SKIP) vm/mutation-$m/$t( |$)" <<< "$out")
		case " ${must_fail[$m]} " in
		*" $t "*)
			if [ "${line%% *}" = FAIL ]; then
				reason=${line#*(}
				caught+="${caught:+; }$t (${reason%)})"
			else
				wrong+="${wrong:+; }$t should fail: ${line:-no result}"
			fi ;;
		*)
			[ "${line%% *}" = PASS ] || wrong+="${wrong:+; }$t should pass: ${line:-no result}" ;;
		esac
	done
	if [ -n "${boot_log[$m]:-}" ] && ! grep -qF "${boot_log[$m]}" "$logdir/mutation-$m.console.log"; then
		wrong+="${wrong:+; }the boot log lacks \"${boot_log[$m]}\""
	fi
	nfail=$(wc -w <<< "${must_fail[$m]/none/}")
	ntests=$(tr , '\n' <<< "$tests" | wc -l)
	if [ -z "$wrong" ] && [ "${must_fail[$m]}" = none ]; then
		echo "PASS mutation/$m: all $ntests tests passed as expected; the boot log says \"${boot_log[$m]:-}\""
	elif [ -z "$wrong" ]; then
		echo "PASS mutation/$m: $nfail of $ntests tests failed as expected, the rest passed; caught by $caught"
	else
		echo "FAIL mutation/$m: $wrong"
		failed=1
	fi
done
exit $failed
