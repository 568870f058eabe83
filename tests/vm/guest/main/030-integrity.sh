#!/bin/bash
# DESCRIPTION: on a memory-backed null_blk, zeroing ranges not aligned to
# 2 MiB (one with a sub-4 KiB tail) leaves them zero and every byte around
# them as it was, through BLKZEROOUT and FALLOC_FL_ZERO_RANGE.
. /pmdzero/lib.sh

size_mib=16
dev=$(nullb_create mem0 size=$size_mib memory_backed=1 blocksize=512) ||
	fail "cannot create memory-backed null_blk"
trap 'nullb_destroy mem0' EXIT
bytes=$((size_mib * MiB))
pattern_file /tmp/pattern $bytes

check_range() { # tool offset length
	dd if=/tmp/pattern of="$dev" bs=1M oflag=direct 2>/dev/null || fail "cannot fill $dev"
	case $1 in
	blkzeroout) blkdiscard -f -z -o "$2" -l "$3" "$dev" ;;
	fallocate) fallocate --zero-range --offset "$2" --length "$3" "$dev" ;;
	esac || fail "$1 $2+$3 failed"
	end=$(($2 + $3))
	region_is_zero "$dev" "$2" "$3" || fail "$1 $2+$3: range not zero"
	region_matches "$dev" /tmp/pattern 0 "$2" || fail "$1 $2+$3: data before the range changed"
	region_matches "$dev" /tmp/pattern "$end" $((bytes - end)) ||
		fail "$1 $2+$3: data after the range changed"
	echo "ok: $1 offset $2 length $3"
}

for tool in blkzeroout fallocate; do
	# 1 MiB + 4 KiB into the device, 5 MiB + 12 KiB long: neither end on 2 MiB.
	check_range $tool $((MiB + 4096)) $((5 * MiB + 12288))
	# A 1536-byte tail after three whole folios.
	check_range $tool $((2 * MiB + 512)) $((6 * MiB + 1536))
	# Shorter than one folio, and exactly one folio at an odd offset.
	check_range $tool 512 3072
	check_range $tool $((7 * MiB + 512)) $((2 * MiB))
done
