#!/bin/bash
# BOOT: wall
# DESCRIPTION: fio driving the kernel's zeroing on the boot's QEMU NVMe (a
# wall boot): zero-kernel.fio's ioctl section, 8 MiB BLKZEROOUT calls over
# 4 GiB, on the NVMe without Write Zeroes (the zero-page path the series
# changes) and, as the control, on the NVMe that keeps its Write Zeroes
# offload (the same on both kernels).  Timed inside fio around the calls
# (method syscall), with fio's completion-latency percentiles.
. /pmdzero/bench/lib.sh

need_tools fio
[ -f /usr/lib/pmdzero/fio-kernel-zero.so ] || fail "fio-kernel-zero.so is not in the initramfs"
nvme=$(qemu_nvme zero-page) offload=$(qemu_nvme offload)
[ -n "$nvme" ] && [ -n "$offload" ] ||
	fail "missing disks: boot with the bench's QEMU disks (fio-jobs/bench.sh)"
for dev in $nvme $offload; do
	if [ "$dev" = "$offload" ]; then device="nvme-offload"; else device=nvme; fi
	wall_row fio-ioctl-8m $device "$dev" $BENCH_SIZE syscall \
		$FIO_ZERO ioctl $((8 * MiB)) "$dev" $BENCH_SIZE
	fio_latency_record fio-ioctl-8m $device $BENCH_SIZE
done
