#!/bin/bash
# DESCRIPTION: ext4's two zeroing users on disks without Write Zeroes.
# (1) Lazy inode-table init: mkfs.ext4 leaves the inode tables to the
# kernel, whose ext4lazyinit thread zeroes each group's unused part with
# sb_issue_zeroout() after mount.  On a 512 MiB null_blk at 8 MiB requests
# with 1 KiB inodes, four groups of 32 MiB tables: ZERO_PAGE bios of 1 MiB
# (two requests each, null_blk's 128 segments), or with the static folio
# bios of 8 MiB, one request each.  The tables must read back as zeroes
# and the old data around them stay.  (2) Extent zeroout: a buffered write
# into a preallocated (unwritten) extent, with dioread_lock, makes ext4
# zero the gap before it instead of splitting the extent when the gap is
# under extent_max_zeroout_kb (ext4_ext_convert_to_initialized()).  On
# QEMU's virtio-blk with two segments per request (as in 045 and 095) a
# zeroout bio of N ZERO_PAGE bio_vecs is split into ceil(N / 2) pieces;
# one folio bio_vec is not split.  The default 32 KiB with writes every 16
# KiB, and 1024 KiB with writes every 512 KiB; the gaps must read back as
# zeroes and the writes as written.
. /pmdzero/lib.sh

need_tools mkfs.ext4 dumpe2fs e2fsck
mnt=/mnt/ext4z
mkdir -p $mnt
# A pattern whose 64-byte period divides a block: every aligned region of
# the old data reads as the pattern's start.
old_data() { yes 'pmdzero old data, ext4 must not touch it: 0123456789abcdefghijk'; }
cleanup() {
	umount $mnt 2> /dev/null
	nullb_destroy ext4lazy
}
trap cleanup EXIT

# --- (1) lazy inode-table init ---
dev=$(nullb_create ext4lazy size=512 memory_backed=1 max_sectors=16384) || fail "cannot create null_blk"
set_max_sectors_kb "$dev" 8192
[ "$(cat "$(sysblock "$dev")/queue/max_segments")" = 128 ] || fail "null_blk max_segments is not 128"
old_data | dd of="$dev" bs=1M count=512 iflag=fullblock oflag=direct 2> /dev/null || fail "cannot fill $dev"
mkfs.ext4 -F -q -b 4096 -I 1024 -i 4096 -E lazy_itable_init=1,nodiscard "$dev" || fail "mkfs.ext4 failed"

ext4_itables "$dev" > /tmp/itables.txt
[ -s /tmp/itables.txt ] || fail "dumpe2fs shows no inode table left to zero: mkfs did not leave it to the kernel"
want_bios=0 want_requests=0 want_bytes=0
while read -r off len; do
	want_bytes=$((want_bytes + len))
	if expect_large; then
		n=$(((len + 8 * MiB - 1) / (8 * MiB)))
		want_bios=$((want_bios + n)) want_requests=$((want_requests + n))
	else
		# 1 MiB bios, the last one shorter; 128 pages per request.
		n=$(((len + MiB - 1) / MiB))
		tail_pages=$(((len - (n - 1) * MiB) / 4096))
		want_bios=$((want_bios + n))
		want_requests=$((want_requests + (n - 1) * 2 + (tail_pages + 127) / 128))
	fi
done < /tmp/itables.txt
echo "inode tables to zero: $(wc -l < /tmp/itables.txt) ranges, $want_bytes bytes"

lazyinit_done() { ext4lazyinit_pid; [ -z "$lazyinit_pid" ]; }
# Mounted without the thread first, so that the mount's own writes stay
# out of the window; the remount with init_itable=0 starts it, zeroing
# as fast as it can.  commit=600: no journal commit in the window, so
# that every request is the thread's (its bios are counted by task,
# requests are not).
mount -t ext4 -o noinit_itable,no_prefetch_block_bitmaps,commit=600 "$dev" $mnt || fail "mount failed"
lazyinit_done || fail "an ext4lazyinit thread runs on a noinit_itable mount"
sync
trace_begin "$dev" writes ext4lazyinit
mount -o remount,init_itable=0 $mnt || fail "remount with init_itable=0 failed"
wait_until 600 "ext4lazyinit to zero the inode tables and exit" lazyinit_done
trace_end
counts_data "ext4 lazy inode-table init, $want_bytes bytes"
expect_eq "lazyinit bios" "$bios" $want_bios
expect_eq "lazyinit bio_bytes" "$bio_bytes" $want_bytes
expect_eq "lazyinit requests" "$requests" $want_requests
umount $mnt || fail "umount failed"
echo 3 > /proc/sys/vm/drop_caches
while read -r off len; do
	region_is_zero "$dev" "$off" "$len" || fail "the inode table at $off (+$len) is not zero"
done < /tmp/itables.txt
# The old data where nothing was written: 63 MiB of free blocks of the
# last group, up to the last MiB (mke2fs zeroes the device's last 64 KiB;
# the group's backup superblock and GDT blocks are at 384 MiB, the
# journal at 256 MiB, every inode table below 161 MiB).
cmp -s -n $((63 * MiB)) <(read_region "$dev" $((448 * MiB)) $((63 * MiB))) <(old_data) ||
	fail "the free blocks at the end of the device changed"
e2fsck -fn "$dev" > /tmp/e2fsck.txt 2>&1 || { cat /tmp/e2fsck.txt; fail "e2fsck finds errors"; }
echo "ok: the inode tables read back as zeroes, the free blocks as before, e2fsck clean"
nullb_destroy ext4lazy

# --- (2) extent zeroout ---
vblk=/dev/vda
[ -b $vblk ] || fail "no $vblk: the matrix boots with a QEMU virtio-blk disk of queue-size=4"
q=$(sysblock $vblk)/queue
[ "$(cat $q/write_zeroes_max_bytes)" = 0 ] || fail "$vblk offers Write Zeroes"
segs=$(cat $q/max_segments)
[ "$segs" = 2 ] || fail "$vblk max_segments $segs, want 2 (queue-size=4)"
[ "$(cat $q/max_sectors_kb)" -ge 512 ] && [ "$(cat $q/max_segment_size)" -ge $((512 * 1024)) ] ||
	fail "$vblk would split a 508 KiB bio_vec by size"
mkfs.ext4 -F -q -b 4096 -E lazy_itable_init=1,nodiscard $vblk || fail "mkfs.ext4 on $vblk failed"
mount -t ext4 -o noinit_itable,dioread_lock,commit=600 $vblk $mnt || fail "mount of $vblk failed"
# ZERO_PAGE: one bio_vec per 4 KiB; the folio: one.
vecs() { pick 1 $(($1 / 4096)); }
extent_zeroout $vblk $mnt/f 32 16384 64 vecs
extent_zeroout $vblk $mnt/f 1024 $((512 * 1024)) 16 vecs
umount $mnt || fail "umount of $vblk failed"
e2fsck -fn $vblk > /tmp/e2fsck.txt 2>&1 || { cat /tmp/e2fsck.txt; fail "e2fsck finds errors on $vblk"; }
