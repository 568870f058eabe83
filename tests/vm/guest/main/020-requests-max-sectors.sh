#!/bin/bash
# DESCRIPTION: with null_blk max_sectors=16384 the block layer still caps
# requests at 1280 KiB: zeroing 1 GiB takes 820 requests with the PMD zero
# folio, in 137 bios of six whole requests (7.5 MiB, under the 8 MiB cap).
# With max_sectors_kb raised to 8192: 128 bios and 128 requests of 8 MiB.
# With ZERO_PAGE every 4 KiB bio_vec is its own segment, so max_segments
# (128) bounds a request to 512 KiB: 2048 requests.
. /pmdzero/lib.sh

dev=$(nullb_create zero2 size=4096 max_sectors=16384) || fail "cannot create null_blk"
trap 'nullb_destroy zero2' EXIT

expect_eq "default max_sectors_kb" "$(cat "$(sysblock "$dev")/queue/max_sectors_kb")" 1280
zeroout_counted "$dev" "blkzeroout 1 GiB, max_sectors=16384"
expect_eq "requests at 1280 KiB" "$requests" "$(pick 820 2048)"
expect_eq "bios at 1280 KiB" "$bios" "$(pick 137 1024)"

set_max_sectors_kb "$dev" 8192
zeroout_counted "$dev" "blkzeroout 1 GiB, max_sectors=16384, 8 MiB requests"
expect_eq "requests at 8 MiB" "$requests" "$(pick 128 2048)"
expect_eq "bios at 8 MiB" "$bios" "$(pick 128 1024)"
