#!/bin/bash
# DESCRIPTION: the zero-write fio jobs (fio-jobs/zero-write.fio): io_uring
# with ordinary and huge-page buffers, with and without fixedbufs, libaio
# with both, and psync, at 128 KiB, 2 MiB and 8 MiB blocks, 4 GiB each, on
# null_blk with 8 MiB requests (the segment rules, not a request cap, shape
# them there), or on the boot's QEMU
# disk.  User-space zeroing, which the series leaves alone: the stock and
# patched rows should agree, and they set the kernel paths in context.
. /pmdzero/lib.sh

command -v fio >/dev/null || skip "fio is not in the initramfs"
command -v jq >/dev/null || skip "jq is not in the initramfs"
sections="uring-small uring-small-fixed uring-huge uring-huge-fixed libaio-small libaio-huge psync"
# "small" buffers are meant to be 4 KiB pages: with THP "always" a malloc'd
# buffer may be a huge page.  madvise keeps THP for those who ask (fio does
# not); the huge sections use hugetlbfs either way.  The bio counts of the
# small sections still vary from run to run: the block layer merges
# physically contiguous pages into one bio_vec, and how contiguous a fresh
# buffer is depends on the allocator's state.
thp=/sys/kernel/mm/transparent_hugepage/enabled
old_thp=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
echo madvise > $thp
for setup in $(bench_setups nullb-max16384-8m); do
	dev=$(bench_device "$setup") || fail "cannot set up $setup"
	trap 'echo "$old_thp" > $thp; bench_device_done' EXIT
	for section in $sections; do
		for bs in 128k 2m 8m; do
			bench_fio "$setup" "$dev" "$section" "$bs"
		done
	done
	bench_device_done
done
