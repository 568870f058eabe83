#!/bin/bash
# DESCRIPTION: what iomap_dio_zero() sends (patch 0006), counted.  On XFS
# with 64 KiB blocks, a 4 KiB O_DIRECT write at 12 KiB into a new block
# makes the kernel zero the 12 KiB before it and the 48 KiB after it: three
# bios from the writer (zero head, data, zero tail), 64 KiB in all, on every
# kernel.  What differs is the bio_vecs of the two zeroing bios: stock
# takes one from its private 64 KiB zero page; with 0006 one per zero folio
# sized chunk of largest_zero_folio(): one 2 MiB bio_vec where the static
# folio is in use (expect=large), one 4 KiB ZERO_PAGE bio_vec per 4 KiB
# where it is not (3 and 12 here).  The bio_vecs are counted on a disk that
# takes few segments per request: QEMU's virtio-blk with queue-size=4
# (tests/vm/matrix.sh) has max_segments 2, so a bio of N bio_vecs (each its
# own segment: ZERO_PAGE bio_vecs never merge, a 2 MiB or 64 KiB one is
# within max_segment_size) is split into ceil(N / max_segments) pieces,
# which block:block_split counts.  And the 64 KiB page itself: stock
# allocates it in an initcall, iomap_dio_init(), which 0006 removes.
. /pmdzero/lib.sh

need_tools mkfs.xfs
dev=/dev/vda
[ -b $dev ] || fail "no $dev: the matrix boots with a QEMU virtio-blk disk of queue-size=4 (tests/vm/matrix.sh)"
q=$(sysblock $dev)/queue
segs=$(cat $q/max_segments)
segsize=$(cat $q/max_segment_size)
echo "$dev: max_segments $segs, max_segment_size $segsize, max_sectors_kb $(cat $q/max_sectors_kb)"
# The counts below tell 1 bio_vec from 12 only if 12 do not fit one request.
[ "$segs" -lt 12 ] || fail "max_segments $segs: 12 bio_vecs would not split (queue-size=4 gives 2)"
[ "$segsize" -ge 65536 ] || fail "max_segment_size $segsize: a 48 KiB bio_vec would be split too"
[ "$(cat $q/max_sectors_kb)" -ge 64 ] || fail "max_sectors_kb under 64: the bios would split by size"

bs=65536 off=12288 len=4096
head_len=$off tail_len=$((bs - off - len))

# vecs LEN: bio_vecs of one iomap_dio_zero() of LEN bytes on this kernel.
vecs() {
	if [ "$PMDZERO_KERNEL" = stock ]; then
		echo 1
	elif expect_large; then
		echo $((($1 + 2 * MiB - 1) / (2 * MiB)))
	else
		echo $((($1 + 4095) / 4096))
	fi
}
# pieces LEN: the bios one zeroing of LEN bytes becomes on this disk.
pieces() { local n; n=$(vecs "$1"); echo $(((n + segs - 1) / segs)); }

mkdir -p /mnt/xfsz
trap 'umount /mnt/xfsz 2> /dev/null' EXIT
mkfs.xfs -q -f -K -b size=$bs $dev || fail "mkfs.xfs -b size=$bs failed"
mount -t xfs $dev /mnt/xfsz || fail "cannot mount XFS with 64 KiB blocks"
f=/mnt/xfsz/file
: > $f
sync

trace_begin $dev writes xfs_io
xfs_io -d -c "pwrite -q -S 0xab $off $len" $f || fail "the O_DIRECT write failed"
trace_end
record test-counts test="xfs 64k sub-block dio" bios:=$bios requests:=$requests splits:=$splits merges:=$merges
echo "zero head $head_len bytes: $(vecs $head_len) bio_vec(s), tail $tail_len bytes: $(vecs $tail_len)," \
	"max_segments $segs: $(pieces $head_len) + 1 + $(pieces $tail_len) bios after splitting"
expect_eq "bios from xfs_io (zero head, data, zero tail)" "$bios" 3
expect_eq "bio bytes (one 64 KiB block)" "$bio_bytes" $bs
expect_eq "splits (bio_vecs beyond max_segments)" "$splits" \
	$(($(pieces $head_len) - 1 + $(pieces $tail_len) - 1))

# The block reads back as written after a remount.
umount /mnt/xfsz && mount -t xfs $dev /mnt/xfsz || fail "remount failed"
{
	head -c $off /dev/zero
	head -c $len /dev/zero | tr '\000' '\253'
} > /tmp/xfsz.expected
cmp $f /tmp/xfsz.expected || fail "the file does not read back as zeroes around the write"

# Stock's 64 KiB zero page comes from iomap_dio_init() (an initcall, which
# /proc/kallsyms still lists after boot); 0006 removes both.
if [ "$PMDZERO_KERNEL" = stock ]; then
	grep -qw iomap_dio_init /proc/kallsyms || fail "stock has no iomap_dio_init(): where is its 64 KiB zero page?"
	echo "ok: stock allocates its 64 KiB zero page in iomap_dio_init()"
else
	! grep -qw iomap_dio_init /proc/kallsyms || fail "iomap_dio_init() is in this kernel: the 64 KiB zero page is still allocated"
	echo "ok: no iomap_dio_init(), no 64 KiB zero page"
fi
