#!/bin/bash
# DESCRIPTION: XFS with 64 KiB blocks on a 4 KiB-page kernel: sub-block
# O_DIRECT writes into new blocks zero the rest of each block on disk
# (iomap_dio_zero()), verified after a remount, over a device prefilled with
# a pattern so that zeroes cannot come from never-written memory.
. /pmdzero/lib.sh

command -v mkfs.xfs >/dev/null || skip "mkfs.xfs not in the guest"
dev=$(nullb_create xfs0 size=512 memory_backed=1 blocksize=4096) ||
	fail "cannot create memory-backed null_blk"
mkdir -p /mnt/xfs
trap 'umount /mnt/xfs 2>/dev/null; nullb_destroy xfs0' EXIT

pattern_file /tmp/stale $((4 * MiB))
for i in $(seq 0 127); do
	dd if=/tmp/stale of="$dev" bs=4M seek=$i oflag=direct 2>/dev/null || fail "cannot prefill $dev"
done
mkfs.xfs -q -f -K -b size=64k "$dev" || fail "mkfs.xfs -b size=64k failed"
mount -t xfs "$dev" /mnt/xfs || fail "cannot mount XFS with 64 KiB blocks"

f=/mnt/xfs/file
# Block 0: 4 KiB of data at 4 KiB; block 2: 4 KiB at its start; block 3:
# 1 KiB at 200 KiB.  Everything else inside EOF must read back as zeroes.
xfs_io -f -d -c "pwrite -q -S 0xab 4096 4096" -c "pwrite -q -S 0xcd 131072 4096" \
	-c "pwrite -q -S 0xef 204800 4096" "$f" || fail "O_DIRECT sub-block writes failed"
umount /mnt/xfs && mount -t xfs "$dev" /mnt/xfs || fail "remount failed"

size=$(stat -c %s "$f")
expect_eq "file size" "$size" $((204800 + 4096))
{
	head -c 4096 /dev/zero
	head -c 4096 /dev/zero | tr '\000' '\253'
	head -c $((131072 - 8192)) /dev/zero
	head -c 4096 /dev/zero | tr '\000' '\315'
	head -c $((204800 - 135168)) /dev/zero
	head -c 4096 /dev/zero | tr '\000' '\357'
} > /tmp/expected
cmp "$f" /tmp/expected || fail "file content differs from what was written"
dd if="$f" of=/tmp/direct bs=64k iflag=direct 2>/dev/null
cmp /tmp/direct /tmp/expected || fail "O_DIRECT read-back differs"
echo "ok: 64 KiB-block XFS, sub-block O_DIRECT writes zero-filled correctly"
