#!/bin/bash
# BOOT: cost
# DESCRIPTION: XFS with 64 KiB blocks on a 4 GiB memory-backed null_blk (a
# cost boot).  mkfs.xfs -b size=64k zeroes its log with
# fallocate(FALLOC_FL_ZERO_RANGE): timed inside mkfs around that call.
# Then, mounted: 4 KiB O_DIRECT writes, one into each new 64 KiB block of a
# 256 MiB file range, so that iomap_dio_zero() zeroes the other 60 KiB of
# every block: the whole fio process is timed (the same on both kernels but
# for the zeroing), per GiB of bios (data and zeroing together).
. /pmdzero/bench/lib.sh

need_tools mkfs.xfs fio
# mkfs reads its metadata back: the device must keep what is written.
dev=$(nullb_create xfs0 size=4096 memory_backed=1) || fail "cannot create null_blk"
mnt=/mnt/xfs64k
mkdir -p $mnt
trap 'umount $mnt 2>/dev/null; nullb_destroy xfs0' EXIT
cost_row mkfs-xfs-64k nullb-memory "$dev" traced syscall mkfs.xfs -f -K -q -b size=64k "$dev"

mount -t xfs "$dev" $mnt || fail "cannot mount XFS with 64 KiB blocks"
# A new file each run (unlink=1): only blocks allocated by the write get
# zeroed.
subblock_writes=(fio --name=subblock --filename=$mnt/subblock --ioengine=psync --direct=1
	--rw=write:60k --bs=4k --size=256m --io_size=16m --fallocate=none --buffer_pattern=0xab
	--unlink=1 --output=/dev/null)
cost_row xfs-64k-subblock-dio nullb-memory "$dev" traced process "${subblock_writes[@]}"
# What the traced run must have done: one 4 KiB data bio and one 60 KiB
# zeroing bio per 64 KiB block, 4096 blocks (plus the log's metadata writes).
[ "$bios" -ge 8192 ] || fail "sub-block writes: only $bios bios, want at least 8192"
