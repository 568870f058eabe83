#!/bin/bash
# DESCRIPTION: BLKZEROOUT of exactly 1 GiB on null_blk at default limits: 129
# bios with the static PMD zero folio, 1024 bios of 256 x 4 KiB otherwise.
# Counted from the block tracepoints.  null_blk's default max_sectors is 255,
# so requests are 127.5 KiB either way.  A zero-folio bio holds 64 whole
# requests (8160 KiB, just under the 8 MiB cap): 128 such bios and a 4 MiB
# tail, and 8225 requests, the fewest 127.5 KiB requests that cover 1 GiB.
# With ZERO_PAGE, 9 requests per 1 MiB bio (9216).
. /pmdzero/lib.sh

dev=$(nullb_create zero0 size=4096) || fail "cannot create null_blk"
trap 'nullb_destroy zero0' EXIT
cat "$(sysblock "$dev")/queue/write_zeroes_max_bytes" | grep -qx 0 ||
	fail "null_blk offers Write Zeroes: the zero-page path would not run"

zeroout_counted "$dev" "blkzeroout 1 GiB"
expect_eq bios "$bios" "$(pick 129 1024)"
expect_eq bio_bytes "$bio_bytes" $GiB
expect_eq requests "$requests" "$(pick 8225 9216)"

# 4 KiB logical blocks: max_sectors 255 becomes 248 (124 KiB), so a
# zero-folio bio holds 66 requests; 8457 requests are still the fewest that
# cover 1 GiB, and ZERO_PAGE's 1 MiB bios still split into 9.
dev=$(nullb_create zero0k size=4096 blocksize=4096) || fail "cannot create null_blk"
trap 'nullb_destroy zero0; nullb_destroy zero0k' EXIT
expect_eq "4 KiB-block max_sectors_kb" "$(cat "$(sysblock "$dev")/queue/max_sectors_kb")" 124
zeroout_counted "$dev" "blkzeroout 1 GiB, 4 KiB blocks"
expect_eq bios "$bios" "$(pick 129 1024)"
expect_eq requests "$requests" "$(pick 8457 9216)"
