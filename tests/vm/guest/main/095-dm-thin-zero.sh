#!/bin/bash
# DESCRIPTION: dm-thin provisioning on a disk without Write Zeroes (patch
# 0008).  A 4 KiB write into a fresh block of a thin device makes dm-thin
# zero the whole block first, through dm-kcopyd: one zeroing bio per
# kcopyd sub-job (512 KiB), then the write itself.  Stock builds each
# zeroing bio from ZERO_PAGE, one 4 KiB bio_vec per 4 KiB; with 0008 one
# bio_vec of largest_zero_folio() covers it where the static folio is in
# use (expect=large), and nothing changes where it is not.  Pools with 64
# KiB, 512 KiB and 2 MiB blocks on QEMU's virtio-blk with queue-size=4
# (max_segments 2: a bio of N bio_vecs is split into ceil(N / 2) pieces,
# which block:block_split counts, as in 045), metadata on null_blk.  The
# data device is filled with a pattern first: every provisioned block must
# then read back as zeroes but for the 4 KiB written, which must read back
# as written.  A pool with skip_block_zeroing is the control: no zeroing
# bios, and the old pattern shows through.
. /pmdzero/lib.sh

need_tools dmsetup
data=/dev/vda
[ -b $data ] || fail "no $data: the matrix boots with a QEMU virtio-blk disk of queue-size=4 (tests/vm/matrix.sh)"
q=$(sysblock $data)/queue
segs=$(cat $q/max_segments)
echo "$data: max_segments $segs, max_segment_size $(cat $q/max_segment_size), max_sectors_kb $(cat $q/max_sectors_kb)," \
	"write_zeroes_max_bytes $(cat $q/write_zeroes_max_bytes)"
[ "$(cat $q/write_zeroes_max_bytes)" = 0 ] || fail "$data offers Write Zeroes: kcopyd would not write zeroes"
[ "$segs" -lt 16 ] || fail "max_segments $segs: 16 bio_vecs would not split (queue-size=4 gives 2)"
[ "$(cat $q/max_segment_size)" -ge $((512 * 1024)) ] || fail "max_segment_size under 512 KiB: one bio_vec would split"
[ "$(cat $q/max_sectors_kb)" -ge 512 ] || fail "max_sectors_kb under 512: the zeroing bios would split by size"

sub_job=$((512 * 1024))	# dm-kcopyd's default kcopyd_subjob_size_kb
blocks=8		# blocks provisioned per pool
write_off=8192 write_len=4096
meta=$(nullb_create thinmeta size=16 memory_backed=1) || fail "cannot create the metadata null_blk"
cleanup() {
	dmsetup remove --noudevsync pmdzero-thin 2> /dev/null
	dmsetup remove --noudevsync pmdzero-pool 2> /dev/null
	nullb_destroy thinmeta
}
trap cleanup EXIT
pattern_file /tmp/thin-old $((blocks * 2 * MiB))
head -c $write_len /dev/zero | tr '\000' '\245' > /tmp/thin-new

# vecs LEN: the bio_vecs of one zeroing bio of LEN bytes on this kernel.
vecs() {
	if expect_large; then echo $((($1 + 2 * MiB - 1) / (2 * MiB))); else echo $(($1 / 4096)); fi
}

# pool BLOCK_BYTES [skip_block_zeroing]: a pool and one thin device of
# $blocks blocks, on a data device holding the old pattern.
pool() {
	local bs=$1
	dd if=/tmp/thin-old of=$data bs=1M count=$((bs * blocks / MiB + 1)) oflag=direct 2> /dev/null ||
		fail "cannot fill $data"
	thin_create "$meta" $data "$bs" $((bs * blocks)) ${2:-}
}

# first_writes BLOCK_BYTES: the 4 KiB write into each block, traced on the
# data device.
first_writes() {
	local i
	trace_begin $data writes
	for ((i = 0; i < blocks; i++)); do
		dd if=/tmp/thin-new of=$thin bs=$write_len seek=$(((i * $1 + write_off) / write_len)) count=1 \
			oflag=direct conv=notrunc 2> /dev/null || fail "write into block $i failed"
	done
	trace_end
	# The pool's metadata commits send empty flushes to the data device,
	# as many as commits happened to fall in the window: counted apart.
	flushes=$(grep -c -E ' [0-9]+ \+ 0 \[' /tmp/trace-bios.txt)
	data_bios=$((bios - flushes))
	echo "trace: $flushes empty flush bio(s) among them, $data_bios with data"
}

for kib in 64 512 2048; do
	bs=$((kib * 1024))
	pool $bs
	first_writes $bs
	per_block=$(((bs + sub_job - 1) / sub_job))	# zeroing bios per block
	zero_len=$((bs < sub_job ? bs : sub_job))
	pieces=$((($(vecs $zero_len) + segs - 1) / segs))
	record test-counts test="dm-thin ${kib}k blocks, $blocks first writes" \
		bios:=$data_bios requests:=$requests splits:=$splits merges:=$merges
	echo "${kib} KiB blocks: $per_block zeroing bio(s) of $zero_len bytes per block," \
		"$(vecs $zero_len) bio_vec(s) each, $pieces piece(s) each on $segs segments"
	expect_eq "${kib}k: bios with data (zeroing bios and the write, per block)" "$data_bios" \
		$((blocks * (per_block + 1)))
	expect_eq "${kib}k: bio bytes (each block zeroed whole, and the writes)" "$bio_bytes" \
		$((blocks * (bs + write_len)))
	expect_eq "${kib}k: splits (bio_vecs beyond max_segments)" "$splits" $((blocks * per_block * (pieces - 1)))
	# Unwritten parts zero, the write as written, block by block.
	for ((i = 0; i < blocks; i++)); do
		b=$((i * bs))
		region_is_zero $thin $b $write_off || fail "${kib}k block $i: not zero before the write"
		cmp -s <(read_region $thin $((b + write_off)) $write_len) /tmp/thin-new ||
			fail "${kib}k block $i: the 4 KiB written does not read back"
		region_is_zero $thin $((b + write_off + write_len)) $((bs - write_off - write_len)) ||
			fail "${kib}k block $i: not zero after the write"
	done
	echo "ok: ${kib} KiB blocks: $blocks blocks zeroed but for the 4 KiB written"
	thin_remove
done

# The control: no zeroing, so the writes alone, and the old data shows.
pool $((64 * 1024)) skip_block_zeroing
first_writes $((64 * 1024))
expect_eq "skip_block_zeroing: bios with data (the writes only)" "$data_bios" $blocks
region_matches $thin /tmp/thin-old 0 $write_off ||
	fail "skip_block_zeroing: the old data does not show before the write"
echo "ok: skip_block_zeroing: no zeroing bios, the old data shows through"
thin_remove
