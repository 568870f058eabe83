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

command -v fio > /dev/null || fail "fio is not in the initramfs"
kernel_zero=/usr/lib/pmdzero/fio-kernel-zero.so
[ -f $kernel_zero ] || fail "$kernel_zero is not in the initramfs"

# fio_zero ENGINE BS DEV: the section of zero-kernel.fio over BENCH_SIZE.
cat > /tmp/fio-zero <<'EOF2'
#!/bin/bash
LD_PRELOAD="/usr/lib/pmdzero/fio-kernel-zero.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	PMDZERO_FIO_ZERO=$1 DEV=$3 SIZE=$4 BS=$2 \
	exec fio --output-format=json --output=/tmp/fio-zero.json --section="$1" \
	/pmdzero/fio-jobs/zero-kernel.fio
EOF2
chmod +x /tmp/fio-zero

for setup in nullb-default nullb-max16384-8m; do
	dev=$(nullb_setup "$setup" cost0) || fail "cannot set up $setup"
	trap 'nullb_destroy cost0' EXIT
	for e in ioctl fallocate; do
		for bs in 1m 8m; do
			name=fio-$e-$bs
			cost_row "$name" "$setup" "$dev" $BENCH_SIZE syscall \
				/tmp/fio-zero $e "$(pmdzero size $bs)" "$dev" $BENCH_SIZE
			# The last timed run's fio figures.
			row_fields "$name" "$setup"
			record latency "${row_fields[@]}" zeroing="$(zeroing_of "$name")" bytes:=$BENCH_SIZE \
				"clat_ns:=$(jq -c '.jobs[0].write.clat_ns.percentile |
					{p50: .["50.000000"], p99: .["99.000000"], p99_9: .["99.900000"]}' \
					/tmp/fio-zero.json)" \
				"ios:=$(jq '.jobs[0].write.total_ios' /tmp/fio-zero.json)" ||
				fail "$name: unreadable fio JSON"
		done
	done
	nullb_destroy cost0
done
