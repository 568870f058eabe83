#!/bin/bash
# DESCRIPTION: mkfs.xfs -b size=64k on a 4 GiB null_blk: the log is zeroed with
# fallocate(FALLOC_FL_ZERO_RANGE) on the device, the kernel's zero-page
# path.  Per-GiB figures are per GiB that mkfs wrote (bio bytes).
. /pmdzero/lib.sh

command -v mkfs.xfs >/dev/null || skip "mkfs.xfs is not in the initramfs"
# mkfs reads its metadata back: the device must keep what is written.
dev=$(nullb_create bench2 size=4096 memory_backed=1) || fail "cannot create null_blk"
trap 'nullb_destroy bench2' EXIT
bench_scenario mkfs-xfs-64k nullb-default "$dev" traced mkfs.xfs -f -K -q -b size=64k "$dev"
