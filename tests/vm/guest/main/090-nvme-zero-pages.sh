#!/bin/bash
# DESCRIPTION: the zero-page path through the real nvme driver.  QEMU's NVMe
# shows Intel's id (use-intel-id=on), for which nvme-pci turns Write Zeroes
# off (NVME_QUIRK_DISABLE_WRITE_ZEROES), as it does for real drives with
# that quirk: BLKZEROOUT then sends zero-folio bios through PRP mapping.
# Exact bios, splits and requests for 128 MiB (the controller takes 512 KiB
# per command); an unaligned range zeroed byte-exactly with the data around
# it intact, read back from the device.  With intel_iommu=on on the command
# line the same runs with every bio_vec DMA-mapped through QEMU's IOMMU; with
# swiotlb=force, with every bio_vec bounced (copied into swiotlb's slots).
. /pmdzero/lib.sh

dev=/dev/nvme0n1
[ -b $dev ] || fail "no $dev: the matrix boots with a QEMU NVMe disk (tests/vm/matrix.sh)"
q=$(sysblock $dev)/queue
expect_eq "nvme write_zeroes_max_bytes (quirked off)" "$(cat $q/write_zeroes_max_bytes)" 0
# 512 KiB per command (QEMU's MDTS); behind an IOMMU nvme-pci keeps
# commands within what the IOMMU maps cheaply (dma_opt_mapping_size()).
rq_kb=$(cat $q/max_sectors_kb)
if grep -qw intel_iommu=on /proc/cmdline; then
	group=$(readlink "$(sysblock $dev)/device/device/iommu_group") ||
		fail "intel_iommu=on, but the NVMe controller is in no IOMMU group"
	echo "ok: NVMe controller in IOMMU group ${group##*/}, $rq_kb KiB per command"
	[ "$rq_kb" -ge 4 ] || fail "unexpected max_sectors_kb $rq_kb"
elif grep -qw swiotlb=force /proc/cmdline; then
	# What one swiotlb mapping holds bounds a command: 128 slots of 2 KiB,
	# less the 4 KiB nvme-pci's min_align_mask reserves
	# (swiotlb_max_mapping_size()), so 252 KiB, which divides no bio.
	expect_eq "nvme max_sectors_kb under swiotlb=force" "$rq_kb" 252
	echo "ok: swiotlb=force, every bio_vec bounced, $rq_kb KiB per command"
else
	expect_eq "nvme max_sectors_kb" "$rq_kb" 512
fi

trace_begin $dev writes blkdiscard
blkdiscard -f -z -o 0 -l $((128 * MiB)) $dev || fail "blkdiscard -z failed"
trace_end
counts_data nvme-blkzeroout-128m
# With the folio a bio holds 8 MiB rounded down to whole commands
# (blkdev_zero_bio_sectors()), so every command but the last is full; the
# ZERO_PAGE path sends 1 MiB bios, each split on its own.  Nothing merges,
# so every split adds one command.  At 512 KiB: 16 bios, 256 commands (128
# and 256 without the folio); at 252 KiB: 8064 KiB bios, 17 and 521.
total_kb=$((128 * 1024))
if expect_large; then
	bio_kb=$((8192 - 8192 % rq_kb))
	want_rq=$(((total_kb + rq_kb - 1) / rq_kb))
else
	bio_kb=1024
	want_rq=$((total_kb / bio_kb * ((bio_kb + rq_kb - 1) / rq_kb)))
fi
want_bios=$(((total_kb + bio_kb - 1) / bio_kb))
expect_eq "bios" "$bios" $want_bios
expect_eq "splits" "$splits" $((want_rq - want_bios))
expect_eq "requests" "$requests" $want_rq
expect_eq "bio bytes" "$bio_bytes" $((128 * MiB))

# Byte-exact: an unaligned 17 MiB + 1536 range over three zeroing bios.
zero_unaligned_checked $dev $((64 * MiB))
