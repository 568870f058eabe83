#!/bin/bash
# DESCRIPTION: wall-clock (a wall boot) of zeroing the boot's QEMU disks:
# NVMe presented with QEMU's Intel id, for which the nvme driver turns Write
# Zeroes off (NVME_QUIRK_DISABLE_WRITE_ZEROES) so that zeroing takes the
# zero-page path, and virtio-blk with write-zeroes=off.  Both on QEMU's
# null-co driver: the device's own time is QEMU's emulation, which the
# guest's instruction count does not see, hence wall-clock here.
. /pmdzero/bench/lib.sh

command -v pmdzero >/dev/null || skip "pmdzero is not in the initramfs"
reserve_hugepages 2
for dev in /dev/nvme0n1 /dev/vda; do
	[ -b $dev ] || fail "$dev is missing: boot with the bench's QEMU disks"
	case $dev in
	*nvme*) label=nvme ;;
	*) label=virtio-blk ;;
	esac
	[ "$(cat "$(sysblock $dev)/queue/write_zeroes_max_bytes")" = 0 ] ||
		fail "$label offers Write Zeroes: the zero-page path would not be measured"
	if bench_full; then
		zero_rows wall_row $label $dev $BENCH_SIZE
	else
		wall_row blkdiscard-z $label $dev $BENCH_SIZE syscall blkdiscard -f -z -o 0 -l $BENCH_SIZE $dev
		for e in uring uring-vectored; do
			wall_row "pmdzero-$e" $label $dev $BENCH_SIZE engine \
				pmdzero zero $dev -l $BENCH_SIZE -e ${e%-vectored} \
				$([ $e = uring-vectored ] && echo --vectored) --no-trace --quiet --force --json
		done
	fi
done
