#!/bin/bash
# DESCRIPTION: fio driving the kernel's zeroing (run-fio.sh --jobs
# ioctl,fallocate: fio's falloc engine through fio-kernel-zero.so), on
# null_blk without Write Zeroes at 8 MiB requests (as 020).  256 MiB in 1 MiB
# and 8 MiB fio writes, each one BLKZEROOUT or FALLOC_FL_ZERO_RANGE.  With
# the PMD zero folio an 8 MiB call is one bio and one request, a 1 MiB call
# one of each; with ZERO_PAGE every call is 1 MiB bios of 256 segments,
# two 512 KiB requests each (max_segments 128).  fio's own figures cover
# exactly those calls.
. /pmdzero/lib.sh

need_tools fio jq pmdzero
dev=$(nullb_create fiok0 size=1024 max_sectors=16384) || fail "cannot create null_blk"
trap 'nullb_destroy fiok0' EXIT
grep -qx 0 "$(sysblock "$dev")/queue/write_zeroes_max_bytes" ||
	fail "null_blk offers Write Zeroes: the zero-page path would not run"
set_max_sectors_kb "$dev" 8192

for e in ioctl fallocate; do
	bash /pmdzero/fio-jobs/run-fio.sh --force --outdir /tmp/fio-kernel --size 256m \
		--bs 1m,8m --jobs $e "$dev" || fail "run-fio.sh --jobs $e failed"
	for bs in 1m 8m; do
		json=/tmp/fio-kernel/$e-bs$bs-qd1-size256m.json
		jq -c '{section, zeroing, bs, calls, trace: .trace | {bios, requests, bio_bytes},
			clat_p99_ns: .fio.jobs[0].write.clat_ns.percentile["99.000000"]}' "$json"
		calls=$((256 / ${bs%m}))
		expect_eq "$e bs=$bs zeroing" "$(jq -r .zeroing "$json")" kernel
		expect_eq "$e bs=$bs calls" "$(jq .calls "$json")" $calls
		expect_eq "$e bs=$bs fio writes" "$(jq '.fio.jobs[0].write.total_ios' "$json")" $calls
		expect_eq "$e bs=$bs fio errors" "$(jq '.fio.jobs[0].error' "$json")" 0
		expect_eq "$e bs=$bs bio_bytes" "$(jq .trace.bio_bytes "$json")" $((256 * MiB))
		expect_eq "$e bs=$bs bios" "$(jq .trace.bios "$json")" "$(pick $calls 256)"
		expect_eq "$e bs=$bs requests" "$(jq .trace.requests "$json")" "$(pick $calls 512)"
		record test-counts test="fio $e bs=$bs, 256 MiB" \
			"bios:=$(jq .trace.bios "$json")" "requests:=$(jq .trace.requests "$json")"
	done
done
