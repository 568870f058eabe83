#!/bin/bash
# DESCRIPTION: the kernel's own zeroing paths on null_blk, which has no Write
# Zeroes offload: blkdiscard -z (BLKZEROOUT) and fallocate --zero-range of
# the whole 4 GiB device, at default limits, with max_sectors=16384 (capped
# at 1280 KiB per request) and with max_sectors_kb raised to 8 MiB.  In a
# boot with null_blk.virt_boundary=1 (the NVMe segment rule; a module
# parameter, so it holds for every device of that boot) only that set-up.
. /pmdzero/lib.sh

size=$((4 * GiB))
setups="default max16384 max16384-8m"
[ "$(cat /sys/module/null_blk/parameters/virt_boundary)" = Y ] && setups=virt-boundary
for setup in $setups; do
	case $setup in
	default) attrs= ;;
	max16384|max16384-8m) attrs=max_sectors=16384 ;;
	virt-boundary) attrs= ;; # set by the module parameter
	esac
	dev=$(nullb_create bench0 size=$((size / MiB)) $attrs) || fail "cannot create null_blk ($setup)"
	trap 'nullb_destroy bench0' EXIT
	[ $setup = max16384-8m ] && set_max_sectors_kb "$dev" 8192 > /dev/null
	bench_scenario blkdiscard-z "nullb-$setup" "$dev" $size blkdiscard -z "$dev"
	bench_scenario fallocate-zero-range "nullb-$setup" "$dev" $size \
		fallocate --zero-range --offset 0 --length $size "$dev"
	nullb_destroy bench0
done
