#!/bin/bash
# DESCRIPTION: fio-jobs/run-fio.sh in the guest: its JSON holds fio's own
# result and pmdzero trace's counts of the same run, and those counts equal
# what tracefs saw.  libaio with huge-page buffers and 8 MiB requests: one
# 2 MiB bio per write, exactly, on every kernel (user buffers do not go
# through the zero folio).
. /pmdzero/lib.sh

need_tools fio jq pmdzero
dev=$(nullb_create fio0 size=1024 max_sectors=16384) || fail "cannot create null_blk"
trap 'nullb_destroy fio0' EXIT
set_max_sectors_kb "$dev" 8192

trace_begin "$dev" all
bash /pmdzero/fio-jobs/run-fio.sh --force --outdir /tmp/fio-runner --size 256m --bs 2m \
	--iodepth 8 --jobs libaio-huge "$dev" || fail "run-fio.sh failed"
trace_end
json=/tmp/fio-runner/libaio-huge-bs2m-qd8-size256m.json
jq -c '{section, bs, trace, write: .fio.jobs[0].write | {io_bytes, bw_bytes, runtime}}' "$json"
for k in bios requests splits merges bio_bytes; do
	expect_eq "run-fio.sh trace.$k = tracefs $k" "$(jq ".trace.$k" "$json")" "${!k}"
done
expect_eq "fio io_bytes" "$(jq '.fio.jobs[0].write.io_bytes' "$json")" $((256 * MiB))
expect_eq "fio errors" "$(jq '.fio.jobs[0].error' "$json")" 0
expect_eq "bios (one per 2 MiB write)" "$bios" 128
expect_eq "bio_bytes" "$bio_bytes" $((256 * MiB))
expect_eq "huge pages given back" "$(cat /proc/sys/vm/nr_hugepages)" 0

# Bad arguments are refused before any I/O.
trace_begin "$dev" all
for args in "--bs 3x" "--size lots" "--iodepth 0" "--jobs no-such-job"; do
	# shellcheck disable=SC2086
	if bash /pmdzero/fio-jobs/run-fio.sh --force --outdir /tmp/fio-bad $args "$dev" 2> /tmp/err; then
		fail "run-fio.sh $args succeeded"
	fi
	echo "refused $args: $(cat /tmp/err)"
done
trace_end
expect_eq "bios issued by refused runs" "$bios" 0
