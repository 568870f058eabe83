#!/bin/bash
# BOOT: wall
# DESCRIPTION: wall-clock (a wall boot) of zeroing the boot's QEMU disks:
# NVMe presented with QEMU's Intel id, for which the nvme driver turns Write
# Zeroes off (NVME_QUIRK_DISABLE_WRITE_ZEROES) so that zeroing takes the
# zero-page path, and virtio-blk with write-zeroes=off.  Both on QEMU's
# null-co driver: the device's own time is QEMU's emulation, which the
# guest's instruction count does not see, hence wall-clock here.  And the
# control: a second NVMe with QEMU's own id, which keeps Write Zeroes.
. /pmdzero/bench/lib.sh

need_tools pmdzero
reserve_hugepages 2
nvme=$(qemu_nvme zero-page) offload=$(qemu_nvme offload)
[ -n "$nvme" ] && [ -n "$offload" ] && [ -b /dev/vda ] ||
	fail "missing disks: boot with the bench's QEMU disks (fio-jobs/bench.sh)"
for dev in $nvme /dev/vda; do
	label=nvme
	[ $dev = /dev/vda ] && label=virtio-blk
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
# The control: QEMU's NVMe with its own id keeps Write Zeroes, which the
# series does not touch; both kernels should issue the same commands.
wall_row blkdiscard-z nvme-offload $offload $BENCH_SIZE syscall blkdiscard -f -z -o 0 -l $BENCH_SIZE $offload
