#!/bin/bash
# DESCRIPTION: the kernel's own zeroing paths: blkdiscard -z (BLKZEROOUT) and
# fallocate --zero-range of a whole 4 GiB device.  null_blk (no Write Zeroes
# offload) at default limits, with max_sectors=16384 (capped at 1280 KiB per
# request) and with max_sectors_kb raised to 8 MiB; in a boot with
# null_blk.virt_boundary=1 (the NVMe segment rule) that set-up only.  In a
# boot with a QEMU disk: NVMe (its Write Zeroes offload: a control, the
# series leaves it alone) or virtio-blk with write-zeroes=off (a second
# driver on the zero-page path).
. /pmdzero/lib.sh

size=$((4 * GiB))
for setup in $(bench_setups); do
	dev=$(bench_device "$setup") || fail "cannot set up $setup"
	trap bench_device_done EXIT
	bench_scenario blkdiscard-z "$setup" "$dev" $size blkdiscard -z "$dev"
	bench_scenario fallocate-zero-range "$setup" "$dev" $size \
		fallocate --zero-range --offset 0 --length $size "$dev"
	bench_device_done
done
