#!/bin/bash
# DESCRIPTION: fallocate(FALLOC_FL_ZERO_RANGE) of 1 GiB on the null_blk device
# takes the same path as BLKZEROOUT and issues the same bios.
. /pmdzero/lib.sh

dev=$(nullb_create zero1 size=4096) || fail "cannot create null_blk"
trap 'nullb_destroy zero1' EXIT

trace_begin "$dev" writes fallocate
fallocate --zero-range --offset $GiB --length $GiB "$dev" || fail "fallocate --zero-range failed"
trace_end
counts_data "fallocate zero-range 1 GiB"
expect_eq bios "$bios" "$(pick 129 1024)"
expect_eq bio_bytes "$bio_bytes" $GiB
