#!/bin/bash
# BOOT: cost
# DESCRIPTION: fio driving the kernel's zeroing (a cost boot): the
# zero-kernel.fio sections, fio's falloc engine with fio-kernel-zero.so,
# one BLKZEROOUT (ioctl) or FALLOC_FL_ZERO_RANGE (fallocate) per fio write,
# over the same 4 GiB as every other tool, at 1 MiB and 8 MiB writes, on
# null_blk's default limits and at 8 MiB requests.  Timed as blkdiscard -z
# is (method syscall): zerotime.so, preloaded after fio-kernel-zero.so,
# times the zeroing calls inside fio, so fio's own start-up and reporting
# stay out.  Besides the cost, a "latency" record of fio's completion
# latency percentiles of the same calls (under -icount, instructions per
# call).
. /pmdzero/bench/lib.sh

need_tools fio
[ -f /usr/lib/pmdzero/fio-kernel-zero.so ] || fail "fio-kernel-zero.so is not in the initramfs"
for setup in nullb-default nullb-max16384-8m; do
	dev=$(nullb_setup "$setup" cost0) || fail "cannot set up $setup"
	trap 'nullb_destroy cost0' EXIT
	for e in ioctl fallocate; do
		for bs in 1m 8m; do
			cost_row "fio-$e-$bs" "$setup" "$dev" $BENCH_SIZE syscall \
				$FIO_ZERO $e "$(pmdzero size $bs)" "$dev" $BENCH_SIZE
			# The last timed run's percentiles.
			fio_latency_record "fio-$e-$bs" "$setup" $BENCH_SIZE
		done
	done
	nullb_destroy cost0
done
