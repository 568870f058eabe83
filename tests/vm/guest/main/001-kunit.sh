#!/bin/bash
# DESCRIPTION: the largest_zero_folio KUnit suite, loaded as a module with a
# null_blk device for its zeroing bio test (which must run, not skip), and
# the boot log's word on the static folio agrees with the zero folio this
# kernel is expected to use.
. /pmdzero/lib.sh

[ "$PMDZERO_KERNEL" != stock ] || skip "the stock kernel has no largest_zero_folio()"

dmesg | sed 's/^\[[^]]*\] //' > /tmp/boot.log
grep -E 'static PMD zero folio' /tmp/boot.log
if expect_large; then
	grep -q 'static PMD zero folio: 2048 KiB$' /tmp/boot.log ||
		fail "expected the static PMD zero folio to be allocated at boot"
else
	! grep -q 'static PMD zero folio: ' /tmp/boot.log ||
		fail "static PMD zero folio allocated on a kernel expected to fall back"
fi
grep -q 'static PMD zero folio: .* at pfn' /tmp/boot.log && fail "the boot log shows a pfn"
# A kernel that skipped the folio says why, and the reason is this boot's.
why=$(sed -n 's/.*static PMD zero folio not allocated: //p' /tmp/boot.log)
want=
if ! grep -qw setup_static_pmd_zero_page /proc/kallsyms; then
	: # built without the option: nothing to skip, nothing said
elif grep -qw 'static_pmd_zero_page=off' /proc/cmdline; then
	want=static_pmd_zero_page=off
elif [ "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" -lt $((512 << 10)) ]; then
	want="less than 512 MiB of RAM"
fi
if [ -n "$want" ]; then
	expect_eq "why the boot log says the folio was skipped" "$why" "$want"
elif [ -n "$why" ]; then
	fail "the folio was skipped ($why) on a boot with no reason to"
fi

ko=$(find /lib/modules -name zero_folio_kunit.ko 2> /dev/null | head -n1)
[ -n "$ko" ] || fail "zero_folio_kunit.ko is not in the guest (kernel built without it?)"
dev=$(nullb_create kunit0 size=64) || fail "cannot create null_blk"
trap 'nullb_destroy kunit0' EXIT
dmesg -c > /dev/null
insmod "$ko" zeroout_dev="$dev" expect_folio="$PMDZERO_EXPECT" || fail "insmod $ko failed"
dmesg | sed 's/^\[[^]]*\] //' > /tmp/kunit.log
cat /tmp/kunit.log
grep -qE '^ *ok [0-9]+ largest_zero_folio$' /tmp/kunit.log ||
	fail "KUnit suite largest_zero_folio did not report ok"
! grep -qE '^ *not ok ' /tmp/kunit.log || fail "a KUnit case failed"
# Every case ran: a skip would hide the zeroing bio test or the mm
# reference test.
grep -qE "# largest_zero_folio: pass:6 fail:0 skip:0 total:6" /tmp/kunit.log ||
	fail "not all 6 cases passed: $(grep -E '# largest_zero_folio: pass' /tmp/kunit.log)"
