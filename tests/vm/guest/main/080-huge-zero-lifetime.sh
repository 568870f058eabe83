#!/bin/bash
# DESCRIPTION: the huge zero folio in user space.  Read faults on 2 MiB of
# THP-aligned anonymous memory map it, from eight processes at once.  With
# the static folio (patched) thp_zero_page_alloc never moves: not on the
# faults, not when the processes exit and every shrinker runs (drop_caches),
# not on the next fault.  Without it (stock, option off) the folio is
# allocated on the first fault and freed by the thp-zero shrinker once its
# last user is gone, so the next fault allocates it again.
#
# With transparent_hugepage=never, user space must get no huge zero PMD,
# whether or not the static folio is pinned for I/O: the same read faults
# map the 4 KiB ZERO_PAGE and allocate nothing.
. /pmdzero/lib.sh

allocs() { awk '/^thp_zero_page_alloc / { print $2 }' /proc/vmstat; }

if [ "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)" = never ]; then
	before=$(allocs)
	for i in 1 2; do
		huge-zero-map 0 > /tmp/hzm.$i || fail "huge-zero-map failed"
		expect_eq "THP never: what read fault $i mapped" "$(cat /tmp/hzm.$i)" zero
	done
	expect_eq "THP never: allocations by the faults" "$(allocs)" "$before"
	# (Without the static folio KUnit's mm case, run before, may have
	# allocated the huge zero folio: no count to expect there.)
	if expect_large; then
		[ "$before" -ge 1 ] || fail "the static folio was not counted as allocated at boot"
	fi
	echo "thp_zero_page_alloc: $before at start and after 2 read faults, THP never"
	exit 0
fi

# A folio an earlier test left for the shrinker is freed first.
sync
echo 3 > /proc/sys/vm/drop_caches
before=$(allocs)
pids=()
for i in 1 2 3 4 5 6 7 8; do
	huge-zero-map 1 > /tmp/hzm.$i &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait_exit 60 "huge-zero-map (pid $pid) to finish" "$pid" || fail "$timed_out"
	[ $exit_rc = 0 ] || fail "huge-zero-map failed"
done
for i in 1 2 3 4 5 6 7 8; do
	expect_eq "process $i mapped" "$(cat /tmp/hzm.$i)" huge-zero
done
faulted=$(allocs)
sync
echo 3 > /proc/sys/vm/drop_caches
huge-zero-map 0 > /tmp/hzm.9 || fail "huge-zero-map failed"
expect_eq "the fault after the shrinkers mapped" "$(cat /tmp/hzm.9)" huge-zero
again=$(allocs)
echo "thp_zero_page_alloc: $before at start, $faulted after 8 processes, $again after drop_caches and one more"
if expect_large; then
	[ "$before" -ge 1 ] || fail "the static folio was not counted as allocated at boot"
	expect_eq "allocations after 8 processes" "$faulted" "$before"
	expect_eq "allocations after the shrinkers and another fault" "$again" "$before"
else
	expect_eq "allocations after 8 processes" "$faulted" $((before + 1))
	expect_eq "allocations after the shrinkers and another fault" "$again" $((before + 2))
fi
