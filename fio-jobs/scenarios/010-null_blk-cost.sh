#!/bin/bash
# BOOT: cost
# DESCRIPTION: cost (a cost boot: guest instructions) of zeroing a whole
# 4 GiB null_blk with each tool, in each null_blk set-up: default limits
# (255-sector requests), max_sectors=16384 (the block layer caps requests at
# 1280 KiB), max_sectors_kb raised to 8 MiB, and the NVMe segment rule
# (virt_boundary).  null_blk has no Write Zeroes offload and does no data
# transfer: what is left is the kernel's own work per byte zeroed.
. /pmdzero/bench/lib.sh

need_tools pmdzero
reserve_hugepages 2
for setup in $NULLB_SETUPS; do
	dev=$(nullb_setup "$setup" cost0) || fail "cannot set up $setup"
	trap 'nullb_destroy cost0' EXIT
	zero_rows cost_row "$setup" "$dev" $BENCH_SIZE
	nullb_destroy cost0
done
