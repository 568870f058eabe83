#!/bin/bash
# BOOT: wall
# DESCRIPTION: the zero-write fio jobs (fio-jobs/zero-write.fio) on the
# boot's QEMU NVMe (a wall boot): user buffers, which the series leaves
# alone: stock and patched should agree, a check that it costs nothing
# elsewhere.  By default io_uring with a huge-page fixed buffer at 8 MiB and
# with 4 KiB-page buffers at 2 MiB; --full runs every section at 128 KiB,
# 2 MiB and 8 MiB.  Counted through fio-jobs/run-fio.sh, as a user would
# run it; timed by fio itself (bandwidth, and its usr + sys CPU).
. /pmdzero/bench/lib.sh

need_tools fio jq
dev=$(qemu_nvme zero-page)
[ -n "$dev" ] || fail "no NVMe: boot with the bench's QEMU disks (fio-jobs/bench.sh)"
iodepth=16
jobs="uring-huge-fixed:8m uring-small:2m"
if bench_full; then
	jobs=
	for s in uring-small uring-small-fixed uring-huge uring-huge-fixed uring-huge-fixed-regfiles libaio-small libaio-huge psync; do
		for bs in 128k 2m 8m; do jobs="$jobs $s:$bs"; done
	done
fi
# "small" buffers are meant to be 4 KiB pages: with THP "always" a malloc'd
# buffer may be a huge page.  madvise keeps THP for those who ask (fio does
# not); the huge sections use hugetlbfs either way.
thp=/sys/kernel/mm/transparent_hugepage/enabled
echo madvise > $thp
for job in $jobs; do
	section=${job%:*} bs=${job#*:}
	rm -rf /tmp/fio-run
	bash /pmdzero/fio-jobs/run-fio.sh --force --outdir /tmp/fio-run --size $BENCH_SIZE \
		--iodepth $iodepth --bs "$bs" --jobs "$section" $dev > /dev/null 2> /tmp/fio-run.err ||
		{ cat /tmp/fio-run.err; fail "run-fio.sh $section bs=$bs failed"; }
	json=/tmp/fio-run/$section-bs$bs-qd$iodepth-size$BENCH_SIZE.json
	read -r bios requests splits merges bio_bytes bytes < <(jq -r \
		'"\(.trace.bios) \(.trace.requests) \(.trace.splits) \(.trace.merges) \(.trace.bio_bytes) \(.fio.jobs[0].write.io_bytes)"' \
		"$json") || fail "$json: unreadable"
	name=fio-$section-$bs
	row_fields "$name" nvme
	record counts "${row_fields[@]}" zeroing=write bytes:=$bytes bios:=$bios \
		requests:=$requests splits:=$splits merges:=$merges bio_bytes:=$bio_bytes
	need=0
	[[ $section == *huge* ]] && need=$(( $(pmdzero size -n $iodepth --pages 2M "$bs") + 4 ))
	reserve_hugepages $need
	runs=
	for i in $(seq "${PMDZERO_RUNS:-3}"); do
		DEV=$dev SIZE=$BENCH_SIZE BS=$bs IODEPTH=$iodepth HUGEDIR=/dev/hugepages \
			fio --output-format=json --output=/tmp/fio.json --section="$section" \
			/pmdzero/fio-jobs/zero-write.fio > /dev/null || fail "$name: fio failed"
		# fio's bandwidth and its CPU (getrusage: the scheduler's ns runtime).
		run=$(jq -c '.jobs[0] | {wall_ns: (.write.io_bytes / .write.bw_bytes * 1e9 | round),
			cpu_ns: ((.usr_cpu + .sys_cpu) / 100 * .job_runtime * 1e6 | round)}' /tmp/fio.json) ||
			fail "$name: unreadable fio JSON"
		runs="$runs${runs:+,}$run"
	done
	reserve_hugepages 0
	record wall "${row_fields[@]}" zeroing=write bytes:=$bytes method=fio runs:="[$runs]"
	echo "$name: bios=$bios requests=$requests runs=[$runs]"
done
