#!/bin/bash
# BOOT: cost
# DESCRIPTION: what each user-space lever does to the cost of writing
# zeroes (a cost boot), against BLKZEROOUT on the same device (scenario
# 010's pmdzero-ioctl row): the zero-write.fio io_uring and libaio
# sections, 8 MiB O_DIRECT writes, 16 in flight, on null_blk at 8 MiB
# requests, where the kernel's own zeroing is cheapest and a lever shows
# most.  4 KiB-page buffers with fixedbufs, 2 MiB hugetlb buffers with and
# without fixedbufs and with a registered file, libaio with SysV huge
# pages.  Timed by fio (method fio), several passes over the 4 GiB device
# (fio keeps its run time in milliseconds: each row runs at least 100 ms of
# guest time, 64 GiB or 256 GiB).  User buffers do not touch the zero
# folio: stock and patched should agree.  Not here: 4 KiB-page buffers
# without fixedbufs, whose cost follows how physically contiguous malloc's
# pages happen to be (bio_vecs merge): 188 to 265 M instructions/GiB in
# three runs of one boot, which no two boots would repeat.
. /pmdzero/bench/lib.sh

need_tools fio
setup=nullb-max16384-8m bs=$((8 * MiB)) iodepth=16
dev=$(nullb_setup $setup lev0) || fail "cannot set up $setup"
trap 'nullb_destroy lev0' EXIT
# Each huge section's buffers are BS x IODEPTH, in 2 MiB pages.
reserve_hugepages $((bs * iodepth / (2 * MiB) + 4))
mkdir -p /tmp/fio-huge
mount -t hugetlbfs none /tmp/fio-huge 2> /dev/null || grep -q ' /tmp/fio-huge hugetlbfs' /proc/mounts ||
	fail "cannot mount hugetlbfs"
# Small buffers are 4 KiB pages: THP only for those who ask (fio does not).
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
for row in uring-small-fixed:16 uring-huge:16 uring-huge-fixed:64 uring-huge-fixed-regfiles:64 \
	libaio-huge:16; do
	section=${row%:*} loops=${row#*:}
	cost_row "fio-$section-8m" $setup "$dev" $((BENCH_SIZE * loops)) fio \
		env DEV="$dev" SIZE=$BENCH_SIZE BS=$bs IODEPTH=$iodepth HUGEDIR=/tmp/fio-huge \
		fio --output-format=json --output=/tmp/fio.json --loops=$loops --section=$section \
		/pmdzero/fio-jobs/zero-write.fio
done
umount /tmp/fio-huge
reserve_hugepages 0
