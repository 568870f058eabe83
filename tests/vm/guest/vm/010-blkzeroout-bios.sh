#!/bin/bash
# DESCRIPTION: BLKZEROOUT of exactly 1 GiB on null_blk at default limits: 2 bios
# with the static PMD zero folio (256 x 2 MiB bio_vecs each), 1024 bios of
# 256 x 4 KiB otherwise.  Counted from the block tracepoints.  null_blk's
# default max_sectors is 255, so requests are 127.5 KiB either way: 8226 for
# two 512 MiB bios, 9 per 1 MiB bio (9216) with ZERO_PAGE.
. /pmdzero/lib.sh

dev=$(nullb_create zero0 size=4096) || fail "cannot create null_blk"
trap 'nullb_destroy zero0' EXIT
cat "$(sysblock "$dev")/queue/write_zeroes_max_bytes" | grep -qx 0 ||
	fail "null_blk offers Write Zeroes: the zero-page path would not run"

trace_begin "$dev" writes blkdiscard
blkdiscard -z -o 0 -l $GiB "$dev" || fail "blkdiscard -z failed"
trace_end
counts_data "blkzeroout 1 GiB"
expect_eq bios "$bios" "$(pick 2 1024)"
expect_eq bio_bytes "$bio_bytes" $GiB
expect_eq requests "$requests" "$(pick 8226 9216)"
