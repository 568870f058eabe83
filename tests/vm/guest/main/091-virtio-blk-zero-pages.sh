#!/bin/bash
# DESCRIPTION: the zero-page path through virtio-blk.  QEMU's virtio-blk
# with write-zeroes=off offers no Write Zeroes, so BLKZEROOUT builds
# zeroing bios (tests/vm/matrix.sh attaches one with queue-size=4, which
# leaves two segments per request).  Exact bios, bytes and splits for
# 64 MiB, derived from the queue's limits as __blkdev_issue_zero_pages()
# sizes a bio: 1 MiB of 4 KiB ZERO_PAGE bio_vecs, or with the static folio
# 8 MiB rounded down to whole requests of 2 MiB bio_vecs; each bio is then
# split into pieces of at most max_sectors and max_segments bio_vecs.
# Then an unaligned range zeroed byte-exactly with the data around it
# intact, read back from the device.
. /pmdzero/lib.sh

dev=/dev/vda
[ -b $dev ] || fail "no $dev: the matrix boots with a QEMU virtio-blk disk (tests/vm/matrix.sh)"
q=$(sysblock $dev)/queue
expect_eq "virtio-blk write_zeroes_max_bytes (write-zeroes=off)" "$(cat $q/write_zeroes_max_bytes)" 0
segs=$(cat $q/max_segments)
rq=$(($(cat $q/max_sectors_kb) * 2))
pbs=$(($(cat $q/physical_block_size) / 512))
echo "$dev: max_segments $segs, max_sectors_kb $((rq / 2)), max_segment_size $(cat $q/max_segment_size)"
[ "$(cat $q/max_segment_size)" -ge $((2 * MiB)) ] ||
	fail "max_segment_size under 2 MiB: the pieces below assume one segment per bio_vec"

# cap: sectors of one zeroing bio; vec: sectors of one bio_vec; piece:
# sectors of one request cut from a bio (whole bio_vecs of one 4 KiB page,
# at most max_segments of them, or max_sectors where that is less).
if expect_large; then
	vec=4096
	[ $rq -gt $pbs ] && rq=$((rq / pbs * pbs))
	cap=$((16384 - 16384 % rq))
	[ $cap -ge $rq ] || cap=$rq
	if [ $rq -le $vec ] && [ "$segs" -ge 2 ]; then
		# A piece of max_sectors spans at most two 2 MiB bio_vecs
		# (6.12: 1280 KiB requests).
		piece=$rq
	elif [ $((rq % vec)) = 0 ]; then
		# Whole bio_vecs per piece, max_segments of them at most
		# (7.2: 4 MiB requests, two bio_vecs).
		piece=$((segs * vec < rq ? segs * vec : rq))
	else
		fail "limits this test does not derive pieces for"
	fi
else
	vec=8 cap=2048
	piece=$((segs * vec))
	[ $piece -le $rq ] || piece=$((rq / vec * vec))
fi
len=$((64 * 2048))
want_bios=0 want_splits=0
for ((s = 0; s < len; s += cap)); do
	b=$((len - s < cap ? len - s : cap))
	want_bios=$((want_bios + 1))
	want_splits=$((want_splits + (b + piece - 1) / piece - 1))
done

trace_begin $dev writes blkdiscard
blkdiscard -f -z -o 0 -l $((len * 512)) $dev || fail "blkdiscard -z failed"
trace_end
counts_data virtio-blk-blkzeroout-64m
expect_eq "bios ($((cap / 2)) KiB each)" "$bios" $want_bios
expect_eq "bio bytes" "$bio_bytes" $((len * 512))
expect_eq "splits (pieces of $((piece / 2)) KiB)" "$splits" $want_splits

# Byte-exact: an unaligned 17 MiB + 1536 range.
zero_unaligned_checked $dev $((32 * MiB))
