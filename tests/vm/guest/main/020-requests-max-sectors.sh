#!/bin/bash
# DESCRIPTION: with null_blk max_sectors=16384 the block layer still caps
# requests at its default, 1280 KiB on 6.12 and 4 MiB on 7.2
# (BLK_DEF_MAX_SECTORS_CAP): zeroing 1 GiB with the PMD zero folio takes
# bios of 8 MiB rounded down to whole requests, split into full requests
# only (6.12: 820 requests in 137 bios of six; 7.2: 256 in 128 bios of
# two).  With max_sectors_kb raised to 8192: 128 bios and 128 requests of
# 8 MiB.  With ZERO_PAGE every 4 KiB bio_vec is its own segment, so
# max_segments (128) bounds a request to 512 KiB: 2048 requests.
. /pmdzero/lib.sh

dev=$(nullb_create zero2 size=4096 max_sectors=16384) || fail "cannot create null_blk"
trap 'nullb_destroy zero2' EXIT

# The block layer's default cap, by the kernel's version.
case $(uname -r) in
6.*) cap_kib=1280 ;;
7.*) cap_kib=4096 ;;
*) fail "no default request cap known for kernel $(uname -r)" ;;
esac
rq_kib=$(cat "$(sysblock "$dev")/queue/max_sectors_kb")
expect_eq "default max_sectors_kb" "$rq_kib" $cap_kib
# The folio's bios: 8 MiB rounded down to whole requests, each split into
# requests of rq_kib; ZERO_PAGE's: 1 MiB, requests of 128 segments.
bio_kib=$((8192 - 8192 % rq_kib))
want_bios=0 want_requests=0
for ((s = 0; s < 1048576; s += bio_kib)); do
	b=$((1048576 - s < bio_kib ? 1048576 - s : bio_kib))
	want_bios=$((want_bios + 1))
	want_requests=$((want_requests + (b + rq_kib - 1) / rq_kib))
done
zeroout_counted "$dev" "blkzeroout 1 GiB, max_sectors=16384"
expect_eq "requests at $rq_kib KiB" "$requests" "$(pick $want_requests 2048)"
expect_eq "bios at $rq_kib KiB" "$bios" "$(pick $want_bios 1024)"

set_max_sectors_kb "$dev" 8192
zeroout_counted "$dev" "blkzeroout 1 GiB, max_sectors=16384, 8 MiB requests"
expect_eq "requests at 8 MiB" "$requests" "$(pick 128 2048)"
expect_eq "bios at 8 MiB" "$bios" "$(pick 128 1024)"
