#!/bin/bash
# DESCRIPTION: the largest_zero_folio KUnit suite passed at boot, and the boot
# log agrees with the zero folio this kernel is expected to use.
. /pmdzero/lib.sh

[ "$PMDZERO_KERNEL" != stock ] || skip "the stock kernel has no largest_zero_folio()"

dmesg | sed 's/^\[[^]]*\] //' > /tmp/boot.log
grep -E 'largest_zero_folio|static PMD zero folio' /tmp/boot.log
grep -qE '^ *ok [0-9]+ largest_zero_folio$' /tmp/boot.log ||
	fail "KUnit suite largest_zero_folio did not report ok"
! grep -qE '^ *not ok ' /tmp/boot.log || fail "a KUnit case failed"

if expect_large; then
	grep -q 'static PMD zero folio: 2048 KiB' /tmp/boot.log ||
		fail "expected the static PMD zero folio to be allocated at boot"
else
	! grep -q 'static PMD zero folio: ' /tmp/boot.log ||
		fail "static PMD zero folio allocated on a kernel expected to fall back"
fi
